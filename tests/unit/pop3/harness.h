// Test doubles and a driver for pop3::Session without sockets: a real embedded store in a temporary folder
// (wrapped so that chosen operations fail), an Authenticator and a SyncService that answer at once or when
// released, and a Driver that pumps the session as net::Server does (take_output, next_step; Step::write_more: take
// output again; Step::wait: run the Wake's applies).
// Accounts: alice@example.org (password "secret") and bob@example.org ("hunter2").
#pragma once

#include "../common/transcript_text.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "../store/temp_dir.h"
#include "core/clock.h"
#include "pop3/session.h"
#include "store/store.h"

namespace axon::pop3::test {

inline constexpr const char* kTlsDescription = "TLSv1.3 TLS_AES_256_GCM_SHA384";

class FakeAuth final : public auth::Authenticator {
 public:
  explicit FakeAuth(store::MailStore& s) : store_(s) {}
  void login(auth::Credentials c, auth::LoginDone done) override;
  // Answers the held logins (hold = true), in order.
  void release();
  bool hold = false;
  std::optional<core::Errc> fail_next;  // the next answer is this error, whatever the password
  std::vector<std::string> usernames;   // every login asked, in order
  std::size_t held() const { return held_.size(); }

 private:
  core::Result<auth::LoginOk> answer(const auth::Credentials& c);
  store::MailStore& store_;
  std::vector<std::pair<auth::Credentials, auth::LoginDone>> held_;
};

class FakeSync final : public store::SyncService {
 public:
  explicit FakeSync(store::MailDelivery& s) : store_(s) {}
  void request(std::function<void(core::Result<void>)> done) override;
  void release();
  bool hold = false;
  std::optional<core::Errc> fail_next;
  std::size_t requests = 0;

 private:
  store::MailDelivery& store_;
  std::vector<std::function<void(core::Result<void>)>> held_;
};

// Forwards to a real store; the operations named fail with Errc::temporary.
class FlakyStore final : public store::MailStore {
 public:
  explicit FlakyStore(store::Store*& s) : s_(s) {}
  bool fail_set_flags = false, fail_expunge = false, fail_open = false, fail_messages = false;

  core::Result<store::AccountId> account_id(std::string_view a) override { return s_->account_id(a); }
  core::Result<std::string> account_address(store::AccountId a) override { return s_->account_address(a); }
  core::Result<std::vector<store::MailboxInfo>> mailboxes(store::AccountId a) override { return s_->mailboxes(a); }
  core::Result<store::MailboxInfo> mailbox(store::AccountId a, std::string_view n) override {
    return s_->mailbox(a, n);
  }
  core::Result<store::MailboxInfo> mailbox(store::MailboxId id) override { return s_->mailbox(id); }
  core::Result<store::MailboxId> create_mailbox(store::AccountId a, std::string_view n, std::string_view u) override {
    return s_->create_mailbox(a, n, u);
  }
  core::Result<void> delete_mailbox(store::MailboxId id) override { return s_->delete_mailbox(id); }
  core::Result<void> rename_mailbox(store::MailboxId id, std::string_view n) override {
    return s_->rename_mailbox(id, n);
  }
  core::Result<void> subscribe(store::AccountId a, std::string_view n, bool on) override {
    return s_->subscribe(a, n, on);
  }
  core::Result<std::vector<std::string>> subscriptions(store::AccountId a) override { return s_->subscriptions(a); }
  core::Result<std::vector<store::MessageInfo>> messages(store::MailboxId id, uint32_t from) override {
    if (fail_messages) return core::make_error(core::Errc::temporary, "test: messages fails");
    return s_->messages(id, from);
  }
  core::Result<std::vector<store::MessageInfo>> changed_since(store::MailboxId id, uint64_t m) override {
    return s_->changed_since(id, m);
  }
  core::Result<Vanished> vanished_since(store::MailboxId id, uint64_t m) override { return s_->vanished_since(id, m); }
  core::Result<store::OpenMessage> open_message(store::MailboxId id, uint32_t uid) override {
    if (fail_open) return core::make_error(core::Errc::temporary, "test: open fails");
    return s_->open_message(id, uid);
  }
  core::Result<void> save_summary(store::MailboxId id, uint32_t uid, std::string_view s) override {
    return s_->save_summary(id, uid, s);
  }
  core::Result<store::FlagResult> set_flags(store::MailboxId id, std::span<const uint32_t> u,
                                            const store::FlagChange& c) override {
    if (fail_set_flags && c.op == store::FlagOp::add) return core::make_error(core::Errc::temporary, "test");
    return s_->set_flags(id, u, c);
  }
  core::Result<std::vector<uint32_t>> expunge(store::MailboxId id,
                                              std::optional<std::span<const uint32_t>> u) override {
    if (fail_expunge) return core::make_error(core::Errc::temporary, "test: expunge fails");
    return s_->expunge(id, u);
  }
  core::Result<store::CopyResult> copy(store::MailboxId f, std::span<const uint32_t> u, store::MailboxId t,
                                       bool m) override {
    return s_->copy(f, u, t, m);
  }
  core::Result<store::AppendResult> append(store::MailboxId id, const store::AppendData& m) override {
    return s_->append(id, m);
  }
  std::unique_ptr<store::Watch> watch(store::AccountId a, store::WatchCallback cb) override {
    return s_->watch(a, std::move(cb));
  }
  std::vector<core::Result<store::DeliveryOutcome>> deliver(std::span<const store::Delivery> b) override {
    return s_->deliver(b);
  }
  core::Result<void> sync() override { return s_->sync(); }

