#include "net/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <optional>
#include <thread>

namespace axon::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Server::Listener {
  ListenerSpec spec;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
};

struct Server::WakeGate {
  std::mutex mu;
  bool open = true;
};

struct Server::Conn {
  Conn(tcp::socket s, std::shared_ptr<ssl::context> ctx, ConnectionLimiter::Ticket t)
      : tls_ctx(std::move(ctx)),
        stream(std::move(s), *tls_ctx),
        deadline_timer(stream.get_executor()),
        wake_timer(stream.get_executor()),
        write_timer(stream.get_executor()),
        ticket(std::move(t)) {}

  // Everything below is used on the connection's strand only.
  std::shared_ptr<ssl::context> tls_ctx;
  ssl::stream<tcp::socket> stream;
  asio::steady_timer deadline_timer, wake_timer, write_timer;
  ConnectionLimiter::Ticket ticket;
  std::unique_ptr<Session> session;             // reset when the connection's loop ends
  std::vector<std::function<void()>> pending;   // Wake applies, in arrival order, waiting to run
  Clock::time_point deadline = Clock::time_point::max();
  bool tls = false, reading = false, draining = false, timed_out = false, open = true;
  // Output made by a Wake while the loop reads, written by side_write(); `writing` while any write is under way
  // (one at a time on the stream), `write_timer` is cancelled when a side write ends.
  std::string side_out;
  bool writing = false;
  std::string tag;  // "smtp#12 1.2.3.4" for logs

  tcp::socket& socket() { return stream.next_layer(); }

  // Moves the deadline; an earlier one re-arms the watchdog, which may be sleeping until the old one.
  void set_deadline(Clock::time_point t) {
    deadline = t;
    if (t < deadline_timer.expiry()) deadline_timer.cancel();
  }

  template <class Buf>
  awaitable<std::size_t> read_some(Buf buf, boost::system::error_code& ec) {
    if (tls) co_return co_await stream.async_read_some(buf, asio::redirect_error(use_awaitable, ec));
    co_return co_await socket().async_read_some(buf, asio::redirect_error(use_awaitable, ec));
  }
  awaitable<void> write(const std::string& out) {
    if (tls)
      co_await asio::async_write(stream, asio::buffer(out), use_awaitable);
    else
      co_await asio::async_write(socket(), asio::buffer(out), use_awaitable);
  }
  void close() {
    open = false;
    boost::system::error_code ec;
    socket().shutdown(tcp::socket::shutdown_both, ec);
    socket().close(ec);
    deadline_timer.cancel();
    wake_timer.cancel();
    write_timer.cancel();
  }
};

