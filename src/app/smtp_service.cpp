#include "app/smtp_service.h"

#include <spdlog/spdlog.h>

#include "log/transcript.h"

namespace axon::app {

namespace {

// Each transaction's data streams into a spool intake buffer (memory under the server-wide budget, else a spill
// file); nullptr while too much data is in flight, which the session answers with 452 4.3.1.
class SpoolBuffers final : public core::MessageBuffers {
 public:
  explicit SpoolBuffers(queue::Spool& spool) : spool_(spool) {}
  std::unique_ptr<core::MessageBuffer> begin() override { return spool_.begin_message(); }

 private:
  queue::Spool& spool_;
};

class SmtpAdapter final : public net::Session {
 public:
  SmtpAdapter(const SmtpServiceOptions& opts, const DirectoryCache& dir, queue::Spool& spool,
              const core::Clock& clock, const net::Peer& peer, net::Wake wake)
      : buffers_(spool),
        session_(opts.session, dir, buffers_, clock, smtp::PeerInfo{peer.ip, peer.port, {}}),
        spool_(spool),
        wake_(std::move(wake)),
        peer_(peer) {
    if (opts.transcripts)
      transcript_ = log::Transcript::open(opts.transcript_dir, peer.ip, peer.connection_id, "IN",
                                          opts.transcript_max_bytes, clock.now());
  }

  void start() override {
    if (transcript_) transcript_->note("connection from " + peer_.ip + " port " + std::to_string(peer_.port));
    session_.start();
  }
  void receive(std::string_view bytes) override {
    if (transcript_) transcript_->client(bytes);
    session_.receive(bytes);
  }
  void tls_ready(std::string description) override {
    if (transcript_) transcript_->note("TLS established: " + description);
    session_.on_tls_ready(std::move(description));
  }
  void tls_failed() override {
    if (transcript_) transcript_->note("TLS handshake failed");
    session_.on_tls_failed();
  }
  void idle_timeout() override { session_.on_idle_timeout(); }
  void shutdown() override { session_.on_shutdown(); }

  std::string take_output() override {
    std::string out = session_.take_output();
    if (transcript_ && !out.empty()) transcript_->server(out);
    return out;
  }

  net::Step next_step() override {
    auto action = session_.next_action();
    if (!action) return session_.closed() ? net::Step::close : net::Step::read;
    if (std::holds_alternative<smtp::StartTls>(*action)) return net::Step::start_tls;
    if (std::holds_alternative<smtp::Close>(*action)) return net::Step::close;
    auto& sm = std::get<smtp::SpoolMessage>(*action);
    // The callback runs on the spool's writer thread; the result is applied on this connection's strand.
    spool_.submit(std::move(sm.envelope), std::move(sm.data), [this, wake = wake_](core::Result<std::string> r) {
      smtp::SpoolResult res;
      if (r) {
        res.ok = true;
        res.queue_id = *r;
      } else {
        spdlog::error("spool: {}", r.error().detail);
        res.error = r.error().code;
      }
      wake([this, res = std::move(res)] {
        if (res.ok) spdlog::debug("{} queued {}", peer_.ip, res.queue_id);
        session_.on_spooled(res);
      });
    });
    return net::Step::wait;
  }

 private:
  SpoolBuffers buffers_;
  smtp::ServerSession session_;
  queue::Spool& spool_;
  net::Wake wake_;
  net::Peer peer_;
  std::unique_ptr<log::Transcript> transcript_;
};

}  // namespace

net::SessionFactory make_smtp_factory(const SmtpServiceOptions& opts, const DirectoryCache& directory,
                                      queue::Spool& spool, const core::Clock& clock) {
  return [&opts, &directory, &spool, &clock](const net::Peer& peer, net::Wake wake) {
    return std::make_unique<SmtpAdapter>(opts, directory, spool, clock, peer, std::move(wake));
  };
}

}  // namespace axon::app
