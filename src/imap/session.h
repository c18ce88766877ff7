// imap::Session — an IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) server session behind net::Session. Bytes go
// through the Framer and parse_command(); each command is handled by the file of its group (cmd_*.cpp). The
// session reads the store directly (short SQLite reads on the connection's strand) and waits only for a login
// (auth::Authenticator) and for a durable point after a change (store::SyncService), both answered through Wake.
// Long responses (FETCH of big messages) are produced a piece at a time (Step::write_more). The store's watch()
// wakes a selected session when its mailbox changes, so IDLE hears of a delivery at once.
// Thread-safety: every call on the connection's strand (net/session.h); the watch callback only posts a Wake.
// Security: the peer is untrusted before and after login: every buffer is bounded (framer limits, output chunks,
// APPEND spilled to an unlinked file); passwords are not kept after the login; nothing from the client is logged.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth/authenticator.h"
#include "imap/command.h"
#include "imap/compress.h"
#include "imap/framer.h"
#include "imap/mailbox_view.h"
#include "imap/parser.h"
#include "net/session.h"
#include "store/group_sync.h"
#include "store/mail_store.h"

namespace axon::imap {

// Sessions per account and peer address across all connections (imap.max_user_connections). Thread-safe.
class UserConnections {
 public:
  explicit UserConnections(std::size_t limit) : limit_(limit) {}
  bool acquire(const std::string& key);
  void release(const std::string& key);

 private:
  std::size_t limit_;
  std::mutex mu_;
  std::unordered_map<std::string, std::size_t> count_;
};

struct SessionConfig {
  std::string hostname = "localhost";
  bool tls_available = true;      // STARTTLS offered (a certificate is configured)
  bool allow_plaintext = false;   // passwords without TLS from non-loopback peers (auth.allow_plaintext)
  FramerLimits limits;            // max_line, max_message_literal = APPENDLIMIT
  std::size_t max_bad_commands = 20;  // then BYE (Dovecot closes after too many invalid commands)
  std::string temp_dir = "/tmp";  // big APPEND data is spilled here (an unlinked O_TMPFILE)
  std::size_t append_memory = 1u << 20;  // an APPEND message up to this stays in memory
  UserConnections* user_connections = nullptr;  // none: no limit
};

class Session final : public net::Session {
 public:
  Session(const SessionConfig& cfg, store::MailStore& store, auth::Authenticator& auth, store::SyncService& sync,
          const net::Peer& peer, net::Wake wake);
  ~Session() override;

  void start(std::string tls_description) override;
  void receive(std::string_view bytes) override;
  void tls_ready(std::string description) override;
  void tls_failed() override;
  void idle_timeout() override;
  void wait_timeout() override;
  void shutdown() override;
  std::string take_output() override;
  net::Step next_step() override;

  // For tests: the state, and whether the session waits for a login or a durable point.
  enum class State { not_authenticated, authenticated, selected, logout };
  State state() const { return state_; }

  // A piece of a response: text, or a range of an open message streamed from its file.
  struct Piece {
    std::string text;
    std::shared_ptr<store::OpenMessage> file;
    uint64_t offset = 0, length = 0;
  };

 private:
  // -- the loop (session.cpp) --
  void process();
  void handle(Command cmd);
  void bad(const std::string& tag, const std::string& reason);
  void tagged(const std::string& tag, const std::string& status, const std::string& text);
  void untagged(const std::string& line) { out_ += "* " + line + "\r\n"; }
  std::string capabilities() const;
  bool secure() const;  // TLS, or a loopback peer
  // Asks for a durable point, then runs `then(ok)` on the strand (busy meanwhile).
  void after_sync(std::function<void(bool ok)> then);
  void go_async();
  void resume(uint64_t seq, std::function<void()> f);
  void refresh(bool allow_expunge);  // news of the selected mailbox as untagged responses
  void watch_account();
  void store_error(const std::string& tag, const core::Error& e);

