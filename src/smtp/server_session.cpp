// smtp::ServerSession: the RFC 5321 server state machine (sans-I/O). All phase transitions are in this file; which
// command is legal in which phase is the table kGates below. RFCs: 5321 (§3.3 transactions, §4.1.1 commands,
// §4.1.4 order, §4.2 replies, §4.4 trace, §4.5.3 limits), 2920 PIPELINING, 1870 SIZE, 6152 8BITMIME, 2034
// ENHANCEDSTATUSCODES, 6531 SMTPUTF8, 3030 CHUNKING/BINARYMIME, 3461 DSN, 3207 STARTTLS.
// Security: untrusted bytes from unauthenticated peers. Command lines are bounded by max_command_line (an
// over-long line is discarded up to its LF, never buffered), bodies by max_message_size and streamed into the
// transaction's MessageBuffer (never held here), input that arrives while an action is pending by
// max_pending_input(); input after STARTTLS is dropped (CVE-2011-0411). A spool answer is matched to its
// message by a sequence number, so a late one cannot acknowledge the next message. Commands that change nothing
// (NOOP, RSET, ...) are bounded by junk_command_limit, so no client holds a slot forever. The communication log
// is recorded here (transcript_recorder.h): command lines, replies, and data sizes only.
#include "smtp/server_session.h"

#include <algorithm>
#include <array>
#include <deque>

#include "smtp/body_reader.h"
#include "smtp/command.h"
#include "smtp/received.h"
#include "smtp/reply.h"
#include "smtp/transcript_recorder.h"

namespace axon::smtp {

namespace {

constexpr std::size_t kMaxTargets = 1000;          // accounts one message may reach (Postfix's alias expansion limit)
constexpr std::size_t kRecipientOvershoot = 1000;  // refused RCPTs before each counts as an error (as Postfix)

// Why a command is refused in a phase, or ok.
enum class Gate : uint8_t { ok, need_helo, nested_mail, need_mail, need_rcpt, no_valid_rcpts, bdat_mixed, in_tx };

// Phases in which commands are read: greeting (no EHLO yet), ready, mail, rcpt, bdat (between chunks).
constexpr std::size_t kCommandPhases = 5;
constexpr std::size_t phase_column(Phase p) {
  switch (p) {
    case Phase::greeting: return 0;
    case Phase::ready: return 1;
    case Phase::mail: return 2;
    case Phase::rcpt: return 3;
    default: return 4;  // bdat
  }
}

// RFC 5321 §4.1.4 command order; RFC 3030 §2 (no DATA inside a BDAT transaction); RFC 3207 §4 (no STARTTLS
// inside a transaction). Rows follow enum Verb.
using G = Gate;
constexpr std::array<std::array<Gate, kCommandPhases>, kVerbCount> kGates{{
    //  greeting      ready           mail               rcpt           bdat
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // HELO
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // EHLO
    {{G::need_helo,   G::ok,          G::nested_mail,    G::nested_mail, G::nested_mail}}, // MAIL
    {{G::need_helo,   G::need_mail,   G::ok,             G::ok,         G::bdat_mixed}},   // RCPT
    {{G::need_helo,   G::need_rcpt,   G::no_valid_rcpts, G::ok,         G::bdat_mixed}},   // DATA
    {{G::need_helo,   G::need_mail,   G::need_rcpt,      G::ok,         G::ok}},           // BDAT
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // RSET
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // NOOP
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // QUIT
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // VRFY
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // EXPN
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // HELP
    {{G::ok,          G::ok,          G::in_tx,          G::in_tx,      G::in_tx}},        // STARTTLS
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // AUTH
    {{G::ok,          G::ok,          G::ok,             G::ok,         G::ok}},           // unknown
}};

// Junk commands (Postfix smtpd_junk_command_limit): they can be repeated forever at no cost to the client and
// change nothing. HELO and EHLO count too, as in Postfix; EXPN and unknown verbs are errors already. ETRN (RFC
// 1985) belongs here when it is implemented.
constexpr bool junk(Verb v) {
  return v == Verb::helo || v == Verb::ehlo || v == Verb::rset || v == Verb::noop || v == Verb::vrfy ||
         v == Verb::help;
}

// Input held while an action is pending (PIPELINING after the end of data): past this the session says 421.
constexpr std::size_t kMaxPendingInput = 64 * 1024;

const Reply& gate_reply(Gate g) {
  switch (g) {
    case Gate::need_helo: return reply::c503_need_helo;
    case Gate::nested_mail: return reply::c503_nested_mail;
    case Gate::need_mail: return reply::c503_need_mail;
    case Gate::need_rcpt: return reply::c503_need_rcpt;
    case Gate::no_valid_rcpts: return reply::c554_no_valid_recipients;
    case Gate::bdat_mixed: return reply::c503_bdat_sequence;
    case Gate::in_tx: return reply::c503_in_transaction;
    case Gate::ok: break;
  }
  return reply::c500_unrecognized;
}

bool printable_ascii_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7E) return false;
  return true;
}

}  // namespace

