// pop3::Session::Impl — the session's state, shared by session.cpp (input, output, states, the command × state
// table), authorization.cpp (CAPA, USER/PASS, AUTH PLAIN, STLS, login) and transaction.cpp (the maildrop
// commands, QUIT's update). Internal to pop3/. Security and threads: see session.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/command.h"
#include "pop3/line_reader.h"
#include "pop3/message_stream.h"
#include "pop3/session.h"

namespace axon::pop3 {

// One message of the snapshot taken at login; its message number is its index + 1 (RFC 1939 §3).
struct MaildropEntry {
  uint32_t uid = 0;
  uint64_t size = 0;
  bool deleted = false;    // DELE (until RSET)
  bool retrieved = false;  // RETR: \Seen at QUIT (until RSET, as Dovecot)
  bool had_deleted = false;  // \Deleted already at login (set by IMAP): a failed update leaves it as it was
};

struct Session::Impl {
  Impl(SessionConfig c, store::MailStore& s, auth::Authenticator& a, store::SyncService& y, net::Peer p,
       net::Wake w)
      : cfg(std::move(c)), store(s), auth(a), sync(y), peer(std::move(p)), wake(std::move(w)) {}

  SessionConfig cfg;
  store::MailStore& store;
  auth::Authenticator& auth;
  store::SyncService& sync;
  net::Peer peer;
  net::Wake wake;

  Phase phase = Phase::authorization;
  std::string out;
  LineReader in;
  std::string tls;                // "VERSION CIPHER" once TLS is up
  bool shutdown_pending = false;  // shutdown() came during a response, a login or an update
  std::size_t bad_commands = 0, auth_failures = 0;
  uint64_t wait_seq = 0;          // of the login or sync being waited for; answers with another are stale
  std::string user;               // USER's name, until PASS
  SessionSummary summary;

  // The maildrop (TRANSACTION).
  store::MailboxId mailbox;
  uint32_t uidvalidity = 0;
  std::vector<MaildropEntry> drop;

  // A multi-line response being made.
  struct Listing {
    bool uidl = false;
    std::size_t next = 0;  // index into drop
  };
  struct Retrieval {
    store::OpenMessage message;
    uint64_t offset = 0;
    MessageStream stream;
  };
  std::optional<Listing> listing;
  std::optional<Retrieval> retrieval;

  // -- session.cpp --
  void send(std::string_view line);  // one line + CRLF
  void close();
  void goodbye(std::string_view line);
  void bad_command(std::string_view line);  // sends it; past max_bad_commands says so and closes
  void produce();                           // works until the output is a chunk or there is nothing to do
  bool responding() const { return listing || retrieval; }
  bool reads_commands() const;
  void handle_line(std::string_view line);
  void after_wait();  // a login or update finished: go on with held input, or say goodbye after shutdown()
  std::size_t line_limit() const;

  // -- authorization.cpp --
  bool secured() const;
  bool plaintext_allowed() const { return secured() || cfg.allow_plaintext; }
  void cmd_capa();
  void cmd_user(const Command& c);
  void cmd_pass(const Command& c);
  void cmd_auth(const Command& c);
  void cmd_stls();
  void sasl_response(std::string_view line);
  void plain_login(std::string_view message);
  void login(std::string username, std::string password);
  void on_login(uint64_t seq, core::Result<auth::LoginOk> r);
  void login_failed(std::string_view line);

  // -- transaction.cpp --
  std::optional<std::size_t> message_index(const Command& c, std::size_t arg);  // else answered (bad command)
  void cmd_stat();
  void cmd_list(const Command& c, bool uidl);
  void cmd_retr(const Command& c);
  void cmd_top(const Command& c);
  void cmd_dele(const Command& c);
  void cmd_rset();
  void cmd_quit();
  bool open_retrieval(std::size_t index, std::optional<uint64_t> lines, std::string_view first_line);
  void fill_listing();
  void fill_retrieval();
  void on_synced(uint64_t seq, core::Result<void> r, bool deleted);
};

}  // namespace axon::pop3
