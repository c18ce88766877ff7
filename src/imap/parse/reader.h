// imap::parse::Reader — the tokenizer the command parsers share: RFC 9051 §9 character classes (ATOM-CHAR,
// ASTRING-CHAR, list-char, tag), strings (quoted, literal from the framer's table), numbers, sequence sets,
// mailbox names, flags and dates. Internal to the parser (parse/*.cpp).
// Security: untrusted input; every function checks bounds; the first failure is kept as the BAD reason and all
// later calls fail too, so parsers can chain calls with &&. Literal positions come from the framer, never from
// re-reading "{n}" text.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/command.h"
#include "imap/framer.h"
#include "imap/parser.h"

namespace axon::imap::parse {

enum CharClass : uint8_t {
  kAtom = 1,      // ATOM-CHAR
  kAstring = 2,   // ASTRING-CHAR = ATOM-CHAR / "]"
  kList = 4,      // list-char = ATOM-CHAR / "%" / "*" / "]"
  kTag = 8,       // ASTRING-CHAR except "+"
  kName = 16,     // ALPHA / DIGIT / "." / "-" / "_": keywords with dots (RFC822.SIZE, HEADER.FIELDS)
  kSeq = 32,      // DIGIT / ":" / "," / "*" / "$": sequence-set
  kBase64 = 64,   // ALPHA / DIGIT / "+" / "/"
};

inline constexpr std::array<uint8_t, 256> kClasses = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0x21; c < 0x7F; ++c) {
    const bool special = c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' || c == '\\' || c == ']';
    uint8_t v = 0;
    if (!special) v |= kAtom | kAstring | kList | kTag;
    if (c == ']') v |= kAstring | kList | kTag;
    if (c == '%' || c == '*') v |= kList;
    if (c == '+') v &= static_cast<uint8_t>(~kTag);
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum || c == '.' || c == '-' || c == '_') v |= kName;
    if ((c >= '0' && c <= '9') || c == ':' || c == ',' || c == '*' || c == '$') v |= kSeq;
    if (alnum || c == '+' || c == '/') v |= kBase64;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}();

inline bool is(char c, uint8_t cls) { return (kClasses[static_cast<unsigned char>(c)] & cls) != 0; }

// ASCII case-insensitive comparison with an upper-case keyword (inline: keyword tables are scanned per token).
inline bool keyword_is(std::string_view word, std::string_view upper_keyword) {
  if (word.size() != upper_keyword.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_keyword[i]) return false;
  }
  return true;
}
std::string upper(std::string_view s);

class Reader {
 public:
  Reader(const FramedCommand& cmd, const ParseOptions& opt);

  const ParseOptions& options() const { return opt_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  bool fail(std::string_view reason);  // keeps the first reason; always false

  bool at_end() const { return pos_ >= text_.size(); }
  // The next octet, or '\0' at the end, at a literal, and after a failure.
  char peek() const { return failed() || pos_ >= limit_ ? '\0' : text_[pos_]; }
  bool eat(char c);
  bool expect(char c, std::string_view reason);
  bool sp();          // exactly one SP ("Missing argument" at the end)
  bool end();         // nothing left ("Extra characters after the command")
  bool at_literal() const;

  // 1*octets of a class (empty when none; no failure recorded).
  std::string_view take(uint8_t cls);
  // An atom read as a keyword ("Missing <what>" when empty).
  bool word(std::string_view& out, std::string_view what);
  // Consumes the next atom only when it is `upper_keyword` (case-insensitive, the whole atom).
  bool eat_keyword(std::string_view upper_keyword);

  bool string(std::string& out, std::string_view what);   // quoted / literal
  bool astring(std::string& out, std::string_view what);  // atom of ASTRING-CHAR / string
  bool nstring(std::optional<std::string>& out, std::string_view what);
  bool number(uint32_t& out, std::string_view what);      // 0..4294967295
  bool nz_number(uint32_t& out, std::string_view what);   // 1..4294967295
  bool number64(uint64_t& out, std::string_view what);    // 0..2^63-1
  bool sequence_set(SequenceSet& out);
  bool mailbox(std::string& out);                          // decoded (mailbox_name.h)
  bool list_mailbox(std::string& out);                     // 1*list-char / string, decoded
  bool flag(std::string& out);                             // ["\"] atom
  bool flag_list(std::vector<std::string>& out);           // "(" [flag *(SP flag)] ")"
  bool date(Date& out);                                    // date-text / DQUOTE date-text DQUOTE
  bool date_time(DateTime& out);                           // DQUOTE ... DQUOTE
  // A literal the framer streamed (APPEND message data); "Message literal expected" otherwise.
  bool message_literal(const Literal*& out);

  // Nesting of parentheses: enter() fails past max_depth.
  bool enter();
  void leave() { --depth_; }
  // A list grows by one: fails when it holds max_list_items already.
  bool more(std::size_t size_now, std::string_view what);

 private:
  bool quoted(std::string& out);
  bool literal(std::string& out);
  void set_limit();

  std::string_view text_;
  const std::vector<Literal>& literals_;
  const ParseOptions& opt_;
  std::size_t pos_ = 0;
  std::size_t limit_ = 0;     // the next literal's announcement (tokens never run into it), or the end
  std::size_t next_lit_ = 0;  // the next literal not read yet
  std::size_t depth_ = 0;
  std::string error_;
};

}  // namespace axon::imap::parse