struct ServerSession::Impl {
  Impl(const SessionConfig& c, const RecipientPolicy& p, core::MessageBuffers& b, const core::Clock& k, PeerInfo pi)
      : cfg(c), policy(p), buffers(b), clock(k), peer(std::move(pi)), log(c.transcript) {}

  const SessionConfig& cfg;
  const RecipientPolicy& policy;
  core::MessageBuffers& buffers;
  const core::Clock& clock;
  PeerInfo peer;

  Phase phase = Phase::greeting;
  std::string out;
  std::deque<Action> actions;
  TranscriptRecorder log;

  // Input
  std::string in;                 // unprocessed input: a partial command line, or input held during an action
  bool discard_line = false;      // inside an over-long command line: dropping octets up to the next LF
  std::size_t line_discarded = 0;  // octets of that line so far (for the communication log)
  std::size_t tls_discarded = 0;   // octets dropped between STARTTLS and the handshake (for the log)
  bool input_overflow = false;    // too much input arrived while an action was pending
  bool shutdown_pending = false;  // on_shutdown() inside a message or an action: 421 once it is answered
  uint64_t spool_seq = 0;         // SpoolMessage::seq of the last message handed over; wait_spool waits for it
  std::size_t errors = 0;
  std::size_t rcpt_overshoot = 0;  // RCPTs refused past max_recipients or kMaxTargets
  std::size_t targets = 0;         // accounts the transaction's recipients reach
  std::size_t accepted_rcpts = 0;  // RCPTs answered 250 in this transaction, repeats included
  std::size_t junk_commands = 0;  // since the session began or the last message was queued (as Postfix)

  // Session state (reset by STARTTLS)
  std::string helo;
  bool ehlo = false;
  std::string tls;

  // Transaction state (reset by RSET, EHLO, HELO, the end of a message)
  std::optional<MailFrom> mail;
  std::unique_ptr<core::MessageBuffer> buffer;  // the message data, from MAIL on
  std::vector<core::Recipient> rcpts;
  std::optional<DataReader> data;
  std::optional<BdatReader> bdat;
  bool bdat_chunk_active = false;
  uint64_t bdat_chunk_size = 0;
  uint64_t skip = 0;                // octets of a refused BDAT chunk still to discard (RFC 3030 §2)
  std::optional<Reply> skip_reply;  // sent once they are gone
  bool skip_counts = true;          // whether skip_reply counts as an error
  std::optional<Reply> bdat_failed;  // a BDAT chunk failed: chunks already pipelined get this, uncounted

  // A partial command line is held too, so never less than one line.
  std::size_t max_pending_input() const { return std::max(kMaxPendingInput, cfg.max_command_line); }

