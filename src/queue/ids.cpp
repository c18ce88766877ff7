// Queue ids from a durable counter. See ids.h.
#include "queue/ids.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace axon::queue {

namespace fs = std::filesystem;
using core::Errc;
using core::make_error;

namespace {

core::Error sys(const std::string& what, const fs::path& p) {
  return make_error(Errc::temporary, what + " " + p.string() + ": " + std::strerror(errno));
}

bool fsync_path(const fs::path& p, int flags) {
  int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string IdAllocator::format(uint64_t n) {
  static const char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32
  std::string id(13, '0');
  for (int i = 12; i >= 0; --i, n >>= 5) id[static_cast<std::size_t>(i)] = digits[n & 31];
  return id;
}

core::Result<IdAllocator> IdAllocator::open(const fs::path& dir, const core::Clock& clock) {
  fs::path file = dir / "ids";
  uint64_t next = 0;
  std::ifstream in(file);
  if (in) {
    std::string word;
    if (!(in >> word >> next) || word != "next" || next == 0)
      return make_error(Errc::permanent, file.string() + ": damaged (expected \"next N\"); the queue ids must "
                                                          "never repeat, so it is not recreated: restore it");
  } else if (fs::exists(file)) {
    return sys("cannot read", file);
  } else {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock.now().time_since_epoch()).count();
    next = static_cast<uint64_t>(std::max<int64_t>(us, 1));
  }
  IdAllocator a(dir, next);
  return a;
}

core::Result<void> IdAllocator::reserve(uint64_t limit) {
  fs::path file = dir_ / "ids", tmp = dir_ / "ids.tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return sys("cannot create", tmp);
  std::string text = "next " + std::to_string(limit) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  errno = err;
  if (!ok) return sys("cannot write", tmp);
  if (::rename(tmp.c_str(), file.c_str()) != 0) return sys("cannot rename", tmp);
  if (!fsync_path(dir_, O_RDONLY | O_DIRECTORY)) return sys("cannot fsync", dir_);
  limit_ = limit;
  return {};
}

core::Result<std::string> IdAllocator::next() {
  if (next_ >= limit_) {
    if (auto r = reserve(next_ + kBlock); !r) return r.error();
  }
  return format(next_++);
}

}  // namespace axon::queue
