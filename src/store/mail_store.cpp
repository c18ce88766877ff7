// store::OpenMessage. See mail_store.h.
#include "store/mail_store.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace axon::store {

OpenMessage::OpenMessage(OpenMessage&& o) noexcept : fd(o.fd), size(o.size), summary(std::move(o.summary)) {
  o.fd = -1;
}
OpenMessage& OpenMessage::operator=(OpenMessage&& o) noexcept {
  if (this != &o) {
    if (fd >= 0) ::close(fd);
    fd = o.fd;
    size = o.size;
    summary = std::move(o.summary);
    o.fd = -1;
  }
  return *this;
}
OpenMessage::~OpenMessage() {
  if (fd >= 0) ::close(fd);
}

Result<std::string> OpenMessage::read(uint64_t offset, uint64_t n) const {
  if (offset >= size) return std::string();
  n = std::min(n, size - offset);
  std::string out(n, '\0');
  uint64_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return core::make_error(core::Errc::temporary, std::string("read message: ") + std::strerror(errno));
    if (r == 0) return core::make_error(core::Errc::temporary, "read message: file shorter than recorded");
    done += static_cast<uint64_t>(r);
  }
  return out;
}

}  // namespace axon::store
