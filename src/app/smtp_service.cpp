// The SMTP adapter: smtp::ServerSession behind net::Session, its SpoolMessage actions submitted to queue::Spool
// (answers tagged with the message's sequence number, applied on the connection's strand), and the optional
// communication log. Security: passes the peer's untrusted bytes to the session; logs no message data.
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
    if (opts.transcripts) transcript_ = opts.transcripts->open(peer.ip, peer.connection_id, "IN", clock.now());
  }

  ~SmtpAdapter() override {
    if (cancel_) *cancel_ = true;  // the client is gone: a message not yet written is not written at all
    write_log();
  }

  void start(std::string tls_description) override {
    if (transcript_) {
      transcript_->note("connection from " + peer_.ip + " port " + std::to_string(peer_.port));
      if (!tls_description.empty()) transcript_->note("TLS established: " + tls_description);
    }
    session_.start(std::move(tls_description));
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
  void wait_timeout() override {
    spdlog::warn("{}: no answer from the spool in time, 451 sent", peer_.ip);
    if (cancel_) *cancel_ = true;
    session_.on_wait_timeout();
  }
  void shutdown() override { session_.on_shutdown(); }

  std::string take_output() override {
    write_log();
    return session_.take_output();
  }

  net::Step next_step() override {
    auto action = session_.next_action();
    if (!action) {
      if (session_.closed()) return net::Step::close;
      // Still waiting for the spool: e.g. a stale answer (after a wait timeout) was just applied and ignored.
      return session_.phase() == smtp::Phase::wait_spool ? net::Step::wait : net::Step::read;
    }
    if (std::holds_alternative<smtp::StartTls>(*action)) return net::Step::start_tls;
    if (std::holds_alternative<smtp::Close>(*action)) return net::Step::close;
    auto& sm = std::get<smtp::SpoolMessage>(*action);
    // The callback runs on the spool's writer thread, possibly after this connection is gone: it touches nothing
    // of the adapter there. Its apply runs on the connection's strand, and only while the connection (which owns
    // this adapter) lives: Wake holds the connection weakly and drops the apply once it is gone (net/session.h).
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    spool_.submit(std::move(sm.envelope), std::move(sm.data), [self = this, wake = wake_, seq = sm.seq,
                                                               ip = peer_.ip](core::Result<std::string> r) {
      smtp::SpoolResult res;
      res.seq = seq;
      if (r) {
        res.ok = true;
        res.queue_id = *r;
      } else {
        spdlog::error("{}: spool: {}", ip, r.error().detail);
        res.error = r.error().code;
      }
      wake([self, res = std::move(res)] {
        if (res.ok) spdlog::debug("{} queued {}", self->peer_.ip, res.queue_id);
        self->session_.on_spooled(res);  // ignored if stale (the session matches res.seq)
      });
    }, cancel_);
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

  SpoolBuffers buffers_;
  queue::Spool::Cancel cancel_;  // of the message the session waits for
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