 private:
  store::Store*& s_;
};

// A store with the two accounts; messages delivered to alice's INBOX and published.
struct Fixture {
  Fixture();
  void reopen();  // closes and opens the store again (a restart)
  uint32_t deliver(std::string_view data, const std::string& account = "alice@example.org");
  std::vector<store::MessageInfo> inbox(const std::string& account = "alice@example.org");
  std::string read(uint32_t uid, const std::string& account = "alice@example.org");

  axon::test::TempDir dir{"axon-pop3-test-"};
  core::FakeClock clock;
  std::unique_ptr<store::Store> owned;
  store::Store* raw = nullptr;
  FlakyStore store{raw};
  FakeAuth auth{store};
  FakeSync sync{store};
  int keys = 0;
};

inline net::Peer loopback_peer() { return net::Peer{"127.0.0.1", 40000, "127.0.0.1", 110, 1}; }
inline net::Peer remote_peer() { return net::Peer{"192.0.2.1", 40000, "198.51.100.25", 110, 2}; }

// Pumps a session as net::Server's loop does. Wake applies queue up (from any thread) and run when the session
// waits; those still queued when the Driver (and its session) goes are dropped, as the real Wake drops them.
class Driver {
 public:
  Driver(Fixture& f, SessionConfig cfg, net::Peer peer = loopback_peer(), std::string implicit_tls = {});
  ~Driver();
  // Feeds bytes in one receive(), then pumps; returns the output.
  std::string send(std::string_view bytes);
  // take_output/next_step until the session reads, closes, asks for TLS, or waits with no apply queued.
  std::string pump();
  // Blocks (up to 5 s) until an apply is queued, then pumps.
  std::string wait_and_pump();
  Session& session() { return *session_; }
  net::Step step = net::Step::read;  // after the last pump
  std::size_t largest_output = 0;    // the largest take_output() seen
  std::size_t write_steps = 0;       // Step::write_more seen
  std::string greeting;

 private:
  struct Queue {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> applies;
  };
  std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
  std::unique_ptr<Session> session_;
};

// Logs alice in over a Driver (loopback peer): USER/PASS, asserting "+OK Logged in.".
void login(Driver& d, const std::string& user = "alice@example.org", const std::string& password = "secret");

using axon::test::printable;

}  // namespace axon::pop3::test
