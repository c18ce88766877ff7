// RFC 9051 §4.3 (string, literal, quoted), §9 (astring, ASTRING-CHAR, nstring, flag-list, section-spec). RFC 3501
// has the same rules except that quoted strings are 7-bit. Security: the output never carries CR or LF outside a
// literal, so server data cannot inject response lines.
#include "imap/format.h"

#include "imap/mailbox_name.h"
#include "imap/mutf7.h"

namespace axon::imap {

namespace {

// ASTRING-CHAR = ATOM-CHAR / resp-specials; ATOM-CHAR = any CHAR except atom-specials
// (RFC 9051 §9: "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]"); resp-specials = "]".
bool astring_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': return false;
    default: return true;
  }
}

bool is_nil(std::string_view s) {
  return s.size() == 3 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'i' && (s[2] | 0x20) == 'l';
}

void append_literal(std::string& out, std::string_view s) {
  out += '{';
  out += std::to_string(s.size());
  out += "}\r\n";
  out += s;
}

}  // namespace

bool quotable(std::string_view s, bool utf8) {
  if (s.size() > kMaxQuoted) return false;
  bool eight_bit = false;
  for (unsigned char c : s) {
    if (c == 0 || c == '\r' || c == '\n') return false;
    if (c >= 0x80) eight_bit = true;
  }
  return !eight_bit || (utf8 && valid_utf8(s));
}

void append_string(std::string& out, std::string_view s, bool utf8) {
  if (!quotable(s, utf8)) {
    append_literal(out, s);
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_nstring(std::string& out, std::optional<std::string_view> s, bool utf8) {
  if (!s) {
    out += "NIL";
    return;
  }
  append_string(out, *s, utf8);
}

void append_astring(std::string& out, std::string_view s, bool utf8) {
  bool bare = !s.empty() && s.size() <= kMaxQuoted && !is_nil(s);
  for (std::size_t i = 0; bare && i < s.size(); ++i) bare = astring_char(static_cast<unsigned char>(s[i]));
  if (bare) {
    out += s;
    return;
  }
  append_string(out, s, utf8);
}

void append_mailbox(std::string& out, std::string_view name, bool utf8) {
  append_astring(out, encode_mailbox_name(name, utf8), utf8);
}

void append_flag_list(std::string& out, std::span<const std::string> flags) {
  out += '(';
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i) out += ' ';
    out += flags[i];
  }
  out += ')';
}

std::string imap_string(std::string_view s, bool utf8) {
  std::string out;
  append_string(out, s, utf8);
  return out;
}

std::string imap_astring(std::string_view s, bool utf8) {
  std::string out;
  append_astring(out, s, utf8);
  return out;
}

std::string flag_list(std::span<const std::string> flags) {
  std::string out;
  append_flag_list(out, flags);
  return out;
}

std::string section_spec(const Section& s) {
  std::string out;
  for (std::size_t i = 0; i < s.part.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(s.part[i]);
  }
  const char* kind = nullptr;
  switch (s.kind) {
    case Section::Kind::all: return out;
    case Section::Kind::header: kind = "HEADER"; break;
    case Section::Kind::header_fields: kind = "HEADER.FIELDS"; break;
    case Section::Kind::header_fields_not: kind = "HEADER.FIELDS.NOT"; break;
    case Section::Kind::text: kind = "TEXT"; break;
    case Section::Kind::mime: kind = "MIME"; break;
  }
  if (!out.empty()) out += '.';
  out += kind;
  if (s.kind == Section::Kind::header_fields || s.kind == Section::Kind::header_fields_not) {
    out += " (";
    for (std::size_t i = 0; i < s.fields.size(); ++i) {
      if (i) out += ' ';
      append_astring(out, s.fields[i]);
    }
    out += ')';
  }
  return out;
}

}  // namespace axon::imap
