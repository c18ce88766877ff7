// The POP3 adapter: pop3::Session behind net::Session, with one log line when the session ends (as Dovecot's
// "Disconnected: Logged out top=0/0, retr=1/1234, del=1/3, size=5678"). Security: passes the peer's untrusted
// bytes to the session; logs no message data and no password, the account's address only after its login.
#include "app/pop3_service.h"

#include <spdlog/spdlog.h>

namespace axon::app {

namespace {

class Pop3Adapter final : public net::Session {
 public:
  Pop3Adapter(const Pop3ServiceOptions& opts, store::MailStore& store, auth::Authenticator& auth,
              store::SyncService& sync, const net::Peer& peer, net::Wake wake)
      : session_(opts.session, store, auth, sync, peer, std::move(wake)), peer_(peer) {}

  ~Pop3Adapter() override {
    const auto& s = session_.summary();
    if (s.user.empty()) {
      spdlog::debug("pop3#{} {}: disconnected before login", peer_.connection_id, peer_.ip);
      return;
    }
    spdlog::info("pop3#{} {} {}: {} top={}, retr={}/{}, del={}/{}, size={}{}", peer_.connection_id, peer_.ip,
                 s.user, s.quit ? "logged out" : "disconnected", s.top, s.retr, s.retr_bytes, s.deleted,
                 s.messages, s.bytes, s.quit && !s.updated ? " (update failed: nothing removed or unconfirmed)" : "");
  }

  void start(std::string tls_description) override { session_.start(std::move(tls_description)); }
  void receive(std::string_view bytes) override { session_.receive(bytes); }
  void tls_ready(std::string description) override { session_.tls_ready(std::move(description)); }
  void tls_failed() override { session_.tls_failed(); }
  void idle_timeout() override { session_.idle_timeout(); }
  void wait_timeout() override {
    spdlog::warn("pop3#{} {}: no answer from {} in time", peer_.connection_id, peer_.ip,
                 session_.phase() == pop3::Phase::update ? "the store's sync" : "the login service");
    session_.wait_timeout();
  }
  void shutdown() override { session_.shutdown(); }
  std::string take_output() override {
    std::string out = session_.take_output();
    if (!login_logged_ && !session_.summary().user.empty()) {
      login_logged_ = true;
      spdlog::info("pop3#{} {}: {} logged in, {} messages", peer_.connection_id, peer_.ip,
                   session_.summary().user, session_.summary().messages);
    }
    return out;
  }
  net::Step next_step() override { return session_.next_step(); }

 private:
  pop3::Session session_;
  net::Peer peer_;
  bool login_logged_ = false;
};

}  // namespace

net::SessionFactory make_pop3_factory(const Pop3ServiceOptions& opts, store::MailStore& store,
                                      auth::Authenticator& auth, store::SyncService& sync) {
  return [&opts, &store, &auth, &sync](const net::Peer& peer, net::Wake wake) {
    return std::make_unique<Pop3Adapter>(opts, store, auth, sync, peer, std::move(wake));
  };
}

}  // namespace axon::app
