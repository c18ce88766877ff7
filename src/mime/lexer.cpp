// RFC 5322 §3.2 / RFC 2045 §5.1 lexical tokens; see lexer.h.
// Security: untrusted header text; every loop advances, no recursion.
#include "mime/lexer.h"

#include <array>

namespace axon::mime {

namespace {

// 1: atext, 2: atext but an RFC 2045 tspecial ("/", "=", "?"). Octets >= 0x80 are atext (8-bit headers).
constexpr std::array<unsigned char, 256> make_classes() {
  std::array<unsigned char, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = 1;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = 1;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = 1;
  for (char c : std::string_view("!#$%&'*+-^_`{|}~")) t[static_cast<unsigned char>(c)] = 1;
  for (char c : std::string_view("/=?")) t[static_cast<unsigned char>(c)] = 2;
  for (int c = 0x80; c < 0x100; ++c) t[c] = 1;
  return t;
}

constexpr auto kClasses = make_classes();

bool is_wsp_or_eol(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

bool is_atext(unsigned char c) { return kClasses[c] != 0; }
bool is_token_char(unsigned char c) { return kClasses[c] == 1 || c == '.'; }

int Lexer::skip_comment() {
  // RFC 5322 §3.2.2: comments nest; quoted-pair escapes one character.
  if (keep_comments_) comment_.clear();
  int level = 1;
  const char* start = ++p_;
  for (; p_ < end_; ++p_) {
    if (*p_ == '(') {
      ++level;
    } else if (*p_ == ')') {
      if (--level == 0) {
        if (keep_comments_) comment_.append(start, p_);
        ++p_;
        return p_ < end_ ? 1 : 0;
      }
    } else if (*p_ == '\\') {
      if (keep_comments_) comment_.append(start, p_);
      start = p_ + 1;
      if (++p_ >= end_) return -1;
    }
  }
  return -1;  // missing ')'
}

int Lexer::skip_cfws() {
  while (p_ < end_) {
    if (is_wsp_or_eol(*p_)) {
      ++p_;
      continue;
    }
    if (*p_ != '(') break;
    if (skip_comment() < 0) return -1;
  }
  return p_ < end_ ? 1 : 0;
}

int Lexer::atom(std::string& out) {
  if (p_ >= end_ || !is_atext(*p_)) return -1;
  const char* start = p_++;
  while (p_ < end_ && is_atext(*p_)) ++p_;
  out.append(start, p_);
  return skip_cfws();
}

int Lexer::dot_atom(std::string& out) {
  if (p_ >= end_ || !is_atext(*p_)) return -1;
  while (true) {
    const char* start = p_;
    while (p_ < end_ && is_atext(*p_)) ++p_;
    out.append(start, p_);
    int r = skip_cfws();
    if (r <= 0) return r;
    if (*p_ != '.') return 1;
    ++p_;
    out.push_back('.');
    r = skip_cfws();
    if (r <= 0) return r;
  }
}

int Lexer::mime_token(std::string& out) {
  const char* start = p_;
  while (p_ < end_ && is_token_char(*p_)) ++p_;
  out.append(start, p_);
  return p_ < end_ ? skip_cfws() : 0;
}

int Lexer::quoted_string(std::string& out) {
  // RFC 5322 §3.2.4; folding inside the quotes is dropped.
  const char* start = ++p_;
  for (; p_ < end_; ++p_) {
    switch (*p_) {
      case '"':
        out.append(start, p_);
        ++p_;
        return skip_cfws();
      case '\n': {
        const char* e = p_;
        if (e > start && e[-1] == '\r') --e;
        out.append(start, e);
        start = p_ + 1;
        break;
      }
      case '\\':
        out.append(start, p_);
        if (++p_ >= end_) return -1;
        start = p_;
        break;
      default:
        break;
    }
  }
  return -1;  // missing '"'
}

int Lexer::atom_or_dot(std::string& out) {
  const char* start = p_;
  while (p_ < end_ && (is_atext(*p_) || *p_ == '.')) ++p_;
  out.append(start, p_);
  return p_ < end_ ? skip_cfws() : 0;
}

int Lexer::phrase(std::string& out) {
  // phrase = 1*word / obs-phrase; obs-phrase = word *(word / "." / CFWS)
  if (p_ >= end_) return 0;
  if (*p_ == '.') return -1;
  while (true) {
    const char* before = p_;
    int r = *p_ == '"' ? quoted_string(out) : atom_or_dot(out);
    if (r <= 0) return r;
    if (p_ == before) return 1;  // nothing a word can start with
    if (!is_atext(*p_) && *p_ != '"' && *p_ != '.') break;
    out.push_back(' ');
  }
  return skip_cfws();
}

int Lexer::domain_literal(std::string& out) {
  const char* start = p_;
  for (; p_ < end_; ++p_) {
    if (*p_ == '\\') {
      if (++p_ >= end_) break;
    } else if (*p_ == ']') {
      ++p_;
      out.append(start, p_);
      return skip_cfws();
    }
  }
  return -1;  // missing ']'
}

int Lexer::domain(std::string& out) {
  ++p_;  // '@'
  if (skip_cfws() <= 0) return -1;
  return *p_ == '[' ? domain_literal(out) : dot_atom(out);
}

}  // namespace axon::mime
