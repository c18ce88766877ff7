// Framing of IMAP commands: RFC 9051 §2.2.1 (commands are lines; a literal's announcement ends a line and its
// octets follow), §4.3 (literal, literal8 = "~{" number64 "}" in RFC 9051 §9), §7.5 (command continuation
// request); RFC 7888 (LITERAL+, LITERAL-: non-synchronizing literals); RFC 3516 (literal8); RFC 3502 MULTIAPPEND
// and RFC 4469 CATENATE (several message literals in one APPEND); RFC 7889 APPENDLIMIT.
// Security: untrusted bytes before authentication. cmd_.text never grows past max_command + 1 (a line past
// max_line + 1 is discarded, keeping only its last octets to see a literal announcement); message literals are
// views into the caller's input. Lines end at LF; a CR before it is dropped (bare LF is tolerated).
#include "imap/framer.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace axon::imap {

namespace {

constexpr std::size_t kTailKeep = 32;          // enough for "~{18446744073709551615+}" and a CR
constexpr uint64_t kLiteralMinusMax = 4096;    // RFC 7888: LITERAL- allows non-sync literals up to 4096 octets
constexpr std::size_t kMaxTag = 256;           // longer tags are not read back for a refusal

bool digit(char c) { return c >= '0' && c <= '9'; }

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (upper(a[i]) != upper(b[i])) return false;
  return true;
}

struct Header {
  std::size_t pos = 0;  // where "{" or "~{" starts in the line
  uint64_t size = 0;    // saturated
  bool binary = false;
  bool non_sync = false;
};

// A literal announcement at the end of a line: ["~"] "{" 1*DIGIT ["+"] "}". With quotes_checked, one inside an
// unterminated quoted string is not an announcement.
std::optional<Header> literal_header(std::string_view line, bool check_quotes) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  std::size_t j = line.size() - 1;
  Header h;
  if (j > 0 && line[j - 1] == '+') {
    h.non_sync = true;
    --j;
  }
  std::size_t k = j;
  while (k > 0 && digit(line[k - 1])) --k;
  if (k == j || k == 0 || line[k - 1] != '{') return std::nullopt;
  for (std::size_t i = k; i < j; ++i) {
    unsigned d = static_cast<unsigned>(line[i] - '0');
    h.size = h.size > (UINT64_MAX - d) / 10 ? UINT64_MAX : h.size * 10 + d;
  }
  h.pos = k - 1;
  if (h.pos > 0 && line[h.pos - 1] == '~') {
    h.binary = true;
    --h.pos;
  }
  if (check_quotes) {
    bool quoted = false;
    for (std::size_t i = 0; i < h.pos; ++i) {
      if (quoted && line[i] == '\\') {
        ++i;
      } else if (line[i] == '"') {
        quoted = !quoted;
      }
    }
    if (quoted) return std::nullopt;
  }
  return h;
}

// tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051 §9), up to the first SP. Empty when not a valid tag.
std::string_view read_tag(std::string_view text) {
  std::size_t sp = text.find(' ');
  std::string_view tag = text.substr(0, sp);
  if (tag.empty() || tag.size() > kMaxTag) return {};
  for (unsigned char c : tag) {
    if (c <= 0x20 || c >= 0x7F) return {};
    switch (c) {
      case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case '+': return {};
      default: break;
    }
  }
  return tag;
}

// "tag SP APPEND SP ...": the command name of the first line.
bool is_append(std::string_view first_line) {
  std::size_t a = first_line.find(' ');
  if (a == std::string_view::npos) return false;
  std::string_view rest = first_line.substr(a + 1);
  return rest.size() > 7 && iequals(rest.substr(0, 6), "APPEND") && rest[6] == ' ';
}

}  // namespace

void Framer::reset() {
  cmd_.text.clear();
  cmd_.literals.clear();
  line_start_ = 0;
  streamed_ = 0;
  append_ = false;
  pending_begin_ = false;
  reset_due_ = false;
}

void Framer::refuse_literal() {
  if (!can_refuse_) return;
  can_refuse_ = false;
  state_ = State::line;
  reset_due_ = true;
}

