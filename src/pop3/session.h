// pop3::Session — a POP3 server session (RFC 1939; RFC 2449 CAPA and response codes; RFC 2595 STLS; RFC 5034
// AUTH PLAIN, RFC 4616) on the mail store, implementing net::Session directly: the driver feeds it bytes and takes
// output; it logs in through auth::Authenticator and makes its UPDATE durable through store::SyncService, both
// asynchronous (Step::wait, answers applied through net::Wake on the connection's strand).
//
// States (RFC 1939 §3): AUTHORIZATION (USER/PASS, AUTH, CAPA, STLS, QUIT), TRANSACTION (STAT, LIST, RETR, TOP,
// UIDL, DELE, RSET, NOOP, CAPA, QUIT) on a snapshot of the account's INBOX taken at login (message numbers are
// fixed for the session), and UPDATE (QUIT: \Seen on the retrieved messages, \Deleted and expunge on exactly the
// marked ones, then a durable point before "+OK"). Serves INBOX only. Long responses (RETR, TOP, LIST, UIDL) are
// made in pieces of SessionConfig::output_chunk as the driver writes them (Step::write_more), reading the message from
// its file by range: a session never holds a whole message.
//
// Thread-safety: like every net::Session, called on its connection's strand only; the login and sync callbacks
// come on other threads and touch nothing but the Wake. Store calls are made on the strand.
// Security: sees untrusted bytes from unauthenticated peers. Lines are bounded (max_auth_line before login,
// max_line after); passwords only over TLS, from loopback, or when allow_plaintext; input pipelined after STLS is
// dropped (RFC 2595 §4); bad commands and failed logins are counted and end the session past their limits; a
// late login or sync answer (after wait_timeout) is recognised by its sequence number and ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "net/session.h"
#include "store/group_sync.h"
#include "store/mail_store.h"

namespace axon::pop3 {

struct SessionConfig {
  std::string hostname = "localhost";  // in the greeting
  bool tls_available = false;          // a TLS context exists: offer STLS on plain connections
  bool allow_plaintext = false;        // passwords without TLS from non-loopback peers ([auth] allow_plaintext)
  std::size_t max_line = 1024;         // octets incl. CRLF in TRANSACTION (RFC 2449 §4 asks 255 of clients)
  std::size_t max_auth_line = 4096;    // before login: USER, PASS, AUTH and SASL responses (long passwords)
  std::size_t max_bad_commands = 20;   // unknown, malformed or out-of-state commands, then close (as Dovecot)
  std::size_t max_auth_failures = 3;   // failed logins, then close
  std::size_t output_chunk = 64 * 1024;  // a long response is made this much at a time
};

enum class Phase {
  authorization,
  sasl,        // AUTH PLAIN sent "+ ": the next line is the client's response
  wait_login,  // the Authenticator is checking
  wait_tls,    // "+OK" to STLS sent: the handshake comes next
  transaction,
  update,      // QUIT applied to the store: waiting for the durable point
  closed,
};

// What happened, for the adapter's one log line at the end (as Dovecot's "Disconnected: Logged out top=..").
struct SessionSummary {
  std::string user;  // the account's address once logged in
  uint32_t messages = 0, top = 0, retr = 0, deleted = 0;
  uint64_t bytes = 0, retr_bytes = 0, deleted_bytes = 0;
  bool quit = false;     // the client said QUIT (in TRANSACTION: the update was attempted)
  bool updated = false;  // the update is durable
};

class Session final : public net::Session {
 public:
  Session(SessionConfig cfg, store::MailStore& store, auth::Authenticator& auth, store::SyncService& sync,
          net::Peer peer, net::Wake wake);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start(std::string tls_description) override;
  void receive(std::string_view bytes) override;
  void tls_ready(std::string description) override;
  void tls_failed() override;
  void idle_timeout() override;  // RFC 1939 §3 autologout: no UPDATE
  void wait_timeout() override;
  void shutdown() override;  // between commands at once; else after the response or update in progress
  std::string take_output() override;
  net::Step next_step() override;

  Phase phase() const;
  const SessionSummary& summary() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// RFC 1939 §7 unique-id: Dovecot's default form %08Xu%08Xv (UID, then UIDVALIDITY, in upper-case hex), stable
// across sessions and restarts, and the same a Dovecot server would have given for the same UIDs.
std::string unique_id(uint32_t uid, uint32_t uidvalidity);

}  // namespace axon::pop3
