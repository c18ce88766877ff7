// queue::IdAllocator — queue ids that are unique forever in one spool: across restarts, clock steps and crashes.
// An id is a counter, never a reading of the clock: the counter's high-water mark lives in spool/ids, reserved
// a block at a time (write a new file, fsync, rename, fsync the folder) before any id of the block is handed out,
// so a crash skips the rest of a block but never reuses an id. A new spool starts its counter at the current
// time in microseconds (ids of different instances then rarely meet; several nodes sharing one queue will add a
// node prefix). Ids are 13 characters of Crockford base32 — longer than the 11-character clock-based ids of
// earlier versions, so the two kinds can never be equal.
// Not thread-safe: the spool's writer thread is its only user.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/clock.h"
#include "core/error.h"

namespace axon::queue {

class IdAllocator {
 public:
  static constexpr uint64_t kBlock = 1u << 16;

  // Reads (or creates) dir/ids.
  static core::Result<IdAllocator> open(const std::filesystem::path& dir, const core::Clock& clock);
  // The next id; an error when the next block cannot be reserved durably.
  core::Result<std::string> next();

  static std::string format(uint64_t n);

 private:
  IdAllocator(std::filesystem::path dir, uint64_t next) : dir_(std::move(dir)), next_(next), limit_(next) {}
  core::Result<void> reserve(uint64_t limit);

  std::filesystem::path dir_;
  uint64_t next_, limit_;  // ids in [next_, limit_) are reserved
};

}  // namespace axon::queue
