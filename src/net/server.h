// net::Server — the one network driver: listeners, one coroutine per connection on its own strand, STARTTLS and
// implicit TLS, idle/write timeouts, per-IP and total connection limits, and an orderly drain on stop().
// It pumps bytes between sockets and net::Session objects and knows no protocol.
// Security: everything read here is untrusted; reads are bounded by the buffer size, the session bounds the rest.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/error.h"
#include "net/limiter.h"
#include "net/session.h"

namespace axon::net {

struct ListenerSpec {
  std::string name;                    // "smtp", for logs and errors
  std::vector<std::string> addresses;  // e.g. {"127.0.0.1"} or {"0.0.0.0", "::"}
  uint16_t port = 0;
  bool implicit_tls = false;           // TLS handshake before the session starts (465, 993, ...)
  std::chrono::seconds idle_timeout{300};
  SessionFactory factory;
  std::string busy_reply;              // written before closing when a connection limit is hit
};

struct ServerOptions {
  unsigned threads = 0;  // 0: one per core
  std::size_t max_connections = 1000;
  std::size_t max_connections_per_ip = 50;
  std::chrono::seconds drain_timeout{15};
  std::chrono::seconds write_timeout{60};
};

class Server {
 public:
  Server(ServerOptions opts, std::shared_ptr<boost::asio::ssl::context> tls);
  ~Server();

  // Binds and listens now, so that "port in use" is reported before anything starts.
  core::Result<void> listen(const ListenerSpec& spec);
  // Replaces the TLS context for new handshakes (SIGHUP).
  void set_tls(std::shared_ptr<boost::asio::ssl::context> tls);
  // Runs the I/O threads; returns when stop() has drained every connection (or the drain timed out).
  void run();
  // Thread-safe: stop accepting, ask every session to say goodbye, let in-flight work finish.
  void stop();
  boost::asio::io_context& io() { return io_; }
  std::size_t connections() const { return limiter_.total(); }

  struct Conn;

 private:
  void accept_loop(std::size_t listener);
  void start_connection(std::size_t listener, boost::asio::ip::tcp::socket sock);

  struct Listener;
  ServerOptions opts_;
  boost::asio::io_context io_;
  std::mutex tls_mu_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  ConnectionLimiter limiter_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::mutex conns_mu_;
  std::set<std::shared_ptr<Conn>> conns_;
  std::unique_ptr<boost::asio::steady_timer> drain_timer_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace axon::net
