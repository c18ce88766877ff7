// The RFC 5322 §3.2 lexical tokens that structured header fields are made of (CFWS with nested comments, atoms,
// dot-atoms, quoted strings, phrases, domains) and RFC 2045 §5.1 MIME tokens, over an unfolded header value.
// Lenient like real mail readers: octets >= 0x80 count as atext, line ends count as white space, a line end
// inside a quoted string is folding and dropped.
// Each reader returns the shape shared with mail servers' parsers: < 0 malformed (it may have consumed input),
// 0 the token ended at the end of the value, > 0 the token ended and more input follows (after skipping CFWS).
// Security: runs over untrusted header text; no recursion (comment nesting is a counter), linear time.
#pragma once

#include <string>
#include <string_view>

namespace axon::mime {

// RFC 5322 atext (and octets >= 0x80).
bool is_atext(unsigned char c);
// RFC 2045 §5.1 token characters: atext minus the tspecials "/", "=", "?", plus ".".
bool is_token_char(unsigned char c);

class Lexer {
 public:
  explicit Lexer(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  bool at_end() const { return p_ >= end_; }
  char peek() const { return *p_; }  // only when !at_end()
  void skip() { ++p_; }
  const char* pos() const { return p_; }
  void seek(const char* p) { p_ = p; }
  std::string_view rest() const { return {p_, static_cast<std::size_t>(end_ - p_)}; }

  // Remember the text of the last comment skipped (RFC 5322 comments often hold a display name).
  void keep_comments() { keep_comments_ = true; }
  std::string& last_comment() { return comment_; }

  int skip_cfws();                        // white space, line ends and comments
  int atom(std::string& out);             // 1*atext, then CFWS
  int dot_atom(std::string& out);         // atext *("." atext), CFWS allowed around the dots (RFC 822)
  int mime_token(std::string& out);       // RFC 2045 token (may be empty), then CFWS
  int quoted_string(std::string& out);    // at '"': the unquoted content, then CFWS
  int phrase(std::string& out);           // words (and obs-phrase dots) joined by one space
  int domain(std::string& out);           // at '@': a dot-atom or a [domain literal]

 private:
  int skip_comment();
  int atom_or_dot(std::string& out);
  int domain_literal(std::string& out);

  const char* p_;
  const char* end_;
  bool keep_comments_ = false;
  std::string comment_;
};

}  // namespace axon::mime