  // -- commands by group --
  void cmd_any(Command& c);        // cmd_auth.cpp: CAPABILITY, NOOP, LOGOUT, ID, ENABLE
  void cmd_login(Command& c);      // cmd_auth.cpp: STARTTLS, LOGIN, AUTHENTICATE
  void auth_line(std::string_view line);
  void auth_cancel();
  // Hands the credentials to the Authenticator (the password is wiped here) and waits for logged_in().
  void start_login(const std::string& tag, const std::string& user, std::string& password);
  void logged_in(const std::string& tag, const core::Result<auth::LoginOk>& r);
  void cmd_select(Command& c);     // cmd_mailbox.cpp: SELECT, EXAMINE
  void cmd_mailboxes(Command& c);  // cmd_mailbox.cpp: CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, NAMESPACE
  void cmd_list(Command& c);       // cmd_list.cpp: LIST, LSUB, STATUS
  void cmd_append_begin(const Frame& f);  // cmd_append.cpp: streamed message literals
  void cmd_append_data(std::string_view d);
  void cmd_append_end(const Frame& f);
  void cmd_append(Command& c);
  void cmd_fetch(Command& c);      // cmd_fetch.cpp
  bool fetch_more();               // produces the next piece of a FETCH; false when done
  void cmd_store(Command& c);      // cmd_store.cpp: STORE, EXPUNGE, UID EXPUNGE, CLOSE, UNSELECT, CHECK
  void cmd_copy(Command& c);       // cmd_store.cpp: COPY, MOVE
  void cmd_search(Command& c);     // cmd_search.cpp: SEARCH (ESEARCH, SEARCHRES)
  void cmd_sort(Command& c);       // cmd_sort.cpp: SORT, THREAD (RFC 5256)
  // The messages (sequence numbers, ascending) matching every key; cmd_search.cpp.
  std::vector<uint32_t> matching(const std::vector<SearchKey>& keys, bool& uses_modseq, uint64_t& max_modseq);
  void cmd_idle(Command& c);       // session.cpp
  void cmd_quota(Command& c);      // cmd_mailbox.cpp: GETQUOTA, GETQUOTAROOT, SETQUOTA

  // Sequence set → the messages it names, as sequence numbers (ascending); false (with BAD sent) when invalid.
  bool resolve(const Command& c, const SequenceSet& set, std::vector<uint32_t>& seqs);
  std::vector<uint32_t> uids_of(const std::vector<uint32_t>& seqs) const;
  ParseOptions parse_options() const;
  std::optional<std::string> mailbox_arg(const std::string& wire_decoded) const;

  const SessionConfig& cfg_;
  store::MailStore& store_;
  auth::Authenticator& auth_;
  store::SyncService& sync_;
  net::Peer peer_;
  net::Wake wake_;

  Framer framer_;
  std::string in_;   // bytes received and not yet framed
  std::string out_;  // responses not yet taken
  State state_ = State::not_authenticated;
  bool tls_ = false;
  bool closing_ = false;
  bool start_tls_ = false;
  bool busy_ = false;        // waiting for a login or a durable point
  uint64_t wait_seq_ = 0;    // answers for an older wait are stale
  std::size_t bad_count_ = 0;
  bool shutting_down_ = false;
  bool allow_expunge_ = true;  // the current command may carry EXPUNGE responses (RFC 9051 §7.5.1)

  // extensions enabled (ENABLE, SELECT params)
  bool utf8_ = false, condstore_ = false, qresync_ = false, rev2_ = false;

  // login
  store::AccountId account_;
  std::string user_;
  std::string auth_tag_;  // AUTHENTICATE awaiting a response line
  std::string auth_mech_;
  int auth_step_ = 0;
  std::string auth_user_;
  std::string connection_key_;  // held in cfg_.user_connections while logged in

  // selected mailbox
  std::optional<MailboxView> view_;
  bool read_only_ = false;
  std::vector<Range> saved_;  // SEARCHRES "$" (RFC 5182), UIDs
  std::unique_ptr<store::Watch> watch_;
  std::shared_ptr<bool> alive_;  // the watch callback's guard
  bool news_ = false;            // the store said the account changed

  // IDLE
  std::string idle_tag_;

  // COMPRESS=DEFLATE (RFC 4978): on after the tagged OK has gone out uncompressed
  std::unique_ptr<Deflate> deflate_;
  bool compress_starting_ = false;

  // APPEND being received
  struct AppendState;
  std::unique_ptr<AppendState> append_;

  // FETCH being produced
  struct FetchJob;
  std::unique_ptr<FetchJob> fetch_;
};

}  // namespace axon::imap