  // ---- output ------------------------------------------------------------------------------------------------
  void emit(std::string text) {
    log.server(text);
    out += text;
  }
  void send(const Reply& r) { emit(render(r)); }
  void send_with_host(const Reply& r) { emit(render(with_text(r, cfg.hostname + " " + r.text))); }

  void close() {
    phase = Phase::closed;
    actions.emplace_back(Close{});
  }

  void goodbye() {  // RFC 5321 §3.8: 421 when the service must shut down
    send_with_host(reply::c421_shutting_down);
    close();
  }

  // A refused command. Every 5xx and 4xx counts; past max_errors the session ends (Postfix
  // smtpd_hard_error_limit counts both), so no loop of refused commands holds a slot. The count starts again
  // when a message is queued, as in Postfix.
  void refuse(const Reply& r) {
    send(r);
    if (r.code >= 400) count_error();
  }

  void count_error() {
    if (++errors > cfg.max_errors) {
      send_with_host(reply::c421_too_many_errors);
      close();
    }
  }

  // After a junk command's reply: past junk_command_limit each one counts as an error, so that max_errors ends a
  // NOOP/RSET/VRFY loop with 421 4.7.0 (Postfix smtpd_junk_command_limit, smtpd_hard_error_limit).
  void junk_command() {
    if (phase == Phase::closed) return;
    if (++junk_commands > cfg.junk_command_limit) count_error();
  }

  void reset_transaction() {
    mail.reset();
    buffer.reset();
    rcpts.clear();
    targets = 0;
    accepted_rcpts = 0;
    data.reset();
    bdat.reset();
    bdat_chunk_active = false;
    bdat_chunk_size = 0;
  }

  Phase idle_phase() const { return helo.empty() ? Phase::greeting : Phase::ready; }

  // ---- input pump --------------------------------------------------------------------------------------------
  void receive(std::string_view bytes) {
    if (phase == Phase::closed) return;
    if (phase == Phase::wait_tls) {  // RFC 3207 §4.2: drop pre-TLS leftovers
      tls_discarded += bytes.size();
      return;
    }
    if (!in.empty() && phase != Phase::wait_spool) {
      // `in` holds a partial command line: complete it with at most one line's octets (one more than a line may
      // have, so that an over-long one switches to discarding), never with everything that arrived.
      std::size_t lf = bytes.find('\n');
      std::size_t room = cfg.max_command_line + 1 - std::min(in.size(), cfg.max_command_line);
      std::size_t take = std::min(lf == std::string_view::npos ? bytes.size() : lf + 1, room);
      in.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
      pump();
    }
    if (bytes.empty()) return;
    if (!in.empty() || phase == Phase::wait_spool || phase == Phase::wait_tls || phase == Phase::closed)
      return hold(bytes);  // behind held input or a pending action: keep the order, within the bound
    std::size_t used = process(bytes);
    hold(bytes.substr(used));
  }

  void pump() {
    std::string cur = std::move(in);
    in.clear();
    std::size_t used = process(cur);
    hold(std::string_view(cur).substr(used));
  }

  // Keeps what process() left: a partial command line (at most max_command_line octets, see process), or input
  // that arrived while an action is pending (PIPELINING), bounded by max_pending_input(). Every octet that `in`
  // ever holds comes through here or through receive()'s completion of a partial line, itself bounded.
  void hold(std::string_view rest) {
    if (phase == Phase::wait_tls) tls_discarded += rest.size();
    if (rest.empty() || phase == Phase::closed || phase == Phase::wait_tls) return;
    if (input_overflow) return;
    if (in.size() + rest.size() > max_pending_input()) {
      input_overflow = true;
      in.clear();
      in.shrink_to_fit();
      return;
    }
    in.append(rest);
  }