Frame Framer::refuse(Refusal r, bool fatal) {
  Frame f;
  f.kind = FrameKind::refused;
  f.refusal = r;
  f.fatal = fatal;
  if (mode_ == Mode::command) {
    if (state_ != State::discard) tag_ = read_tag(cmd_.text);
    f.tag = tag_;
  }
  mode_ = Mode::command;
  state_ = fatal ? State::closed : State::line;
  reset_due_ = true;
  return f;
}

void Framer::keep_tail(std::string_view s) {
  if (s.size() >= kTailKeep) {
    tail_.assign(s.substr(s.size() - kTailKeep));
    return;
  }
  tail_.append(s);
  if (tail_.size() > kTailKeep) tail_.erase(0, tail_.size() - kTailKeep);
}

void Framer::start_discard(Refusal r, std::string_view chunk) {
  discard_reason_ = r;
  if (mode_ == Mode::command) {
    // The tag is at the start of the command: in cmd_.text, or in this chunk when the first line is this long.
    // Only the octets within the limit count, so the result does not depend on how the input was split.
    const std::size_t fit = r == Refusal::line_too_long ? line_start_ + limits_.max_line + 1 : limits_.max_command + 1;
    std::string head = cmd_.text.substr(0, std::min({cmd_.text.size(), kMaxTag + 1, fit}));
    const std::size_t want = std::min(kMaxTag + 1, fit);
    if (head.size() < want) head.append(chunk.substr(0, want - head.size()));
    tag_ = read_tag(head.find(' ') == std::string::npos ? std::string_view{} : std::string_view(head));
  }
  tail_.clear();
  keep_tail(std::string_view(cmd_.text).substr(line_start_));
  keep_tail(chunk);
  state_ = State::discard;
}

Frame Framer::next(std::string_view& in) {
  if (reset_due_) reset();
  can_refuse_ = false;
  if (state_ == State::closed) {
    in = {};
    return {};
  }
  if (pending_begin_) {
    pending_begin_ = false;
    Frame f;
    f.kind = FrameKind::literal_begin;
    f.literal = cmd_.literals.back();
    return f;
  }
  while (true) {
    switch (state_) {
      case State::closed: in = {}; return {};

      case State::line: {
        if (in.empty()) return {};
        const void* lf = std::memchr(in.data(), '\n', in.size());
        const std::size_t take = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - in.data()) : in.size();
        const std::size_t line_len = cmd_.text.size() - line_start_;
        // +1: room for the CR before the LF, dropped at the end of the line.
        if (line_len + take > limits_.max_line + 1) {
          start_discard(Refusal::line_too_long, in.substr(0, take));
          in.remove_prefix(take);
          continue;
        }
        if (mode_ == Mode::command && cmd_.text.size() + take > limits_.max_command + 1) {
          start_discard(Refusal::command_too_big, in.substr(0, take));
          in.remove_prefix(take);
          continue;
        }
        cmd_.text.append(in.data(), take);
        in.remove_prefix(take);
        if (!lf) return {};
        in.remove_prefix(1);
        if (cmd_.text.size() > line_start_ && cmd_.text.back() == '\r') cmd_.text.pop_back();
        if (cmd_.text.size() - line_start_ > limits_.max_line) {  // max_line + 1 octets and no CR
          auto h = literal_header(std::string_view(cmd_.text).substr(line_start_), false);
          return refuse(Refusal::line_too_long, mode_ == Mode::command && h && h->non_sync);
        }
        Frame f = end_of_line();
        if (f.kind != FrameKind::need_more) return f;
        continue;  // a small non-synchronizing literal follows
      }

      case State::small_literal: {
        if (remaining_ > 0) {
          if (in.empty()) return {};
          const std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(remaining_, in.size()));
          cmd_.text.append(in.data(), take);
          in.remove_prefix(take);
          remaining_ -= take;
          if (remaining_ > 0) return {};
        }
        line_start_ = cmd_.text.size();
        state_ = State::line;
        continue;
      }

      case State::stream: {
        Frame f;
        if (remaining_ == 0) {
          f.kind = FrameKind::literal_end;
          f.literal = cmd_.literals.back();
          f.nul = nul_;
          line_start_ = cmd_.text.size();
          state_ = State::line;
          return f;
        }
        if (in.empty()) return {};
        const std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(remaining_, in.size()));
        f.kind = FrameKind::literal_data;
        f.data = in.substr(0, take);
        if (!nul_ && std::memchr(f.data.data(), 0, f.data.size())) nul_ = true;
        in.remove_prefix(take);
        remaining_ -= take;
        return f;
      }

      case State::discard: {
        if (in.empty()) return {};
        const void* lf = std::memchr(in.data(), '\n', in.size());
        const std::size_t take = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - in.data()) : in.size();
        keep_tail(in.substr(0, take));
        in.remove_prefix(take);
        if (!lf) return {};
        in.remove_prefix(1);
        if (!tail_.empty() && tail_.back() == '\r') tail_.pop_back();
        // A non-synchronizing literal announced at the end of the discarded line is on its way: out of sync.
        auto h = literal_header(tail_, false);
        return refuse(discard_reason_, mode_ == Mode::command && h && h->non_sync);
      }
    }
  }
}

