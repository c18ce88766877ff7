// Whole writes and in-kernel copies. See fileio.h.
#include "core/fileio.h"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace axon::core {

bool write_all(int fd, std::string_view s) { return write_all(fd, s, {}); }

bool write_all(int fd, std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    iovec iov[2] = {{const_cast<char*>(a.data()), a.size()}, {const_cast<char*>(b.data()), b.size()}};
    ssize_t n = a.empty() ? ::writev(fd, iov + 1, 1) : ::writev(fd, iov, b.empty() ? 1 : 2);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    auto done = static_cast<std::size_t>(n);
    std::size_t from_a = std::min(done, a.size());
    a.remove_prefix(from_a);
    b.remove_prefix(done - from_a);
  }
  return true;
}

bool copy_range(int src, uint64_t offset, uint64_t n, int dst) {
  auto off = static_cast<loff_t>(offset);
  bool kernel_copy = true;
  while (n > 0) {
    if (kernel_copy) {
      ssize_t r = ::copy_file_range(src, &off, dst, nullptr, static_cast<size_t>(std::min<uint64_t>(n, 1u << 30)), 0);
      if (r > 0) {
        n -= static_cast<uint64_t>(r);
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
        kernel_copy = false;
        continue;
      }
      if (r == 0) errno = EIO;  // the source is shorter than promised
      return false;
    }
    char buf[65536];
    ssize_t r = ::pread(src, buf, static_cast<size_t>(std::min<uint64_t>(n, sizeof buf)), off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r == 0) errno = EIO;
      return false;
    }
    if (!write_all(dst, std::string_view(buf, static_cast<size_t>(r)))) return false;
    off += r;
    n -= static_cast<uint64_t>(r);
  }
  return true;
}

}  // namespace axon::core
