// net::Server — the one network driver: listeners, one coroutine per connection on its own strand, STARTTLS and
// implicit TLS, request deadlines with a minimum data rate, write and wait timeouts, per-IP and total connection
// limits, and an orderly drain on stop(). It pumps bytes between sockets and net::Session objects and knows no
// protocol. Threads: each connection's state lives on its strand; the server's own state (acceptors, the set of
// connections, the drain timer) on one server strand; the limiter and the TLS context behind mutexes.
// Security: everything read here is untrusted; reads are bounded by the buffer size, the session bounds the rest;
// a peer cannot hold a connection longer than its deadlines allow (slowloris), nor renegotiate TLS (tls.cpp).
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
#include <boost/asio/strand.hpp>

#include "core/error.h"
#include "net/limiter.h"
#include "net/session.h"

namespace axon::net {

struct ListenerSpec {
  std::string name;                    // "smtp", for logs and errors
  std::vector<std::string> addresses;  // e.g. {"127.0.0.1"} or {"0.0.0.0", "::"}
  uint16_t port = 0;                   // 0: any free port (see Server::local_port)
  bool implicit_tls = false;           // TLS handshake before the session starts (465, 993, ...)
  // Request deadline (Postfix 3.7 smtpd_per_request_deadline + smtpd_min_data_rate): once our reply is written,
  // the peer has idle_timeout to send its next request, and each read of n bytes adds n / min_data_rate seconds;
  // reads do not restart the clock, so one byte now and then cannot hold a connection. min_data_rate 0: the
  // deadline is idle_timeout after each read (a per-read idle timeout). Past it: Session::idle_timeout().
  std::chrono::milliseconds idle_timeout{300'000};
  std::size_t min_data_rate = 0;       // bytes per second
  std::chrono::milliseconds wait_timeout{60'000};  // a Step::wait longer than this: Session::wait_timeout()
  SessionFactory factory;
  std::string busy_reply;              // written before closing when a connection limit is hit
};

struct ServerOptions {
  unsigned threads = 0;  // 0: one per core
  std::size_t max_connections = 1000;
  std::size_t max_connections_per_ip = 50;  // IPv4 per address, IPv6 per /64 (limiter.h)
  std::chrono::milliseconds drain_timeout{15'000};
  std::chrono::milliseconds write_timeout{60'000};  // each write, and each TLS handshake
};

class Server {
 public:
  Server(ServerOptions opts, std::shared_ptr<boost::asio::ssl::context> tls);
  ~Server();

  // Binds and listens now, so that "port in use" is reported before anything starts.
  core::Result<void> listen(const ListenerSpec& spec);
  // The port the listener (in listen() order) is bound to; for port 0. Call before run().
  uint16_t local_port(std::size_t listener) const;
  // Replaces the TLS context for new handshakes (SIGHUP).
  void set_tls(std::shared_ptr<boost::asio::ssl::context> tls);
  // Runs the I/O threads; returns when stop() has drained every connection (or the drain timed out).
  void run();
  // Thread-safe: stop accepting and drain: every session gets shutdown() once and is pumped on until it closes
  // (a message in transfer may finish); what is still open after drain_timeout is cut off.
  void stop();
  boost::asio::io_context& io() { return io_; }
  std::size_t connections() const { return limiter_.total(); }

  struct Conn;

 private:
  void accept_loop(std::size_t listener);
  void start_connection(std::size_t listener, boost::asio::ip::tcp::socket sock);
  void connection_ended(std::shared_ptr<Conn> c);  // on strand_

  struct Listener;
  struct WakeGate;  // closed by ~Server: a Wake called later (the spool's thread) posts nothing
  ServerOptions opts_;
  // Before io_: ~io_context may destroy connection frames still holding limiter tickets (after a drain timeout).
  ConnectionLimiter limiter_;
  std::shared_ptr<WakeGate> wake_gate_;
  boost::asio::io_context io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;  // the server-level state below
  std::mutex tls_mu_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::vector<std::unique_ptr<Listener>> listeners_;  // acceptors: used on strand_ once run() started
  std::set<std::shared_ptr<Conn>> conns_;             // on strand_
  boost::asio::steady_timer drain_timer_;             // on strand_
  bool draining_ = false;                             // on strand_
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace axon::net
