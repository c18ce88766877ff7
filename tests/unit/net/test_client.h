// A blocking loopback client for the driver tests: plain TCP or TLS (OpenSSL, no verification), line reads with
// a timeout so that a broken driver fails a test instead of hanging it.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace axon::net::test {

class Client {
 public:
  explicit Client(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool tls_handshake(bool tls12_only = false);  // client side of a TLS handshake on the connection
  bool send(const std::string& bytes);
  std::string line();                   // one line without its LF; "" on EOF, error or timeout
  bool eof();                           // the server closed the connection (within the timeout)
  bool timed_out() const { return timed_out_; }
  void close();

 private:
  int read_some(char* buf, int n);
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
  bool timed_out_ = false;
};

}  // namespace axon::net::test