  // Processes input until it needs more or an action is pending; returns the octets consumed.
  std::size_t process(std::string_view input) {
    std::size_t pos = 0;
    while (true) {
      switch (phase) {
        case Phase::closed:
          return input.size();
        case Phase::wait_tls:
          tls_discarded += input.size() - pos;
          return input.size();  // nothing more is read from before the handshake
        case Phase::wait_spool:
          return pos;
        case Phase::data: {
          std::size_t used = data->feed(input.substr(pos));
          log.data(used);
          pos += used;
          if (!data->done()) return pos;
          log.end_data();
          end_of_data();
          continue;
        }
        default:
          break;
      }
      if (shutdown_pending && phase != Phase::bdat) {  // draining: the message in transfer has been answered
        goodbye();
        return input.size();
      }
      if (skip_reply) {  // a refused BDAT chunk: consume its octets so the stream stays in sync
        uint64_t take = std::min<uint64_t>(skip, input.size() - pos);
        pos += static_cast<std::size_t>(take);
        skip -= take;
        log.data(take);
        if (skip > 0) return pos;
        log.end_data();
        Reply r = std::move(*skip_reply);
        skip_reply.reset();
        if (skip_counts) refuse(r);
        else send(r);
        continue;
      }
      if (bdat_chunk_active) {
        std::size_t used = bdat->feed(input.substr(pos));
        log.data(used);
        pos += used;
        if (!bdat->chunk_done()) return pos;
        log.end_data();
        end_of_chunk();
        continue;
      }
      if (discard_line) {
        std::size_t lf = input.find('\n', pos);
        if (lf == std::string_view::npos) {
          line_discarded += input.size() - pos;
          return input.size();
        }
        line_discarded += lf + 1 - pos;
        pos = lf + 1;
        discard_line = false;
        line_too_long(std::exchange(line_discarded, 0));
        continue;
      }
      std::size_t lf = input.find('\n', pos);
      if (lf == std::string_view::npos) {
        if (input.size() - pos > cfg.max_command_line) {  // limits live in the parser: switch to discarding
          discard_line = true;
          line_discarded = input.size() - pos;
          return input.size();
        }
        return pos;
      }
      std::string_view line = input.substr(pos, lf - pos);
      pos = lf + 1;
      if (line.size() + 1 > cfg.max_command_line) {
        line_too_long(line.size() + 1);
        continue;
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // a bare LF ends a command line too
      command(line);
    }
  }

  void line_too_long(std::size_t octets) {
    log.note(std::to_string(octets) + " octets of an over-long command line discarded");
    refuse(reply::c500_line_too_long);  // RFC 5321 §4.5.3.1.4
  }

  // ---- commands ----------------------------------------------------------------------------------------------
  void command(std::string_view line) {
    CommandLine cmd = parse_command_line(line);
    log.client(line, cmd);
    dispatch(cmd);
    if (junk(cmd.verb)) junk_command();
  }

  void dispatch(const CommandLine& cmd) {
    Gate gate = kGates[static_cast<std::size_t>(cmd.verb)][phase_column(phase)];
    if (cmd.verb == Verb::bdat) return bdat_command(cmd.arg, gate);
    bdat_failed.reset();  // any other command: the client has seen the failure
    if (gate != Gate::ok) return refuse(gate_reply(gate));
    switch (cmd.verb) {
      case Verb::helo: return helo_command(cmd.arg, false);
      case Verb::ehlo: return helo_command(cmd.arg, true);
      case Verb::mail: return mail_command(cmd.arg);
      case Verb::rcpt: return rcpt_command(cmd.arg);
      case Verb::data: return data_command(cmd.arg);
      case Verb::rset:
        if (!cmd.arg.empty()) return refuse(with_text(reply::c501_syntax, "Syntax: RSET"));
        reset_transaction();  // RFC 5321 §4.1.1.5
        phase = idle_phase();
        return send(reply::c250_ok);
      case Verb::noop: return send(reply::c250_ok);  // RFC 5321 §4.1.1.9: any argument is ignored
      case Verb::quit:
        send(reply::c221_bye);  // RFC 5321 §4.1.1.10
        return close();
      case Verb::vrfy:
        if (cmd.arg.empty()) return refuse(with_text(reply::c501_syntax, "Syntax: VRFY address"));
        return send(reply::c252_cannot_vrfy);  // RFC 5321 §3.5.3: 252 when we will not verify
      case Verb::expn: return refuse(reply::c502_expn_disabled);  // RFC 5321 §3.5.2, §7.3
      case Verb::help: return send(reply::c214_help);
      case Verb::starttls: return starttls_command(cmd.arg);
      case Verb::auth: return refuse(reply::c503_auth_not_enabled);  // not offered on port 25
      case Verb::bdat:
      case Verb::unknown: break;
    }
    refuse(reply::c500_unrecognized);
  }

  void helo_command(std::string_view arg, bool is_ehlo) {
    // RFC 5321 §4.1.1.1: EHLO SP ( Domain / address-literal ). Any printable token is taken (many clients send
    // bare names); it only ever reaches the Received: field, sanitized.
    std::string_view name = arg.substr(0, arg.find(' '));
    if (name.empty())
      return refuse(with_text(reply::c501_syntax, is_ehlo ? "Syntax: EHLO hostname" : "Syntax: HELO hostname"));
    if (!printable_ascii_token(name)) return refuse(with_text(reply::c501_syntax, "Invalid hostname"));
    reset_transaction();  // RFC 5321 §4.1.4: EHLO/HELO resets like RSET
    helo = std::string(name);
    ehlo = is_ehlo;
    phase = Phase::ready;
    if (!is_ehlo) return emit(render_lines(250, {cfg.hostname}));
    std::vector<std::string> lines{cfg.hostname,
                                   "PIPELINING",                                       // RFC 2920
                                   "SIZE " + std::to_string(cfg.max_message_size),     // RFC 1870
                                   "8BITMIME",                                         // RFC 6152
                                   "ENHANCEDSTATUSCODES",                              // RFC 2034
                                   "SMTPUTF8",                                         // RFC 6531
                                   "CHUNKING",                                         // RFC 3030
                                   "BINARYMIME",                                       // RFC 3030 §3
                                   "DSN"};                                             // RFC 3461
    if (cfg.tls_available && tls.empty()) lines.emplace_back("STARTTLS");  // RFC 3207 §4.2: not after TLS
    emit(render_lines(250, lines));
  }

  void mail_command(std::string_view arg) {
    if (cfg.require_tls && tls.empty()) return refuse(reply::c530_must_starttls);  // RFC 3207 §4
    auto m = parse_mail_from(arg);
    if (!m) return refuse(m.error());
    if (!ehlo && (m->size || m->body != core::BodyType::seven_bit || m->smtputf8 || !m->ret.empty() ||
                  !m->envid.empty()))
      return refuse(reply::c555_unknown_param);  // extensions only after EHLO (RFC 5321 §4.1.1.1)
    if (m->size && *m->size > cfg.max_message_size) return refuse(reply::c552_message_too_big);  // RFC 1870 §6.1
    buffer = buffers.begin();
    if (!buffer) return refuse(reply::c452_insufficient_storage);  // too much in flight: try again later
    mail = std::move(m.value());
    phase = Phase::mail;
    send(reply::c250_sender_ok);
  }

  void rcpt_command(std::string_view arg) {
    // RFC 5321 §4.5.3.1.8: at least 100 must be accepted; past our limit 452 4.5.3 (§4.5.3.1.10). A client that
    // sends many more is not mistaken: past kRecipientOvershoot each one counts as an error (Postfix
    // smtpd_recipient_overshoot_limit).
    if (accepted_rcpts >= cfg.max_recipients) {
      send(reply::c452_too_many_recipients);
      if (++rcpt_overshoot > kRecipientOvershoot) count_error();
      return;
    }
    auto r = parse_rcpt_to(arg, mail->smtputf8);
    if (!r) return refuse(r.error());
    if (!ehlo && (!r->notify.empty() || !r->orcpt.empty())) return refuse(reply::c555_unknown_param);
    // RFC 5321 §4.1.1.3: the bare <Postmaster> reaches the policy with an empty domain (the directory knows who
    // the postmaster is); the envelope records it as postmaster@<our hostname>. postmaster@<our hostname> is the
    // same mailbox (§4.5.1), also when the host name is not one of the served domains.
    core::Address address = r->address;
    if (core::iequals(address.local, "postmaster") && core::iequals(address.domain, cfg.hostname)) address.domain.clear();
    RcptDecision d = policy.resolve(address, false);
    switch (d.kind) {
      case RcptDecision::Kind::accept:
        // A repeated recipient is acknowledged again (and counts, as in Postfix) but adds nothing.
        for (const auto& have : rcpts)
          if (core::iequals(have.address, r->forward_path)) {
            ++accepted_rcpts;
            return send(reply::c250_recipient_ok);
          }
        // Aliases expand to at most kMaxTargets accounts per message (Postfix virtual_alias_expansion_limit),
        // which also bounds the envelope the spool keeps.
        if (targets + d.targets.size() > kMaxTargets) {
          send(reply::c452_too_many_recipients);
          if (++rcpt_overshoot > kRecipientOvershoot) count_error();
          return;
        }
        targets += d.targets.size();
        ++accepted_rcpts;
        rcpts.push_back(core::Recipient{r->bare_postmaster ? "postmaster@" + core::to_lower_ascii(cfg.hostname)
                                                           : r->forward_path,
                                        std::move(d.targets), r->notify, r->orcpt});
        phase = Phase::rcpt;
        return send(reply::c250_recipient_ok);
      case RcptDecision::Kind::unknown_user: return refuse(reply::c550_mailbox_unavailable);
      case RcptDecision::Kind::relay_denied: return refuse(reply::c554_relay_denied);
      case RcptDecision::Kind::temp_fail: return refuse(reply::c451_recipient_temp_fail);
    }
  }

  void data_command(std::string_view arg) {
    if (!arg.empty()) return refuse(with_text(reply::c501_syntax, "Syntax: DATA"));
    if (mail->body == core::BodyType::binary_mime) return refuse(reply::c503_binarymime_needs_bdat);  // RFC 3030 §3
    begin_message_data();
    data.emplace(cfg.max_message_size, cfg.bare_lf, buffer.get());
    phase = Phase::data;
    send(reply::c354_start_data);
    log.begin_data();
  }

  void bdat_command(std::string_view arg, Gate gate) {
    auto b = parse_bdat(arg);
    if (!b) return refuse(b.error());  // no size known: nothing can be skipped
    log.begin_data();  // the chunk's octets are message data, also when the chunk is refused
    if (gate != Gate::ok) {
      // RFC 3030 §2: the chunk follows the command whatever the reply; read it, then refuse. Chunks that were
      // already pipelined after a failed one are expected ("MUST be prepared to accept and discard"): they get
      // the failure again and are no protocol error.
      skip = b->size;
      skip_counts = !(bdat_failed && gate == Gate::need_mail);
      skip_reply = skip_counts ? gate_reply(gate) : *bdat_failed;
      if (b->last) bdat_failed.reset();
      return;
    }
    if (!bdat) {
      begin_message_data();
      bdat.emplace(cfg.max_message_size, cfg.bare_lf, mail->body == core::BodyType::binary_mime, buffer.get());
    }
    phase = Phase::bdat;
    bdat->begin_chunk(b->size, b->last);
    bdat_chunk_active = true;
    bdat_chunk_size = b->size;
  }

  void starttls_command(std::string_view arg) {
    if (!tls.empty()) return refuse(reply::c503_already_tls);
    if (!cfg.tls_available) return refuse(reply::c502_not_implemented);
    if (!arg.empty()) return refuse(with_text(reply::c501_syntax, "Syntax: STARTTLS"));
    send(reply::c220_ready_for_tls);
    phase = Phase::wait_tls;  // process() drops the rest of the input (RFC 3207 §4.2)
    tls_discarded = in.size();
    in.clear();
    actions.emplace_back(StartTls{});
  }

  // ---- end of message ----------------------------------------------------------------------------------------
  // RFC 5321 §4.4: our Received: goes first, before the client's data (never altering existing trace fields);
  // written when the data begins (as Postfix does), so the message streams straight into its buffer.
  void begin_message_data() {
    ReceivedInfo ri;
    ri.helo = helo;
    ri.reverse = peer.reverse;
    ri.ip = peer.ip;
    ri.hostname = cfg.hostname;
    ri.protocol = protocol_keyword(ehlo, !tls.empty(), false, mail->smtputf8);
    ri.tls = tls;
    if (rcpts.size() == 1) ri.for_rcpt = rcpts.front().address;
    ri.date = core::rfc5322_date(clock.now());
    buffer->append(received_header(ri));
  }

  void end_of_data() {
    BodyVerdict v = data->verdict();
    finish_message(v, data->received_count());
  }

  void end_of_chunk() {
    bdat_chunk_active = false;
    BodyVerdict v = bdat->verdict();
    if (v != BodyVerdict::ok && !bdat->done())  // RFC 3030 §2: the transaction failed before its LAST chunk
      bdat_failed = v == BodyVerdict::too_big ? reply::c552_message_too_big : reply::c554_bare_line_ending;
    if (v != BodyVerdict::ok || bdat->done()) return finish_message(v, bdat->received_count());
    send(Reply{250, "2.0.0", std::to_string(bdat_chunk_size) + " octets received"});  // RFC 3030 §2
  }

  void finish_message(BodyVerdict v, std::size_t hops) {
    const MailFrom m = std::move(*mail);
    std::vector<core::Recipient> to = std::move(rcpts);
    std::unique_ptr<core::MessageBuffer> body = std::move(buffer);
    reset_transaction();
    phase = idle_phase();
    if (v == BodyVerdict::too_big) return send(reply::c552_message_too_big);  // RFC 1870 §6.3
    if (v == BodyVerdict::bare_line_ending) return send(reply::c554_bare_line_ending);
    if (hops > cfg.max_received_headers) return send(reply::c554_too_many_hops);  // RFC 5321 §6.3
    if (body->failed()) return send(reply::c451_local_error);  // the data could not be kept (disk full?)

    core::Envelope env;
    env.mail_from = m.reverse_path;
    env.body = m.body;
    env.smtputf8 = m.smtputf8;
    env.dsn_ret = m.ret;
    env.dsn_envid = m.envid;
    env.rcpts = std::move(to);
    env.helo = helo;
    env.peer_ip = peer.ip;
    env.tls = tls;
    env.authenticated = false;
    env.received = clock.now();
    actions.emplace_back(SpoolMessage{std::move(env), std::move(body), ++spool_seq});
    phase = Phase::wait_spool;
  }

  // ---- events ------------------------------------------------------------------------------------------------
  void note_tls_discarded() {
    if (tls_discarded == 0) return;
    log.note(std::to_string(std::exchange(tls_discarded, 0)) + " octets sent after STARTTLS discarded (RFC 3207 §4.2)");
  }

  // Called when an action completed; sends what was deferred and resumes the held input.
  void resume() {
    if (shutdown_pending) return goodbye();
    if (input_overflow) {
      send_with_host(reply::c421_too_much_input);
      return close();
    }
    if (!in.empty()) pump();
  }

  void on_spooled(const SpoolResult& r) {
    if (phase != Phase::wait_spool || r.seq != spool_seq) return;  // stray, or late after on_wait_timeout()
    phase = idle_phase();
    if (r.ok) {
      junk_commands = 0;  // as Postfix: a client that delivers mail is not idling
      errors = 0;
      send(Reply{250, "2.0.0", "Ok: queued as " + r.queue_id});
    } else {
      send(reply_for(r.error));
    }
    resume();
  }

  void on_wait_timeout() {
    if (phase != Phase::wait_spool) return;
    // Not accepted: a 4xx makes the client keep the message and retry (RFC 5321 §4.2.5). Should the spool
    // still write it, the message arrives twice: a duplicate, never a loss, is the safe side (RFC 5321 §6.1).
    phase = idle_phase();
    send(reply::c451_queue_write_error);
    resume();
  }

  void on_shutdown() {
    if (phase == Phase::closed) return;
    switch (phase) {
      case Phase::data:        // a transfer in progress may finish within the drain time: its message is read
      case Phase::bdat:        // to its end and answered first (process() says goodbye at the next command)
      case Phase::wait_spool:  // the spool's answer comes first
      case Phase::wait_tls:    // the handshake completes first
        shutdown_pending = true;
        return;
      default:
        return goodbye();  // between commands: at once
    }
  }

  void on_tls_ready(std::string desc) {
    if (phase != Phase::wait_tls) return;
    // RFC 3207 §4.2: discard all knowledge from before TLS; the client must EHLO again.
    tls = std::move(desc);
    note_tls_discarded();
    helo.clear();
    ehlo = false;
    reset_transaction();
    in.clear();
    discard_line = false;
    line_discarded = 0;
    skip = 0;
    skip_reply.reset();
    phase = Phase::greeting;
    resume();
  }
};

ServerSession::ServerSession(const SessionConfig& cfg, const RecipientPolicy& policy, core::MessageBuffers& buffers,
                             const core::Clock& clock, PeerInfo peer)
    : impl_(std::make_unique<Impl>(cfg, policy, buffers, clock, std::move(peer))) {}

ServerSession::~ServerSession() = default;

void ServerSession::start(std::string tls_desc) {
  impl_->tls = std::move(tls_desc);  // implicit TLS (RFC 8314 §3): no STARTTLS, ESMTPS in Received:
  // RFC 5321 §4.2, §4.3.1: 220 greeting; no enhanced code (RFC 2034 §3).
  impl_->emit("220 " + impl_->cfg.hostname + " ESMTP Axon\r\n");
}

void ServerSession::receive(std::string_view bytes) { impl_->receive(bytes); }

void ServerSession::on_tls_ready(std::string tls_desc) { impl_->on_tls_ready(std::move(tls_desc)); }

void ServerSession::on_tls_failed() {
  if (impl_->phase == Phase::closed) return;
  if (impl_->phase == Phase::wait_tls) impl_->note_tls_discarded();
  impl_->phase = Phase::closed;  // the driver closes; nothing can be said in clear text any more
}

void ServerSession::on_spooled(const SpoolResult& r) { impl_->on_spooled(r); }

void ServerSession::on_wait_timeout() { impl_->on_wait_timeout(); }

void ServerSession::on_idle_timeout() {
  if (impl_->phase == Phase::closed) return;
  impl_->send_with_host(reply::c421_timeout);  // RFC 5321 §4.5.3.2
  impl_->close();
}

void ServerSession::on_shutdown() { impl_->on_shutdown(); }

std::string ServerSession::take_output() { return std::exchange(impl_->out, std::string()); }

std::vector<TranscriptEvent> ServerSession::take_transcript() { return impl_->log.take(); }

std::optional<Action> ServerSession::next_action() {
  if (impl_->actions.empty()) return std::nullopt;
  Action a = std::move(impl_->actions.front());
  impl_->actions.pop_front();
  return a;
}

Phase ServerSession::phase() const { return impl_->phase; }

bool ServerSession::closed() const { return impl_->phase == Phase::closed; }

}  // namespace axon::smtp
