// IMAP quoted strings and literals; see imap_string.h. RFC 9051 §4.3: quoted = DQUOTE *QUOTED-CHAR DQUOTE,
// QUOTED-CHAR excludes CR, LF and (without UTF8=ACCEPT) 8-bit octets; literal = "{" number "}" CRLF *CHAR8,
// CHAR8 excludes NUL. Security: output for clients; see the header.
#include "mime/imap_string.h"

namespace axon::mime {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD for NUL
constexpr int kMaxEscapes = 4;

std::string without_nul(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\0')
      out += kReplacement;
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace

void append_imap_string(std::string& out, std::string_view s) {
  if (s.find('\0') != std::string_view::npos) {
    const std::string clean = without_nul(s);
    append_imap_string(out, clean);
    return;
  }
  bool literal = s.size() > kMaxQuoted;
  int escapes = 0;
  for (char c : s) {
    if (literal) break;
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || u >= 0x80)
      literal = true;
    else if ((c == '"' || c == '\\') && ++escapes > kMaxEscapes)
      literal = true;
  }
  if (literal) {
    out += '{';
    out += std::to_string(s.size());
    out += "}\r\n";
    out.append(s);
    return;
  }
  out.reserve(out.size() + s.size() + escapes + 2);
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_imap_nstring(std::string& out, const std::optional<std::string>& s) {
  if (!s)
    out += "NIL";
  else
    append_imap_string(out, *s);
}

void append_imap_string_nolf(std::string& out, std::string_view s) {
  if (s.find_first_of("\r\n") == std::string_view::npos) {
    append_imap_string(out, s);
    return;
  }
  std::string clean;
  clean.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\r' && c != '\n') {
      clean.push_back(c);
      continue;
    }
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (next != ' ' && next != '\t' && next != '\r' && next != '\n' && next != '\0') clean.push_back(' ');
  }
  append_imap_string(out, clean);
}

void append_imap_nstring_nolf(std::string& out, const std::optional<std::string>& s) {
  if (!s)
    out += "NIL";
  else
    append_imap_string_nolf(out, *s);
}

void append_imap_string_for_humans(std::string& out, std::string_view s) {
  std::string clean;
  clean.reserve(s.size());
  bool special = false;  // needs a literal even when nothing changes
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!clean.empty() && clean.back() != ' ') clean.push_back(' ');
      continue;
    }
    if (c == '\0') {
      clean += kReplacement;
      special = true;
      continue;
    }
    if (c == '"' || c == '\\' || u >= 0x80) special = true;
    clean.push_back(c);
  }
  if (!clean.empty() && clean.back() == ' ') clean.pop_back();
  if (!special && clean == s && clean.size() <= kMaxQuoted) {
    out += '"';
    out += clean;
    out += '"';
  } else if (clean.empty()) {
    out += "\"\"";
  } else {
    out += '{';
    out += std::to_string(clean.size());
    out += "}\r\n";
    out += clean;
  }
}

void append_imap_nstring_for_humans(std::string& out, const std::optional<std::string>& s) {
  if (!s)
    out += "NIL";
  else
    append_imap_string_for_humans(out, *s);
}

}  // namespace axon::mime
