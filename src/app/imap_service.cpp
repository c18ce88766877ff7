// app::make_imap_factory and app::MimeSummarizer. See imap_service.h.
#include "app/imap_service.h"

#include <unistd.h>

#include <cerrno>
#include <string>

#include "mime/parser.h"
#include "mime/serialize.h"

namespace axon::app {

net::SessionFactory make_imap_factory(const imap::SessionConfig& cfg, store::MailStore& store,
                                      auth::Authenticator& auth, store::SyncService& sync) {
  return [&cfg, &store, &auth, &sync](const net::Peer& peer, net::Wake wake) -> std::unique_ptr<net::Session> {
    return std::make_unique<imap::Session>(cfg, store, auth, sync, peer, std::move(wake));
  };
}

std::string MimeSummarizer::summarize(int fd, uint64_t offset, uint64_t size) {
  mime::Parser p;
  std::string buf(std::min<uint64_t>(size, 256 * 1024), '\0');
  uint64_t done = 0;
  while (done < size) {
    std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(buf.size(), size - done));
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return {};  // unreadable now: the reader makes the summary later
    p.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    done += static_cast<uint64_t>(n);
  }
  return mime::serialize(p.finish());
}

}  // namespace axon::app
