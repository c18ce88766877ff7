// pop3::Session: input, output, the states and the command × state table (RFC 1939 §3: which command is legal in
// AUTHORIZATION and which in TRANSACTION), and the net::Session events. The commands themselves are in
// authorization.cpp and transaction.cpp.
// Security: untrusted bytes from unauthenticated peers. Lines are bounded by the LineReader (an over-long line is
// dropped as it comes, answered once); input held while a response is made or an answer awaited is bounded by
// kMaxHeldInput (the driver reads nothing meanwhile, so only one read's worth can be there); input that came with
// STLS is dropped (RFC 2595 §4); output is made a chunk at a time, so a pipelined burst of LISTs cannot pile up.
#include "pop3/session.h"

#include <array>
#include <cstdio>

#include "pop3/reply.h"
#include "pop3/session_impl.h"

namespace axon::pop3 {

namespace {

// Why a command is refused in a state, or ok.
enum class Gate : uint8_t { ok, need_login, logged_in, unknown };

// Columns: AUTHORIZATION, TRANSACTION. Rows follow enum Verb. RFC 1939 §4 (USER, PASS, QUIT), §5 (STAT, LIST,
// RETR, DELE, NOOP, RSET, QUIT), §7 (TOP, UIDL); RFC 2449 §5 (CAPA in both); RFC 2595 §4 (STLS before login);
// RFC 5034 §4 (AUTH before login). One login per session: USER, PASS, AUTH and STLS end with it.
using G = Gate;
constexpr std::array<std::array<Gate, 2>, kVerbCount> kGates{{
    //  AUTHORIZATION   TRANSACTION
    {{G::ok,            G::logged_in}},  // USER
    {{G::ok,            G::logged_in}},  // PASS
    {{G::ok,            G::logged_in}},  // AUTH
    {{G::ok,            G::ok}},         // CAPA
    {{G::ok,            G::logged_in}},  // STLS
    {{G::ok,            G::ok}},         // QUIT
    {{G::need_login,    G::ok}},         // STAT
    {{G::need_login,    G::ok}},         // LIST
    {{G::need_login,    G::ok}},         // RETR
    {{G::need_login,    G::ok}},         // TOP
    {{G::need_login,    G::ok}},         // UIDL
    {{G::need_login,    G::ok}},         // DELE
    {{G::need_login,    G::ok}},         // RSET
    {{G::need_login,    G::ok}},         // NOOP
    {{G::unknown,       G::unknown}},    // unknown
}};

// Input held while a response is made or an answer awaited. The driver does not read meanwhile, so more than one
// read's worth plus a line only comes from a caller that ignores next_step(): answered, then closed.
constexpr std::size_t kMaxHeldInput = 1u << 20;

}  // namespace

std::string unique_id(uint32_t uid, uint32_t uidvalidity) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%08X%08X", static_cast<unsigned>(uid), static_cast<unsigned>(uidvalidity));
  return buf;
}

// ---- Impl: output and flow ------------------------------------------------------------------------------------

void Session::Impl::send(std::string_view line) {
  out.append(line);
  out += "\r\n";
}

void Session::Impl::close() {
  phase = Phase::closed;
  listing.reset();
  retrieval.reset();
  in.clear();
}

void Session::Impl::goodbye(std::string_view line) {
  listing.reset();
  retrieval.reset();
  send(line);
  close();
}

// Every refused command counts; past max_bad_commands the session ends (Dovecot's CLIENT_MAX_BAD_COMMANDS), so
// no loop of refused commands holds a connection.
void Session::Impl::bad_command(std::string_view line) {
  send(line);
  if (++bad_commands > cfg.max_bad_commands) goodbye(reply::too_many_bad);
}

bool Session::Impl::reads_commands() const {
  return phase == Phase::authorization || phase == Phase::sasl || phase == Phase::transaction;
}

std::size_t Session::Impl::line_limit() const {
  return phase == Phase::transaction ? cfg.max_line : cfg.max_auth_line;
}

void Session::Impl::produce() {
  while (phase != Phase::closed) {
    if (listing) fill_listing();
    else if (retrieval) fill_retrieval();
    if (phase == Phase::closed || out.size() >= cfg.output_chunk) return;
    if (responding()) continue;
    if (!reads_commands()) return;
    if (shutdown_pending) return goodbye(reply::shutting_down);
    auto line = in.next(line_limit());
    if (!line) return;
    if (line->too_long) {
      if (phase == Phase::sasl) phase = Phase::authorization;  // the exchange is over (RFC 5034 §4: -ERR)
      bad_command(reply::line_too_long);
      continue;
    }
    handle_line(line->text);
  }
}

