// imap::Framer — splits the client's byte stream into complete IMAP commands (RFC 9051 §2.2, §4.3), sans-I/O.
// It is fed bytes in chunks of any size and hands back frames one at a time:
//   command        a complete command (command()): its lines and small literals, for parse_command()
//   continuation   a synchronizing literal "{n}" fits the limits: send "+ OK" now, or call refuse_literal() and
//                  answer the tag instead (the client then does not send the literal, RFC 9051 §7.5)
//   literal_begin, literal_data, literal_end
//                  APPEND message data (a message literal, CATENATE TEXT, UTF8 (~{n})) handed out piece by piece
//                  as it arrives, never buffered here: memory stays bounded whatever the APPENDLIMIT
//   refused        a limit was hit; the command is over (anything streamed for it is void): answer the tag
//                  (frame.tag; empty when unreadable: "* BAD") and, when frame.fatal, close after the answer
//   idle_done, idle_other, auth_line, auth_cancel
//                  the one line the session asked for with expect_idle() / expect_auth_line()
// Literals: "{n}" synchronizing, "{n+}" non-synchronizing (LITERAL+, RFC 7888; with only LITERAL-, those
// over 4096 octets are refused), "~{n}" literal8 (BINARY, RFC 3516 §4.1). Stream sync on refusal: a refused
// synchronizing literal is never sent by the client, so the next octets are a new command; a refused
// non-synchronizing literal is already on its way, so the refusal is fatal (BAD [TOOBIG], then close).
// Security: untrusted bytes before authentication. Every buffer is bounded by FramerLimits: lines by max_line
// (an over-long line is discarded up to its LF, never buffered), a command by max_command (message literals
// excluded: they stream), literals by max_literals and max_message_literal. No octet after the frame returned
// is consumed, so the session can switch modes (IDLE, AUTHENTICATE, STARTTLS, COMPRESS) between frames.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace axon::imap {

struct FramerLimits {
  std::size_t max_line = 64 * 1024;           // one line outside literals, without CRLF (Dovecot's default)
  std::size_t max_command = 256 * 1024;       // a command's lines and literals, APPEND message data excluded
  uint64_t max_message_literal = 50u << 20;   // one APPEND message literal (advertise it as APPENDLIMIT, RFC 7889)
  std::size_t max_literals = 256;             // literals in one command, message literals included
  bool literal_plus = true;                   // LITERAL+ advertised; false: only LITERAL- (non-sync <= 4096)
};

// One literal of a command, as announced.
struct Literal {
  std::size_t header = 0;        // offset in FramedCommand::text of its announcement: "{" or the "~" of "~{"
  std::size_t offset = 0;        // offset in text of its octets (streamed: nothing is stored there)
  uint64_t size = 0;
  bool binary = false;           // literal8 "~{n}" (RFC 3516)
  bool non_sync = false;         // "{n+}" (RFC 7888)
  bool streamed = false;         // APPEND message data, handed out by literal_* frames
  std::size_t stream_index = 0;  // streamed: 0 for the command's first streamed literal, 1 for the next, ...
};

// A command as framed: `text` holds its lines without their line endings, each literal's octets right after the
// announcement that ends its line (except streamed ones). parse_command() reads it.
struct FramedCommand {
  std::string text;
  std::vector<Literal> literals;
};

enum class FrameKind : uint8_t {
  need_more,      // all input consumed, nothing to report: feed more
  command,        // command() is complete
  continuation,   // send "+ ..." for frame.literal (or refuse_literal())
  literal_begin,  // frame.literal: a streamed literal starts
  literal_data,   // frame.data: the next octets of it (a view into the input)
  literal_end,    // frame.literal, frame.nul
  refused,        // frame.refusal, frame.fatal, frame.tag
  idle_done,      // expect_idle(): the client sent "DONE" (any case)
  idle_other,     // expect_idle(): another line (frame.data); IDLE ends all the same (answer BAD)
  auth_line,      // expect_auth_line(): a SASL response line (frame.data: base64 text)
  auth_cancel,    // expect_auth_line(): "*" (RFC 9051 §6.2.2: answer BAD)
};

enum class Refusal : uint8_t {
  none,
  line_too_long,      // a line over max_line: BAD
  command_too_big,    // the command's lines and small literals over max_command: BAD [TOOBIG]
  message_too_big,    // an APPEND message literal over max_message_literal: NO [TOOBIG] (RFC 7889)
  too_many_literals,  // over max_literals: BAD
  literal_minus,      // a non-synchronizing literal over 4096 octets without LITERAL+: BAD [TOOBIG] (RFC 7888)
};

struct Frame {
  FrameKind kind = FrameKind::need_more;
  std::string_view data;             // literal_data, idle_other, auth_line
  Literal literal;                   // continuation, literal_begin, literal_end
  bool nul = false;                  // literal_end: the literal held a NUL octet (only literal8 may, RFC 3516)
  Refusal refusal = Refusal::none;   // refused
  bool fatal = false;                // refused: the stream is out of sync; close after answering
  std::string_view tag;              // refused: the command's tag; empty when none could be read
};

class Framer {
 public:
  explicit Framer(FramerLimits limits = {}) : limits_(limits) {}

  // New limits (e.g. larger ones after authentication); they apply from the next line or literal on.
  void set_limits(const FramerLimits& limits) { limits_ = limits; }
  const FramerLimits& limits() const { return limits_; }

  // Consumes octets from the front of `in` up to the end of the next frame and returns it. The session loops
  // until need_more (then `in` is empty), handling each frame before asking for the next: views in a frame and
  // command() stay valid until the next call.
  Frame next(std::string_view& in);

  // The command being framed: complete after a command frame; during continuation and literal_* frames the part
  // received so far (up to the literal's announcement), e.g. to check APPEND's mailbox (append_mailbox()).
  const FramedCommand& command() const { return cmd_; }

  // Right after a continuation frame: do not take the literal; the command is over (answer its tag NO or BAD)
  // and the next octets are a new command.
  void refuse_literal();

  // The next line ends IDLE (RFC 9051 §6.3.13) / is a SASL response (RFC 9051 §6.2.2); then back to commands.
  void expect_idle() { mode_ = Mode::idle; }
  void expect_auth_line() { mode_ = Mode::auth; }

  bool closed() const { return state_ == State::closed; }  // after a fatal refusal all input is ignored

 private:
  enum class State : uint8_t { line, small_literal, stream, discard, closed };
  enum class Mode : uint8_t { command, idle, auth };

  Frame end_of_line();
  Frame refuse(Refusal r, bool fatal);
  void start_discard(Refusal r, std::string_view chunk);
  void keep_tail(std::string_view s);
  void reset();

  FramerLimits limits_;
  FramedCommand cmd_;
  State state_ = State::line;
  Mode mode_ = Mode::command;
  std::size_t line_start_ = 0;     // where the current line starts in cmd_.text
  uint64_t remaining_ = 0;         // octets left of the current literal
  std::size_t streamed_ = 0;       // streamed literals so far in this command
  bool append_ = false;            // the command is APPEND (known from its first line)
  bool nul_ = false;               // the streamed literal had a NUL
  bool pending_begin_ = false;     // literal_begin is due before the literal's octets
  bool reset_due_ = false;         // the last frame ended the command: start afresh on the next call
  bool can_refuse_ = false;        // the last frame was a continuation
  Refusal discard_reason_ = Refusal::none;
  std::string tail_;               // the last octets of a discarded line (to see a literal announcement)
  std::string tag_;
};

}  // namespace axon::imap
