// queue::IntakeBuffer — the core::MessageBuffer behind every SMTP transaction: message data in memory while it
// is small and the server-wide memory budget allows, else in an unlinked spill file beside the spool (O_TMPFILE),
// so that no number of sessions can make the server hold their messages in RAM. The spool writer copies a
// spilled message into its segment with copy_file_range(2) (no pass through user space).
//
// IntakeBudget holds the two server-wide counters: bytes in memory (bounded: past it buffers spill) and bytes in
// flight (received but not yet in the spool, memory and spill files together: past it new transactions are
// refused with 452 4.3.1 and the server keeps serving the others). A spill file leaves record::kSpillGap octets
// free before the data, so that the spool can make it the message's own segment without copying the data.
// Security: holds untrusted data; memory per buffer is bounded by the budget, disk by the in-flight limit plus
// one maximum message size per open transaction.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/message_buffer.h"
#include "queue/record.h"

namespace axon::queue {

struct IntakeLimits {
  uint64_t memory = 128u << 20;          // message data held in RAM by all receiving sessions together
  uint64_t per_message_memory = 1u << 20;  // one message's data in RAM before it spills
  uint64_t in_flight = uint64_t{4} << 30;  // data received but not yet spooled (RAM + spill files)
};

class IntakeBudget {
 public:
  IntakeBudget(IntakeLimits limits, std::filesystem::path spill_dir)
      : limits_(limits), spill_dir_(std::move(spill_dir)) {}

  // A buffer for a new transaction, or nullptr while the data in flight is over its limit.
  std::unique_ptr<class IntakeBuffer> begin();

  uint64_t memory() const { return memory_.load(std::memory_order_relaxed); }
  uint64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  const IntakeLimits& limits() const { return limits_; }
  const std::filesystem::path& spill_dir() const { return spill_dir_; }

 private:
  friend class IntakeBuffer;
  bool reserve_memory(uint64_t n);
  void release_memory(uint64_t n) { memory_.fetch_sub(n, std::memory_order_relaxed); }

  IntakeLimits limits_;
  std::filesystem::path spill_dir_;
  std::atomic<uint64_t> memory_{0}, in_flight_{0};
};

class IntakeBuffer final : public core::MessageBuffer {
 public:
  // budget may be null: memory only, unbounded (tests and tools that spool a string).
  explicit IntakeBuffer(IntakeBudget* budget) : budget_(budget) {}
  ~IntakeBuffer() override;
  IntakeBuffer(const IntakeBuffer&) = delete;
  IntakeBuffer& operator=(const IntakeBuffer&) = delete;

  void append(std::string_view bytes) override;
  // Writes what is still buffered for the spill file (the spool calls it before the data is used).
  void flush();
  uint64_t size() const override { return size_; }
  bool failed() const override { return failed_; }

  uint32_t crc() const { return crc_; }  // CRC-32 of everything appended
  bool spilled() const { return fd_ >= 0; }
  int fd() const { return fd_; }                 // the spill file, when spilled(): data from data_offset()
  uint64_t data_offset() const { return record::kSpillGap; }  // room for a record header before it
  bool linkable() const { return anonymous_; }   // an O_TMPFILE: it can get a name (linkat) and become a segment
  int release_fd() { int f = fd_; fd_ = -1; return f; }  // the spill file's new owner closes it
  std::string& memory() { return mem_; }         // the data, when !spilled()

 private:
  void spill(std::string_view more);
  void fail();

  IntakeBudget* budget_;
  std::string mem_;
  std::string pending_;    // spilled data not yet written: the reader hands over a line at a time
  uint64_t reserved_ = 0;  // of budget_->memory_
  uint64_t size_ = 0;
  uint32_t crc_ = 0;
  int fd_ = -1;
  bool anonymous_ = false;
  bool failed_ = false;
};

}  // namespace axon::queue
