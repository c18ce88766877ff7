// Fuzzes a whole pop3::Session over an in-memory mail store: arbitrary bytes in pseudo-random splits, pumped as
// the network driver does (Step::write_more: take output again; Step::wait: run the Wake's applies), logins and syncs
// answered at once, failing, or late after a wait timeout; small limits so that every limit path is reached.
// Checks: output comes in whole CRLF lines whenever the session reads, waits or closes; no piece of output is
// much bigger than the chunk; a Step::write_more always makes progress; only messages the client marked with DELE are
// ever expunged, and only at QUIT; after an idle timeout the session is closed.
// Byte 0 = flags (bit0 implicit TLS, bit1 allow_plaintext, bit2 remote peer, bit3 logins answered late after a
// wait timeout (every other one), bit4 syncs fail, bit5 shutdown() halfway, bit6 reads of message 2 fail), byte 1 = split seed.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <set>
#include <string>
#include <string_view>

#include "pop3/session.h"

using namespace axon;

namespace {

core::Error unsupported() { return core::make_error(core::Errc::permanent, "fuzz: unsupported"); }

// One account ("alice@example.org", id 1) with one INBOX (id 1) of a few messages, data in memfd files.
class MemoryStore final : public store::MailStore {
 public:
  struct Msg {
    uint32_t uid;
    std::string data;
    uint32_t flags = 0;
  };
  std::vector<Msg> msgs{{1, "Subject: one\r\n\r\nbody\r\n"},
                        {2, "Subject: two\r\n\r\n.dot\r\n..two dots\r\n.\r\nno end"},
                        {3, ""},
                        {5, "From: x\nbare: lf\n\n.line\nmore\n"}};
  std::set<uint32_t> dele;  // what the client marked (told by the harness), the only UIDs expunge may remove
  bool quit_seen = false;
  bool fail_read_2 = false;

