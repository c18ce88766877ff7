#include "app/smtp_service.h"

#include <spdlog/spdlog.h>

#include "log/transcript.h"

namespace axon::app {

namespace {

class SmtpAdapter final : public net::Session {
 public:
  SmtpAdapter(const SmtpServiceOptions& opts, const DirectoryCache& dir, queue::Spool& spool,
              const core::Clock& clock, const net::Peer& peer, net::Wake wake)
      : session_(opts.session, dir, clock, smtp::PeerInfo{peer.ip, peer.port, {}}),
        spool_(spool),
        wake_(std::move(wake)),
        peer_(peer) {
    if (opts.transcripts) transcript_ = opts.transcripts->open(peer.ip, peer.connection_id, "IN", clock.now());
  }

  ~SmtpAdapter() override { write_log(); }

  void start() override {
    if (transcript_) transcript_->note("connection from " + peer_.ip + " port " + std::to_string(peer_.port));
    session_.start();
  }
  void receive(std::string_view bytes) override { session_.receive(bytes); }
  void tls_ready(std::string description) override {
    write_log();
    if (transcript_) transcript_->note("TLS established: " + description);
    session_.on_tls_ready(std::move(description));
  }
  void tls_failed() override {
    write_log();
    if (transcript_) transcript_->note("TLS handshake failed");
    session_.on_tls_failed();
  }
  void idle_timeout() override { session_.on_idle_timeout(); }
  void shutdown() override { session_.on_shutdown(); }

  std::string take_output() override {
    write_log();
    return session_.take_output();
  }

  net::Step next_step() override {
    auto action = session_.next_action();
    if (!action) return session_.closed() ? net::Step::close : net::Step::read;
    if (std::holds_alternative<smtp::StartTls>(*action)) return net::Step::start_tls;
    if (std::holds_alternative<smtp::Close>(*action)) return net::Step::close;
    auto& sm = std::get<smtp::SpoolMessage>(*action);
    core::Message msg;
    msg.envelope = std::move(sm.envelope);
    msg.data = std::move(sm.data);
    // The callback runs on the spool's writer thread; the result is applied on this connection's strand.
    spool_.submit(std::move(msg), [this, wake = wake_](core::Result<std::string> r) {
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
  // The session's log events since the last call, in its order (taken even without a file, so none pile up).
  void write_log() {
    auto events = session_.take_transcript();
    if (!transcript_ || events.empty()) return;
    for (const auto& e : events) {
      switch (e.kind) {
        case smtp::TranscriptEvent::Kind::client: transcript_->client(e.text); break;
        case smtp::TranscriptEvent::Kind::server: transcript_->server(e.text); break;
        case smtp::TranscriptEvent::Kind::data: transcript_->message_data(e.octets); break;
        case smtp::TranscriptEvent::Kind::note: transcript_->note(e.text); break;
      }
    }
    transcript_->flush();
  }

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
