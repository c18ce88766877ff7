// pop3::Session in AUTHORIZATION: CAPA (RFC 2449 §5), USER/PASS (RFC 1939 §7), AUTH PLAIN (RFC 5034 §4,
// RFC 4616), STLS (RFC 2595 §4), and the login through auth::Authenticator that opens the maildrop.
// Security: passwords travel only over TLS, from loopback (or this host's own address, as Dovecot counts it), or
// with allow_plaintext; otherwise USER, PASS and AUTH PLAIN answer [AUTH] at once (RFC 2595 §2.1's spirit: do not
// invite the password). Failed logins are answered after the Authenticator's delay and end the session past
// max_auth_failures. Passwords are wiped after use (the line buffer too, see LineReader).
#include <algorithm>

#include "auth/sasl.h"
#include "core/address.h"
#include "pop3/reply.h"
#include "pop3/session_impl.h"

namespace axon::pop3 {

namespace {

bool is_loopback(std::string_view ip) {
  return ip.starts_with("127.") || ip == "::1" || ip.starts_with("::ffff:127.");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

bool Session::Impl::secured() const {
  return !tls.empty() || is_loopback(peer.ip) || (!peer.ip.empty() && peer.ip == peer.local_ip);
}

// RFC 2449 §5: the capabilities of the current state. Before login: STLS while TLS can start, USER and SASL
// PLAIN only where a password may be sent (so a client that honours CAPA never offers one in the clear).
void Session::Impl::cmd_capa() {
  send(reply::capa);
  for (std::string_view c : {"TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE"}) send(c);
  if (phase == Phase::authorization) {
    if (plaintext_allowed()) {
      send("USER");
      send("SASL PLAIN");
    }
    if (cfg.tls_available && tls.empty()) send("STLS");
  }
  send("IMPLEMENTATION Axon");
  send(".");
}

void Session::Impl::cmd_user(const Command& c) {
  if (!plaintext_allowed()) return bad_command(reply::plaintext_disallowed);
  std::string_view name = trim(c.text);
  if (name.empty()) return bad_command(reply::no_username);
  if (name.size() > 255) return bad_command(reply::username_too_long);
  user = name;
  send(reply::ok);
}

void Session::Impl::cmd_pass(const Command& c) {
  if (!plaintext_allowed()) return bad_command(reply::plaintext_disallowed);
  if (user.empty()) return bad_command(reply::no_username);
  // RFC 1939 §7: the password is the rest of the line, spaces and all.
  std::string password(c.text);
  login(std::exchange(user, std::string()), std::move(password));
}

void Session::Impl::cmd_auth(const Command& c) {
  if (c.argc == 0) {  // the mechanism list (the pre-RFC 5034 form that some clients still probe, as Dovecot)
    send(reply::ok);
    if (plaintext_allowed()) send("PLAIN");
    return send(".");
  }
  if (!core::iequals(c.args[0], "PLAIN")) return bad_command(reply::auth_unknown_mechanism);
  if (!plaintext_allowed()) return bad_command(reply::plaintext_disallowed);
  if (c.argc == 1) {  // RFC 5034 §4: no initial response, an empty challenge
    phase = Phase::sasl;
    return send(reply::sasl_continue);
  }
  plain_login(c.args[1]);
}

void Session::Impl::sasl_response(std::string_view line) {
  phase = Phase::authorization;
  if (line == "*") return bad_command(reply::auth_aborted);  // RFC 5034 §4: the client cancels
  plain_login(line);
}

// The base64 of an RFC 4616 message; "=" is an empty initial response (RFC 5034 §4), which PLAIN cannot use.
void Session::Impl::plain_login(std::string_view base64) {
  auto decoded = base64 == "=" ? std::optional<std::string>(std::string()) : auth::decode_base64(base64);
  if (!decoded) return bad_command(reply::auth_bad_base64);
  auto message = auth::parse_plain(*decoded);
  auth::wipe(*decoded);
  if (!message) return login_failed(reply::auth_failed);
  // RFC 4616 §2: an authorization identity other than the user's own would be acting as someone else.
  if (!message->authzid.empty() && !core::iequals(message->authzid, message->authcid)) {
    auth::wipe(message->password);
    return login_failed(reply::auth_failed);
  }
  login(std::move(message->authcid), std::move(message->password));
}

void Session::Impl::login(std::string username, std::string password) {
  phase = Phase::wait_login;
  uint64_t seq = ++wait_seq;
  auth::Credentials credentials{std::move(username), std::move(password), peer.ip};
  // `done` runs on another thread, maybe after this session is gone: it touches only the Wake, whose apply runs
  // on the connection's strand and only while the session lives (net/session.h).
  auth.login(std::move(credentials), [wake = wake, self = this, seq](core::Result<auth::LoginOk> r) {
    wake([self, seq, r = std::move(r)]() mutable { self->on_login(seq, std::move(r)); });
  });
}

void Session::Impl::login_failed(std::string_view line) {
  phase = Phase::authorization;
  send(line);
  if (++auth_failures >= cfg.max_auth_failures) return close();
  after_wait();
}

void Session::Impl::on_login(uint64_t seq, core::Result<auth::LoginOk> r) {
  if (seq != wait_seq || phase != Phase::wait_login) return;  // stale: answered by wait_timeout() already
  if (!r) {
    switch (r.error().code) {
      case core::Errc::permanent: return login_failed(reply::auth_failed);
      case core::Errc::limit: return login_failed(reply::auth_limited);
      default:
        phase = Phase::authorization;
        send(reply::auth_temporary);
        return after_wait();
    }
  }
  // RFC 1939 §3: the maildrop as it is now, numbered for the rest of the session (published messages only:
  // store/mail_store.h).
  auto mb = store.mailbox(r->account, "INBOX");
  if (!mb) return goodbye(reply::inbox_unavailable);
  auto messages = store.messages(mb->id);
  if (!messages) return goodbye(reply::inbox_unavailable);
  mailbox = mb->id;
  uidvalidity = mb->uidvalidity;
  drop.reserve(messages->size());
  for (const auto& m : *messages) {
    drop.push_back(MaildropEntry{m.uid, m.size, false, false, (m.flags & store::deleted) != 0});
    summary.bytes += m.size;
  }
  summary.user = r->address;
  summary.messages = static_cast<uint32_t>(drop.size());
  phase = Phase::transaction;
  send(reply::logged_in);
  after_wait();
}

void Session::Impl::cmd_stls() {
  if (!tls.empty()) return bad_command(reply::tls_active);
  if (!cfg.tls_available) return bad_command(reply::tls_unavailable);
  send(reply::begin_tls);
  phase = Phase::wait_tls;
  in.clear();  // RFC 2595 §4: commands pipelined behind STLS are not run (CVE-2011-0411 style injection)
  user.clear();
}

}  // namespace axon::pop3