Frame Framer::end_of_line() {
  const std::string_view line = std::string_view(cmd_.text).substr(line_start_);
  Frame f;
  if (mode_ == Mode::idle) {
    mode_ = Mode::command;
    reset_due_ = true;
    f.kind = iequals(line, "DONE") ? FrameKind::idle_done : FrameKind::idle_other;
    f.data = line;
    return f;
  }
  if (mode_ == Mode::auth) {
    mode_ = Mode::command;
    reset_due_ = true;
    f.kind = line == "*" ? FrameKind::auth_cancel : FrameKind::auth_line;
    f.data = line;
    return f;
  }
  auto h = literal_header(line, true);
  if (!h) {
    reset_due_ = true;
    f.kind = FrameKind::command;
    return f;
  }
  if (line_start_ == 0) append_ = is_append(line);
  if (cmd_.literals.size() >= limits_.max_literals) return refuse(Refusal::too_many_literals, h->non_sync);
  if (h->non_sync && !limits_.literal_plus && h->size > kLiteralMinusMax) return refuse(Refusal::literal_minus, true);

  // In APPEND every literal is message data (the message, a CATENATE TEXT part, UTF8 (~{n})) except the mailbox
  // name (the third token of the first line) and a CATENATE URL.
  bool message = false;
  if (append_) {
    const std::string_view before = line.substr(0, h->pos);
    const bool mailbox = line_start_ == 0 && before.find(' ') != before.rfind(' ') &&
                         before.find(' ', before.find(' ') + 1) == before.size() - 1;
    const bool url = before.size() >= 4 && iequals(before.substr(before.size() - 4), "URL ");
    message = !mailbox && !url;
  }
  const uint64_t room = limits_.max_command - std::min(cmd_.text.size(), limits_.max_command);
  if (message ? h->size > limits_.max_message_literal : h->size > room)
    return refuse(message ? Refusal::message_too_big : Refusal::command_too_big, h->non_sync);

  Literal lit;
  lit.header = line_start_ + h->pos;
  lit.offset = cmd_.text.size();
  lit.size = h->size;
  lit.binary = h->binary;
  lit.non_sync = h->non_sync;
  lit.streamed = message;
  if (message) lit.stream_index = streamed_++;
  cmd_.literals.push_back(lit);
  remaining_ = h->size;
  nul_ = false;
  state_ = message ? State::stream : State::small_literal;
  if (!h->non_sync) {
    pending_begin_ = message;
    can_refuse_ = true;
    f.kind = FrameKind::continuation;
    f.literal = lit;
    return f;
  }
  if (message) {
    f.kind = FrameKind::literal_begin;
    f.literal = lit;
    return f;
  }
  return f;  // need_more: next() goes on reading the literal
}

}  // namespace axon::imap
