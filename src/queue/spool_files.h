// File helpers of the spool (writer and recovery): segment names, whole reads and writes, directory fsync, the
// damaged/ folder, and Writer, which appends a batch with as few system calls as it can.
// Security: paths are built from numbers only.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace axon::queue {

std::string sys_error(const std::string& what, const std::filesystem::path& p);  // "what p: strerror(errno)"
bool fsync_dir(const std::filesystem::path& dir);
std::filesystem::path segment_path(const std::filesystem::path& dir, uint64_t n);
// Reads exactly n octets at `offset` (false on error or end of file; errno says which, 0 for the end).
bool pread_all(int fd, char* buf, uint64_t n, uint64_t offset);
// Renames spool/NAME to spool/damaged/NAME (NAME.1, NAME.2, ... when taken: never over an older one), durably.
core::Result<void> move_to_damaged(const std::filesystem::path& dir, const std::filesystem::path& segment);
// Copies `size` octets of `fd` from `offset` to spool/damaged/NAME.tail (never over an older one), durably.
core::Result<void> save_tail(const std::filesystem::path& dir, const std::filesystem::path& segment, int fd,
                             uint64_t offset, uint64_t size);

// Appends to `fd` at its file position: memory runs with writev (IOV_MAX at a time), other files' contents with
// copy_file_range (falling back to read/write where the kernel or filesystem cannot). finish() says whether
// everything was written; errno tells why not.
class Writer {
 public:
  explicit Writer(int fd) : fd_(fd) {}
  void add(std::string_view bytes);  // must stay valid until finish()
  void copy_from(int src_fd, uint64_t offset, uint64_t size);
  bool finish();

 private:
  bool flush();
  int fd_;
  bool ok_ = true;
  std::vector<iovec> iov_;
};

}  // namespace axon::queue