namespace {

// Cancels the connection's I/O when its deadline passes; a second expiry (the goodbye write also stalled)
// closes it outright.
awaitable<void> watchdog(std::shared_ptr<Server::Conn> c) {
  boost::system::error_code ec;
  while (c->open) {
    c->deadline_timer.expires_at(c->deadline);
    co_await c->deadline_timer.async_wait(asio::redirect_error(use_awaitable, ec));
    if (!c->open) co_return;
    if (Clock::now() < c->deadline) continue;
    if (c->timed_out) {
      c->close();
      co_return;
    }
    c->timed_out = true;
    c->deadline = Clock::now() + std::chrono::seconds(10);
    c->socket().cancel(ec);
  }
}

// Writes what Wakes produced while the loop reads (see Wake in session.h), one write at a time.
awaitable<void> side_write(std::shared_ptr<Server::Conn> c, std::chrono::milliseconds write_timeout) {
  c->writing = true;
  const Clock::time_point read_deadline = c->deadline;  // the read's own, restored after
  try {
    while (c->open && !c->side_out.empty()) {
      std::string out = std::move(c->side_out);
      c->side_out.clear();
      if (c->deadline > Clock::now() + write_timeout) c->set_deadline(Clock::now() + write_timeout);
      co_await c->write(out);
    }
  } catch (const boost::system::system_error&) {
    c->close();  // the main loop's read fails next and ends the connection
  }
  if (c->open && c->reading) c->deadline = read_deadline;
  c->writing = false;
  c->write_timer.cancel();
}

// The contract of net/session.h: "VERSION CIPHER", e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384".
std::string tls_description(ssl::stream<tcp::socket>& s) {
  SSL* h = s.native_handle();
  return std::string(SSL_get_version(h)) + " " + SSL_get_cipher_name(h);
}

struct Timing {
  std::chrono::milliseconds idle, wait, write;
  std::size_t min_data_rate;
};

// Time that n bytes may take at the minimum data rate (Postfix smtpd_min_data_rate).
Clock::duration allowance(std::size_t n, std::size_t rate) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(n * 1'000'000'000ull / rate));
}

// One connection: pumps bytes between the socket and the session until the session closes, the peer goes, a
// deadline passes or the drain cuts it off.
awaitable<void> pump(std::shared_ptr<Server::Conn> c, bool implicit_tls, Timing t) {
  std::array<char, 16384> buf;
  std::string tls_desc;
  if (implicit_tls) {  // RFC 8314 §3: the handshake comes first; a failure throws and closes
    c->set_deadline(Clock::now() + t.write);
    co_await c->stream.async_handshake(ssl::stream_base::server, use_awaitable);
    c->tls = true;
    tls_desc = tls_description(c->stream);
  }
  c->session->start(std::move(tls_desc));
  bool shutdown_sent = false;
  bool new_request = true;  // the next read begins a request: its deadline starts then
  Clock::time_point request_deadline{};
  std::optional<Clock::time_point> wait_deadline;
  for (;;) {
    if (c->draining && !shutdown_sent) {
      shutdown_sent = true;  // once; then on as the session says, so a transfer in progress can finish
      c->session->shutdown();
    }
    std::string out = c->session->take_output();
    if (!out.empty()) {
      c->set_deadline(Clock::now() + t.write);
      if (c->writing) {  // a side write is under way: ours goes after it, in order
        c->side_out += out;
        boost::system::error_code ec;
        while (c->writing && c->open) {
          c->write_timer.expires_at(Clock::time_point::max());
          co_await c->write_timer.async_wait(asio::redirect_error(use_awaitable, ec));
        }
        if (!c->open) co_return;
      } else {
        c->writing = true;
        co_await c->write(out);
        c->writing = false;
      }
      new_request = true;
    }
    Step step = c->session->next_step();
    if (step == Step::write_more) continue;
    if (step != Step::wait) wait_deadline.reset();
    if (step == Step::close) co_return;
    if (step == Step::start_tls) {
      c->set_deadline(Clock::now() + t.write);
      boost::system::error_code ec;
      co_await c->stream.async_handshake(ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
      if (ec) {
        spdlog::info("{}: TLS handshake failed: {}", c->tag, ec.message());
        c->session->tls_failed();
        co_return;
      }
      c->tls = true;
      c->session->tls_ready(tls_description(c->stream));
      continue;
    }
    if (step == Step::wait) {  // our own work (the spool): no peer deadline, but a wait deadline
      if (!wait_deadline) wait_deadline = Clock::now() + t.wait;  // kept while the session goes on waiting
      c->set_deadline(Clock::time_point::max());
      boost::system::error_code ec;
      while (c->pending.empty() && c->open && Clock::now() < *wait_deadline) {
        c->wake_timer.expires_at(*wait_deadline);
        co_await c->wake_timer.async_wait(asio::redirect_error(use_awaitable, ec));
      }
      if (!c->open) co_return;
      if (c->pending.empty()) {
        spdlog::debug("{}: wait timeout", c->tag);
        wait_deadline.reset();
        c->session->wait_timeout();
        continue;
      }
      auto applies = std::move(c->pending);
      c->pending.clear();
      for (auto& apply : applies) apply();
      continue;
    }
    // Step::read
    if (c->draining && !shutdown_sent) continue;  // the drain came while we were busy: shutdown() first
    if (!c->pending.empty()) {  // Wakes that came while we wrote (IDLE news): run them before blocking in a read
      auto applies = std::move(c->pending);
      c->pending.clear();
      for (auto& apply : applies) apply();
      continue;
    }
    if (new_request || t.min_data_rate == 0) {
      request_deadline = Clock::now() + t.idle;
      new_request = false;
    }
    if (Clock::now() >= request_deadline) {  // spent before this read began
      c->session->idle_timeout();
      new_request = true;
      continue;
    }
    c->set_deadline(request_deadline);
    c->timed_out = false;
    boost::system::error_code ec;
    c->reading = true;
    std::size_t n = co_await c->read_some(asio::buffer(buf), ec);
    c->reading = false;
    if (ec == asio::error::operation_aborted || ec == asio::error::timed_out) {
      if (c->timed_out) {
        c->session->idle_timeout();
        new_request = true;
        continue;
      }
      if (c->draining) continue;  // cancelled by the drain: shutdown() at the top of the loop
      co_return;
    }
    if (ec) co_return;  // EOF, reset, TLS error
    if (t.min_data_rate) request_deadline += allowance(n, t.min_data_rate);
    c->session->receive(std::string_view(buf.data(), n));
  }
}

}  // namespace

Server::Server(ServerOptions opts, std::shared_ptr<ssl::context> tls)
    : opts_(opts),
      limiter_(opts.max_connections, opts.max_connections_per_ip),
      wake_gate_(std::make_shared<WakeGate>()),
      strand_(asio::make_strand(io_)),
      tls_(std::move(tls)),
      drain_timer_(strand_) {
  if (!tls_) tls_ = std::make_shared<ssl::context>(ssl::context::tls_server);
}

Server::~Server() {
  std::lock_guard lk(wake_gate_->mu);  // waits for a Wake that is posting right now
  wake_gate_->open = false;
}

void Server::set_tls(std::shared_ptr<ssl::context> tls) {
  std::lock_guard lk(tls_mu_);
  tls_ = std::move(tls);
}

core::Result<void> Server::listen(const ListenerSpec& spec) {
  auto l = std::make_unique<Listener>();
  l->spec = spec;
  for (const auto& addr : spec.addresses) {
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(addr, ec);
    if (ec) return core::make_error(core::Errc::invalid, spec.name + ": bad listen address '" + addr + "'");
    tcp::endpoint ep(ip, spec.port);
    auto acc = std::make_unique<tcp::acceptor>(strand_);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && ip.is_v6()) acc->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return core::make_error(core::Errc::unavailable,
                              spec.name + ": cannot listen on " + addr + " port " + std::to_string(spec.port) +
                                  ": " + ec.message());
    l->acceptors.push_back(std::move(acc));
  }
  listeners_.push_back(std::move(l));
  return {};
}

