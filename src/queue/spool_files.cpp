// File helpers of the spool. See spool_files.h.
#include "queue/spool_files.h"

#include "core/fileio.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace axon::queue {

namespace fs = std::filesystem;

std::string sys_error(const std::string& what, const fs::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

bool fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  errno = err;
  return ok;
}

fs::path segment_path(const fs::path& dir, uint64_t n) {
  char name[32];
  std::snprintf(name, sizeof name, "%012llu.seg", static_cast<unsigned long long>(n));
  return dir / name;
}

bool pread_all(int fd, char* buf, uint64_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, static_cast<std::size_t>(std::min<uint64_t>(n, 1u << 30)),
                        static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) {
      errno = 0;
      return false;
    }
    buf += r;
    n -= static_cast<uint64_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

core::Result<void> move_to_damaged(const fs::path& dir, const fs::path& segment) {
  fs::path dd = dir / "damaged";
  std::error_code ec;
  fs::create_directories(dd, ec);
  if (ec) return core::make_error(core::Errc::temporary, "cannot create " + dd.string() + ": " + ec.message());
  // Never over an earlier damaged segment of the same name: that may hold the only copy of acknowledged mail.
  fs::path to = dd / segment.filename();
  for (int n = 1; ::renameat2(AT_FDCWD, segment.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0; ++n) {
    if (errno != EEXIST || n > 1000) return core::make_error(core::Errc::temporary, sys_error("cannot move", segment));
    to = dd / (segment.filename().string() + "." + std::to_string(n));
  }
  if (!fsync_dir(dd) || !fsync_dir(dir)) return core::make_error(core::Errc::temporary, sys_error("cannot fsync", dir));
  return {};
}

core::Result<void> save_tail(const fs::path& dir, const fs::path& segment, int fd, uint64_t offset, uint64_t size) {
  fs::path dd = dir / "damaged";
  std::error_code ec;
  fs::create_directories(dd, ec);
  fs::path to = dd / (segment.filename().string() + ".tail");
  int out = -1;
  for (int n = 1; (out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0; ++n) {
    if (errno != EEXIST || n > 1000) return core::make_error(core::Errc::temporary, sys_error("cannot create", to));
    to = dd / (segment.filename().string() + ".tail." + std::to_string(n));
  }
  Writer w(out);
  w.copy_from(fd, offset, size);
  bool ok = w.finish() && ::fsync(out) == 0;
  int err = errno;
  ::close(out);
  errno = err;
  if (!ok || !fsync_dir(dd) || !fsync_dir(dir)) return core::make_error(core::Errc::temporary, sys_error("cannot save", to));
  return {};
}

void Writer::add(std::string_view bytes) {
  if (!bytes.empty()) iov_.push_back({const_cast<char*>(bytes.data()), bytes.size()});
}

bool Writer::flush() {
  std::size_t i = 0;
  while (ok_ && i < iov_.size()) {
    int cnt = static_cast<int>(std::min<std::size_t>(iov_.size() - i, IOV_MAX));
    ssize_t n = ::writev(fd_, &iov_[i], cnt);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok_ = false;
      break;
    }
    auto left = static_cast<std::size_t>(n);
    while (i < iov_.size() && left >= iov_[i].iov_len) left -= iov_[i++].iov_len;
    if (left) {
      iov_[i].iov_base = static_cast<char*>(iov_[i].iov_base) + left;
      iov_[i].iov_len -= left;
    }
  }
  iov_.clear();
  return ok_;
}

void Writer::copy_from(int src, uint64_t offset, uint64_t size) {
  if (flush() && !core::copy_range(src, offset, size, fd_)) ok_ = false;
}

bool Writer::finish() { return flush(); }

}  // namespace axon::queue