  core::Result<store::AccountId> account_id(std::string_view) override { return store::AccountId{1}; }
  core::Result<std::string> account_address(store::AccountId) override { return std::string("alice@example.org"); }
  core::Result<std::vector<store::MailboxInfo>> mailboxes(store::AccountId) override { return unsupported(); }
  core::Result<store::MailboxInfo> mailbox(store::AccountId a, std::string_view) override {
    store::MailboxInfo m;
    m.id = store::MailboxId{1};
    m.account = a;
    m.name = "INBOX";
    m.uidvalidity = 1700000000;
    return m;
  }
  core::Result<store::MailboxInfo> mailbox(store::MailboxId) override { return unsupported(); }
  core::Result<store::MailboxId> create_mailbox(store::AccountId, std::string_view, std::string_view) override {
    return unsupported();
  }
  core::Result<void> delete_mailbox(store::MailboxId) override { return unsupported(); }
  core::Result<void> rename_mailbox(store::MailboxId, std::string_view) override { return unsupported(); }
  core::Result<void> subscribe(store::AccountId, std::string_view, bool) override { return unsupported(); }
  core::Result<std::vector<std::string>> subscriptions(store::AccountId) override { return unsupported(); }
  core::Result<std::vector<store::MessageInfo>> messages(store::MailboxId, uint32_t) override {
    std::vector<store::MessageInfo> out;
    for (const auto& m : msgs) {
      store::MessageInfo i;
      i.uid = m.uid;
      i.size = m.data.size();
      i.flags = m.flags;
      out.push_back(i);
    }
    return out;
  }
  core::Result<std::vector<store::MessageInfo>> changed_since(store::MailboxId, uint64_t) override {
    return unsupported();
  }
  core::Result<Vanished> vanished_since(store::MailboxId, uint64_t) override { return unsupported(); }
  core::Result<store::OpenMessage> open_message(store::MailboxId, uint32_t uid) override {
    for (const auto& m : msgs) {
      if (m.uid != uid) continue;
      store::OpenMessage o;
      o.fd = ::memfd_create("pop3-fuzz", MFD_CLOEXEC);
      if (o.fd < 0) return core::make_error(core::Errc::temporary, "memfd");
      // Message 2 may be "shorter than recorded": a read error in the middle of a RETR.
      std::string_view d = m.data;
      if (uid == 2 && fail_read_2) d = d.substr(0, d.size() / 2);
      if (!d.empty() && ::write(o.fd, d.data(), d.size()) != static_cast<ssize_t>(d.size())) std::abort();
      o.size = m.data.size();
      return o;
    }
    return core::make_error(core::Errc::not_found, "no such message");
  }
  core::Result<void> save_summary(store::MailboxId, uint32_t, std::string_view) override { return {}; }
  core::Result<store::FlagResult> set_flags(store::MailboxId, std::span<const uint32_t> uids,
                                            const store::FlagChange& c) override {
    if (!quit_seen) std::abort();  // flags change only in the UPDATE state
    for (uint32_t u : uids) {
      if (c.flags & store::deleted && c.op == store::FlagOp::add && !dele.count(u)) std::abort();
      for (auto& m : msgs)
        if (m.uid == u) m.flags = c.op == store::FlagOp::remove ? (m.flags & ~c.flags) : (m.flags | c.flags);
    }
    return store::FlagResult{};
  }
  core::Result<std::vector<uint32_t>> expunge(store::MailboxId,
                                              std::optional<std::span<const uint32_t>> uids) override {
    if (!quit_seen || !uids) std::abort();
    for (uint32_t u : *uids)
      if (!dele.count(u)) std::abort();  // never a message the client did not mark
    return std::vector<uint32_t>(uids->begin(), uids->end());
  }
  core::Result<store::CopyResult> copy(store::MailboxId, std::span<const uint32_t>, store::MailboxId,
                                       bool) override {
    return unsupported();
  }
  core::Result<store::AppendResult> append(store::MailboxId, const store::AppendData&) override {
    return unsupported();
  }
  std::unique_ptr<store::Watch> watch(store::AccountId, store::WatchCallback) override { return nullptr; }
  std::vector<core::Result<store::DeliveryOutcome>> deliver(std::span<const store::Delivery>) override { return {}; }
  core::Result<void> sync() override { return {}; }
};

struct Auth final : auth::Authenticator {
  bool late = false;  // every other login is answered only after a wait timeout
  int logins = 0;
  std::vector<std::pair<auth::Credentials, auth::LoginDone>> held;
  void login(auth::Credentials c, auth::LoginDone done) override {
    if (late && ++logins % 2 == 1) {
      held.emplace_back(std::move(c), std::move(done));
      return;
    }
    answer(c, done);
  }
  static void answer(const auth::Credentials& c, const auth::LoginDone& done) {
    if (c.password == "secret") done(auth::LoginOk{store::AccountId{1}, "alice@example.org"});
    else if (c.password == "busy") done(core::make_error(core::Errc::temporary, "busy"));
    else done(core::make_error(core::Errc::permanent, "bad"));
  }
};

struct Sync final : store::SyncService {
  bool fail = false;
  void request(std::function<void(core::Result<void>)> done) override {
    if (fail) done(core::make_error(core::Errc::temporary, "sync failed"));
    else done(core::Result<void>());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  pop3::SessionConfig cfg;
  cfg.hostname = "pop.example.org";
  cfg.tls_available = true;
  cfg.allow_plaintext = data[0] & 2;
  cfg.max_line = 64;
  cfg.max_auth_line = 128;
  cfg.max_bad_commands = 40;
  cfg.max_auth_failures = 4;
  cfg.output_chunk = 256;
  MemoryStore store;
  store.fail_read_2 = data[0] & 64;
  Auth auth;
  auth.late = data[0] & 8;
  Sync sync;
  sync.fail = data[0] & 16;
  std::deque<std::function<void()>> applies;
  net::Wake wake = [&applies](std::function<void()> a) { applies.push_back(std::move(a)); };
  net::Peer peer{(data[0] & 4) ? "192.0.2.1" : "127.0.0.1", 4000, "127.0.0.1", 110, 1};
  pop3::Session s(cfg, store, auth, sync, peer, wake);
  s.start((data[0] & 1) ? "TLSv1.3 TLS_AES_256_GCM_SHA384" : "");

  std::string pending;  // output not yet ended by CRLF
  net::Step step = net::Step::read;
  auto pump = [&] {
    bool after_write = false;
    for (int guard = 0; guard < 100000; ++guard) {
      std::string out = s.take_output();
      if (out.size() > 2 * cfg.output_chunk + 256) std::abort();  // made in pieces, never all at once
      step = s.next_step();
      if (after_write && out.empty() && step == net::Step::write_more) std::abort();  // no progress: the driver spins
      pending += out;
      after_write = step == net::Step::write_more;
      if (step == net::Step::write_more) continue;
      if (step == net::Step::start_tls) {
        s.tls_ready("TLSv1.3 TLS_AES_256_GCM_SHA384");
        continue;
      }
      if (step == net::Step::wait) {
        if (applies.empty() && !auth.held.empty()) {
          s.wait_timeout();  // the login is late; its answer comes afterwards and must be ignored
          for (auto& [c, done] : auth.held) Auth::answer(c, done);
          auth.held.clear();
          continue;
        }
        if (applies.empty()) std::abort();  // waiting for nothing
        auto a = std::move(applies);
        applies.clear();
        for (auto& f : a) f();
        continue;
      }
      // read or close: the output so far is whole lines (a closed session may have cut a RETR short)
      if (step == net::Step::read && !pending.empty() &&
          (pending.size() < 2 || pending.compare(pending.size() - 2, 2, "\r\n") != 0))
        std::abort();
      pending.clear();
      return;
    }
    std::abort();  // never settled
  };
  pump();

  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  uint32_t seed = data[1] | 1u;
  std::size_t pos = 0;
  bool shutdown_sent = false;
  std::string line;  // the client's current line, upper-cased, as far as the harness follows it
  while (pos < in.size() && step != net::Step::close) {
    if ((data[0] & 32) && !shutdown_sent && pos >= in.size() / 2) {
      shutdown_sent = true;
      s.shutdown();
      pump();
      if (step == net::Step::close) break;
    }
    seed = seed * 1103515245u + 12345u;
    std::size_t n = std::min<std::size_t>(in.size() - pos, 1 + (seed >> 16) % 64);
    std::string_view piece = in.substr(pos, n);
    pos += n;
    // Tell the store what the client marks (a superset: what the session might accept as DELE), so that it can
    // check that nothing else is ever expunged.
    for (char c : piece) {
      if (c != '\n') {
        if (line.size() < 512) line.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
        continue;
      }
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.starts_with("DELE ")) {
        std::string_view arg = std::string_view(line).substr(5);
        while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
        arg = arg.substr(0, arg.find(' '));
        while (arg.size() > 1 && arg.front() == '0') arg.remove_prefix(1);
        if (arg.size() == 1 && arg[0] >= '1' && arg[0] <= '0' + static_cast<int>(store.msgs.size()))
          store.dele.insert(store.msgs[static_cast<std::size_t>(arg[0] - '1')].uid);
      }
      if (line.starts_with("QUIT")) store.quit_seen = true;
      line.clear();
    }
    s.receive(piece);
    pump();
  }
  if (step != net::Step::close) {
    s.idle_timeout();
    pump();
    if (step != net::Step::close) std::abort();
  }
  return 0;
}