uint16_t Server::local_port(std::size_t li) const {
  boost::system::error_code ec;
  if (li >= listeners_.size() || listeners_[li]->acceptors.empty()) return 0;
  auto ep = listeners_[li]->acceptors.front()->local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::accept_loop(std::size_t li) {
  for (auto& acc : listeners_[li]->acceptors) {
    asio::co_spawn(
        strand_,
        [this, li, a = acc.get()]() -> awaitable<void> {
          for (;;) {
            boost::system::error_code ec;
            tcp::socket sock(asio::make_strand(io_));
            co_await a->async_accept(sock, asio::redirect_error(use_awaitable, ec));
            if (stopping_ || !a->is_open()) co_return;
            if (ec) {
              // EMFILE and friends: back off briefly instead of spinning.
              spdlog::warn("accept on {}: {}", listeners_[li]->spec.name, ec.message());
              asio::steady_timer t(strand_, std::chrono::milliseconds(100));
              co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
              continue;
            }
            start_connection(li, std::move(sock));
          }
        },
        asio::detached);
  }
}

// On strand_ (called by the accept loop).
void Server::start_connection(std::size_t li, tcp::socket sock) {
  const ListenerSpec& spec = listeners_[li]->spec;
  boost::system::error_code ec;
  auto remote = sock.remote_endpoint(ec);
  if (ec) return;
  auto local = sock.local_endpoint(ec);
  std::string ip = remote.address().to_string();
  if (remote.address().is_v6() && remote.address().to_v6().is_v4_mapped())
    ip = remote.address().to_v6().to_v4().to_string();
  auto ticket = limiter_.try_acquire(ip);
  if (!ticket) {
    spdlog::info("{} {}: connection limit reached, refused", spec.name, ip);
    auto s = std::make_shared<tcp::socket>(std::move(sock));
    asio::async_write(*s, asio::buffer(spec.busy_reply), [s](auto, auto) {
      boost::system::error_code e;
      s->shutdown(tcp::socket::shutdown_both, e);
      s->close(e);
    });
    return;
  }
  std::shared_ptr<ssl::context> ctx;
  {
    std::lock_guard lk(tls_mu_);
    ctx = tls_;
  }
  auto c = std::make_shared<Conn>(std::move(sock), std::move(ctx), std::move(*ticket));
  Peer peer{ip, remote.port(), local.address().to_string(), local.port(), next_id_++};
  c->tag = spec.name + "#" + std::to_string(peer.connection_id) + " " + ip;
  auto strand = c->stream.get_executor();
  // The Wake may be called, and is destroyed, on any thread and at any time, even after the Server is gone
  // (spool callbacks): so it holds no executor (destroying one touches its io_context), only weak references.
  Wake wake = [weak = std::weak_ptr<Conn>(c), gate = wake_gate_,
               write_timeout = opts_.write_timeout](std::function<void()> apply) {
    std::lock_guard lk(gate->mu);
    if (!gate->open) return;  // the server is gone
    auto c = weak.lock();
    if (!c) return;
    asio::post(c->stream.get_executor(), [weak, write_timeout, apply = std::move(apply)]() mutable {
      auto c = weak.lock();
      if (!c || !c->session) return;  // the connection is gone: the apply is dropped unrun
      c->pending.push_back(std::move(apply));
      c->wake_timer.cancel();
      if (!c->reading || !c->open) return;  // the loop runs it at its next step
      // The loop is blocked in a read (IDLE): run it now and write what it says without waiting for the peer.
      auto applies = std::move(c->pending);
      c->pending.clear();
      for (auto& a : applies) a();
      std::string out = c->session->take_output();
      if (out.empty()) return;
      c->side_out += out;
      if (!c->writing) asio::co_spawn(c->stream.get_executor(), side_write(c, write_timeout), asio::detached);
    });
  };
  c->session = spec.factory(peer, std::move(wake));
  conns_.insert(c);
  if (draining_) c->draining = true;  // accepted just before stop(): drained like the others
  Timing t{spec.idle_timeout, spec.wait_timeout, opts_.write_timeout, spec.min_data_rate};
  asio::co_spawn(strand, watchdog(c), asio::detached);
  asio::co_spawn(
      strand,
      [this, c, implicit_tls = spec.implicit_tls, t]() -> awaitable<void> {
        try {
          co_await pump(c, implicit_tls, t);
        } catch (const std::exception& e) {
          spdlog::debug("{}: {}", c->tag, e.what());
        }
        c->close();
        c->pending.clear();
        c->session.reset();  // on the strand, before anything else may run for it
        asio::post(strand_, [this, c] { connection_ended(c); });
      },
      asio::detached);
}

void Server::connection_ended(std::shared_ptr<Conn> c) {
  conns_.erase(c);
  if (draining_ && conns_.empty()) drain_timer_.cancel();  // the last one to go ends the drain
}

void Server::run() {
  for (std::size_t i = 0; i < listeners_.size(); ++i) accept_loop(i);
  unsigned n = opts_.threads ? opts_.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  if (stopping_.exchange(true)) return;
  asio::post(strand_, [this] {
    for (auto& l : listeners_)
      for (auto& a : l->acceptors) {
        boost::system::error_code ec;
        a->close(ec);
      }
    draining_ = true;
    for (auto& c : conns_)
      asio::post(c->stream.get_executor(), [c] {
        c->draining = true;
        boost::system::error_code ec;
        if (c->reading) c->socket().cancel(ec);  // the loop calls shutdown() and reads on as the session says
      });
    // Whatever has not finished by the drain deadline is cut off; the last connection to go cancels the timer.
    drain_timer_.expires_after(opts_.drain_timeout);
    drain_timer_.async_wait([this](boost::system::error_code ec) {  // runs on strand_, the timer's executor
      if (ec) return;
      if (!conns_.empty()) {
        spdlog::warn("drain timeout: closing {} connections", conns_.size());
        io_.stop();
      }
    });
    if (conns_.empty()) drain_timer_.cancel();
  });
}

}  // namespace axon::net
