// The tokenizer of the IMAP command grammar: RFC 9051 §9 (atom, ASTRING-CHAR, astring, string, quoted,
// QUOTED-CHAR, literal, literal8, nstring, number, nz-number, number64, sequence-set, mailbox, list-mailbox,
// flag, flag-list, date, date-time). Quoted strings may hold UTF-8 (RFC 9051 QUOTED-CHAR; RFC 6855 §3); 8-bit
// in mailbox names is refused unless UTF-8 mode is on (mailbox_name.h).
// Security: untrusted input; bounds-checked, no recursion.
#include "imap/parse/reader.h"

#include "imap/mailbox_name.h"

namespace axon::imap::parse {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

Reader::Reader(const FramedCommand& cmd, const ParseOptions& opt)
    : text_(cmd.text), literals_(cmd.literals), opt_(opt) {
  set_limit();
}

void Reader::set_limit() {
  limit_ = next_lit_ < literals_.size() ? std::min(literals_[next_lit_].header, text_.size()) : text_.size();
  if (limit_ < pos_) limit_ = pos_;  // never reached: literals are in order and tokens stop at the limit
}

bool Reader::fail(std::string_view reason) {
  if (error_.empty()) error_ = reason.empty() ? "Syntax error" : std::string(reason);
  return false;
}

bool Reader::at_literal() const {
  return !failed() && next_lit_ < literals_.size() && literals_[next_lit_].header == pos_;
}

bool Reader::eat(char c) {
  if (peek() != c || c == '\0') return false;
  ++pos_;
  return true;
}

bool Reader::expect(char c, std::string_view reason) { return eat(c) || fail(reason); }

bool Reader::sp() {
  if (failed()) return false;
  if (eat(' ')) return true;
  return fail(at_end() ? "Missing argument" : "Expected a space");
}

bool Reader::end() {
  if (failed()) return false;
  return at_end() || fail("Extra characters after the command");
}

std::string_view Reader::take(uint8_t cls) {
  if (failed()) return {};
  const std::size_t start = pos_;
  while (pos_ < limit_ && is(text_[pos_], cls)) ++pos_;
  return text_.substr(start, pos_ - start);
}

bool Reader::word(std::string_view& out, std::string_view what) {
  out = take(kAtom);
  if (!out.empty()) return true;
  return fail(std::string("Missing ") + std::string(what));
}

bool Reader::eat_keyword(std::string_view upper_keyword) {
  if (failed()) return false;
  std::size_t end = pos_;
  while (end < limit_ && is(text_[end], kAtom)) ++end;
  if (!keyword_is(text_.substr(pos_, end - pos_), upper_keyword)) return false;
  pos_ = end;
  return true;
}

bool Reader::quoted(std::string& out) {
  // DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR: any TEXT-CHAR except quoted-specials, "\" quoted-specials, UTF-8.
  ++pos_;
  out.clear();
  while (pos_ < limit_) {
    const char c = text_[pos_++];
    if (c == '"') return true;
    if (c == '\\') {
      if (pos_ >= limit_ || (text_[pos_] != '"' && text_[pos_] != '\\')) return fail("Invalid escape in quoted string");
      out += text_[pos_++];
      continue;
    }
    if (c == '\0' || c == '\r' || c == '\n') return fail("Invalid character in quoted string");
    out += c;
  }
  return fail("Unterminated quoted string");
}

bool Reader::literal(std::string& out) {
  const Literal& l = literals_[next_lit_];
  if (l.streamed) return fail("Unexpected message literal");
  if (l.binary) return fail("literal8 not allowed here");
  if (l.offset > text_.size() || l.size > text_.size() - l.offset) return fail("Incomplete literal");
  std::string_view data = text_.substr(l.offset, static_cast<std::size_t>(l.size));
  if (data.find('\0') != std::string_view::npos) return fail("NUL in literal");
  out.assign(data);
  pos_ = l.offset + data.size();
  ++next_lit_;
  set_limit();
  return true;
}

bool Reader::message_literal(const Literal*& out) {
  if (failed()) return false;
  if (!at_literal()) return fail("Message literal expected");
  const Literal& l = literals_[next_lit_];
  if (!l.streamed) return fail("Message literal expected");
  out = &l;
  pos_ = l.offset;
  ++next_lit_;
  set_limit();
  return true;
}

bool Reader::string(std::string& out, std::string_view what) {
  if (failed()) return false;
  if (at_literal()) return literal(out);
  if (peek() == '"') return quoted(out);
  return fail(std::string("Missing ") + std::string(what));
}

bool Reader::astring(std::string& out, std::string_view what) {
  if (failed()) return false;
  if (at_literal() || peek() == '"') return string(out, what);
  std::string_view a = take(kAstring);
  if (a.empty()) return fail(at_end() ? "Missing " + std::string(what) : "Invalid " + std::string(what));
  out.assign(a);
  return true;
}

bool Reader::nstring(std::optional<std::string>& out, std::string_view what) {
  if (failed()) return false;
  if (!at_literal() && peek() != '"') {
    std::string_view a = take(kAtom);
    if (keyword_is(a, "NIL")) {
      out.reset();
      return true;
    }
    return fail("Invalid " + std::string(what));
  }
  out.emplace();
  return string(*out, what);
}

bool Reader::number64(uint64_t& out, std::string_view what) {
  if (failed()) return false;
  const std::size_t start = pos_;
  uint64_t v = 0;
  while (pos_ < limit_ && text_[pos_] >= '0' && text_[pos_] <= '9') {
    v = v * 10 + static_cast<unsigned>(text_[pos_] - '0');
    if (v > 0x7FFFFFFFFFFFFFFFull) return fail("Number too big");
    ++pos_;
  }
  if (pos_ == start) return fail("Invalid " + std::string(what));
  out = v;
  return true;
}

bool Reader::number(uint32_t& out, std::string_view what) {
  uint64_t v = 0;
  if (!number64(v, what)) return false;
  if (v > 0xFFFFFFFFu) return fail("Number too big");
  out = static_cast<uint32_t>(v);
  return true;
}

bool Reader::nz_number(uint32_t& out, std::string_view what) {
  if (!number(out, what)) return false;
  return out != 0 || fail("Invalid " + std::string(what));
}

bool Reader::sequence_set(SequenceSet& out) {
  if (failed()) return false;
  std::string_view s = take(kSeq);
  if (s.empty()) return fail(at_end() ? "Missing sequence set" : "Invalid sequence set");
  auto set = SequenceSet::parse(s, opt_.max_ranges);
  if (!set) return fail(set.error());
  out = std::move(*set);
  return true;
}

bool Reader::mailbox(std::string& out) {
  std::string raw;
  if (!astring(raw, "mailbox name")) return false;
  auto name = decode_mailbox_name(raw, opt_.utf8);
  if (!name) return fail("Invalid mailbox name");
  out = std::move(*name);
  return true;
}

bool Reader::list_mailbox(std::string& out) {
  if (failed()) return false;
  std::string raw;
  if (at_literal() || peek() == '"') {
    if (!string(raw, "mailbox pattern")) return false;
  } else {
    std::string_view a = take(kList);
    if (a.empty()) return fail(at_end() ? "Missing mailbox pattern" : "Invalid mailbox pattern");
    raw.assign(a);
  }
  auto name = decode_mailbox_name(raw, opt_.utf8);
  if (!name) return fail("Invalid mailbox name");
  out = std::move(*name);
  return true;
}

bool Reader::flag(std::string& out) {
  if (failed()) return false;
  const std::size_t start = pos_;
  eat('\\');
  if (take(kAtom).empty()) return fail(at_end() ? "Missing flag" : "Invalid flag");
  out.assign(text_.substr(start, pos_ - start));
  return true;
}

bool Reader::flag_list(std::vector<std::string>& out) {
  if (!expect('(', "Expected a flag list")) return false;
  out.clear();
  if (eat(')')) return true;
  do {
    if (!more(out.size(), "flags")) return false;
    out.emplace_back();
    if (!flag(out.back())) return false;
  } while (eat(' '));
  return expect(')', "Invalid flag list");
}

bool Reader::date(Date& out) {
  if (failed()) return false;
  std::string s;
  if (peek() == '"') {
    if (!quoted(s)) return false;
  } else {
    s.assign(take(kAtom));
  }
  auto d = parse_date(s);
  if (!d) return fail(s.empty() && at_end() ? "Missing date" : "Invalid date");
  out = *d;
  return true;
}

bool Reader::date_time(DateTime& out) {
  if (failed()) return false;
  std::string s;
  if (peek() != '"') return fail("Invalid date-time");
  if (!quoted(s)) return false;
  auto d = parse_date_time(s);
  if (!d) return fail("Invalid date-time");
  out = *d;
  return true;
}

bool Reader::enter() {
  if (failed()) return false;
  if (++depth_ > opt_.max_depth) return fail("Too deeply nested");
  return true;
}

bool Reader::more(std::size_t size_now, std::string_view what) {
  if (failed()) return false;
  if (size_now >= opt_.max_list_items) return fail("Too many " + std::string(what));
  return true;
}

}  // namespace axon::imap::parse
