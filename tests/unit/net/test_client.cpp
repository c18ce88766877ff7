// The driver tests' loopback client (test_client.h).
#include "test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

namespace axon::net::test {

Client::Client(uint16_t port, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) close();
}

Client::~Client() { close(); }

void Client::close() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  ssl_ = nullptr;
  ctx_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool Client::tls_handshake(bool tls12_only) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (tls12_only) SSL_CTX_set_max_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  return SSL_connect(ssl_) == 1;
}

bool Client::send(const std::string& bytes) {
  if (fd_ < 0) return false;
  if (ssl_) return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size());
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

int Client::read_some(char* buf, int n) {
  timed_out_ = false;
  int r = ssl_ ? SSL_read(ssl_, buf, n) : static_cast<int>(::recv(fd_, buf, n, 0));
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) timed_out_ = true;
  return r;
}

std::string Client::line() {
  for (;;) {
    auto lf = buf_.find('\n');
    if (lf != std::string::npos) {
      std::string l = buf_.substr(0, lf);
      buf_.erase(0, lf + 1);
      return l;
    }
    char tmp[4096];
    int n = fd_ < 0 ? -1 : read_some(tmp, sizeof tmp);
    if (n <= 0) return "";
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
}

bool Client::eof() {
  char tmp[4096];
  for (;;) {
    if (fd_ < 0) return true;
    int n = read_some(tmp, sizeof tmp);
    if (n == 0) return true;
    if (n < 0) return !timed_out_;  // reset counts as closed; a timeout does not
  }
}

}  // namespace axon::net::test