void Session::Impl::after_wait() { produce(); }

void Session::Impl::handle_line(std::string_view text) {
  if (phase == Phase::sasl) return sasl_response(text);
  Command c = parse_command(text);
  std::size_t column = phase == Phase::transaction ? 1 : 0;
  switch (kGates[static_cast<std::size_t>(c.verb)][column]) {
    case Gate::ok: break;
    case Gate::need_login: return bad_command(reply::not_logged_in);
    case Gate::logged_in: return bad_command(reply::already_logged_in);
    case Gate::unknown: return bad_command(reply::unknown_command);
  }
  switch (c.verb) {
    case Verb::user: return cmd_user(c);
    case Verb::pass: return cmd_pass(c);
    case Verb::auth: return cmd_auth(c);
    case Verb::capa: return cmd_capa();
    case Verb::stls: return cmd_stls();
    case Verb::quit: return cmd_quit();
    case Verb::stat: return cmd_stat();
    case Verb::list: return cmd_list(c, false);
    case Verb::uidl: return cmd_list(c, true);
    case Verb::retr: return cmd_retr(c);
    case Verb::top: return cmd_top(c);
    case Verb::dele: return cmd_dele(c);
    case Verb::rset: return cmd_rset();
    case Verb::noop: return send(reply::ok);
    case Verb::unknown: break;
  }
}

// ---- Session: the net::Session events -------------------------------------------------------------------------

Session::Session(SessionConfig cfg, store::MailStore& store, auth::Authenticator& auth, store::SyncService& sync,
                 net::Peer peer, net::Wake wake)
    : impl_(std::make_unique<Impl>(std::move(cfg), store, auth, sync, std::move(peer), std::move(wake))) {}

Session::~Session() = default;

void Session::start(std::string tls_description) {
  impl_->tls = std::move(tls_description);  // implicit TLS (RFC 8314): up before the greeting
  impl_->send("+OK " + impl_->cfg.hostname + " Axon POP3 ready.");
}

void Session::receive(std::string_view bytes) {
  auto& s = *impl_;
  if (s.phase == Phase::closed || s.phase == Phase::wait_tls) return;  // RFC 2595 §4: nothing before TLS counts
  s.in.feed(bytes);
  if (s.in.buffered() > kMaxHeldInput + s.cfg.max_auth_line) return s.goodbye(reply::too_much_input);
  s.produce();
}

void Session::tls_ready(std::string description) {
  auto& s = *impl_;
  if (s.phase != Phase::wait_tls) return;
  s.tls = std::move(description);
  s.in.clear();
  s.user.clear();
  s.phase = Phase::authorization;  // RFC 2595 §4: the client asks CAPA again; no greeting
  s.produce();
}

void Session::tls_failed() { impl_->close(); }

void Session::idle_timeout() {
  if (impl_->phase != Phase::closed) impl_->goodbye(reply::inactivity);
}

void Session::wait_timeout() {
  auto& s = *impl_;
  if (s.phase == Phase::wait_login) {
    ++s.wait_seq;  // the answer, if it comes, is stale
    s.phase = Phase::authorization;
    s.send(reply::auth_temporary);
    s.after_wait();
  } else if (s.phase == Phase::update) {
    ++s.wait_seq;
    s.goodbye(reply::update_unconfirmed);
  }
}

void Session::shutdown() {
  auto& s = *impl_;
  if (s.phase == Phase::closed) return;
  if (s.reads_commands() && !s.responding()) return s.goodbye(reply::shutting_down);
  s.shutdown_pending = true;  // after the response, the login or the update in progress
}

std::string Session::take_output() {
  impl_->produce();
  return std::exchange(impl_->out, std::string());
}

net::Step Session::next_step() {
  auto& s = *impl_;
  switch (s.phase) {
    case Phase::closed: return net::Step::close;
    case Phase::wait_tls: return net::Step::start_tls;
    case Phase::wait_login:
    case Phase::update: return net::Step::wait;
    default: break;
  }
  if (!s.out.empty() || s.responding() || s.in.has_line()) return net::Step::write_more;
  return net::Step::read;
}

Phase Session::phase() const { return impl_->phase; }
const SessionSummary& Session::summary() const { return impl_->summary; }

}  // namespace axon::pop3
