#include "core/address.h"

#include <cctype>
#include <cstdint>

namespace axon::core {

namespace {

bool is_atext(unsigned char c) {
  // RFC 5322 §3.2.3 atext
  if (std::isalnum(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '/':
    case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

// Checks that bytes >= 0x80 form valid UTF-8 sequences (RFC 3629), no overlongs or surrogates.
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c < 0x80) { ++i; continue; }
    size_t n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

bool valid_dot_string(std::string_view s, bool utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (unsigned char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_atext(c) && !(utf8 && c >= 0x80)) {
      return false;
    }
    prev = static_cast<char>(c);
  }
  return !utf8 || valid_utf8(s);
}

}  // namespace

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string Address::key() const { return to_lower_ascii(local) + "@" + to_lower_ascii(domain); }

bool valid_domain(std::string_view d, bool allow_utf8) {
  if (d.empty() || d.size() > 255) return false;
  if (d.front() == '[') {
    // address-literal, RFC 5321 §4.1.3: accept IPv4 dotted quad or "IPv6:" followed by hex, ':' and '.'.
    if (d.back() != ']' || d.size() < 3) return false;
    std::string_view in = d.substr(1, d.size() - 2);
    bool v6 = in.size() > 5 && iequals(in.substr(0, 5), "IPv6:");
    if (v6) in.remove_prefix(5);
    for (unsigned char c : in)
      if (!(std::isxdigit(c) || c == '.' || (v6 && c == ':'))) return false;
    return !in.empty();
  }
  if (allow_utf8 && !valid_utf8(d)) return false;
  size_t start = 0;
  while (start <= d.size()) {
    size_t dot = d.find('.', start);
    std::string_view label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label)
      if (!(std::isalnum(c) || c == '-' || (allow_utf8 && c >= 0x80))) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

std::optional<Address> parse_mailbox(std::string_view s, bool allow_utf8) {
  if (s.empty() || s.size() > 64 + 1 + 255) return std::nullopt;
  std::string local;
  size_t at;
  if (s.front() == '"') {
    // Quoted-string: qtextSMTP / quoted-pairSMTP (RFC 5321 §4.1.2)
    size_t i = 1;
    local.push_back('"');
    bool closed = false;
    while (i < s.size()) {
      unsigned char c = s[i];
      if (c == '\\') {
        if (i + 1 >= s.size()) return std::nullopt;
        unsigned char q = s[i + 1];
        if (q < 32 || q > 126) return std::nullopt;
        local.push_back('\\');
        local.push_back(static_cast<char>(q));
        i += 2;
        continue;
      }
      if (c == '"') { closed = true; ++i; break; }
      if ((c < 32 || c == 127) || (c >= 0x80 && !allow_utf8)) return std::nullopt;
      local.push_back(static_cast<char>(c));
      ++i;
    }
    if (!closed) return std::nullopt;
    local.push_back('"');
    if (i >= s.size() || s[i] != '@') return std::nullopt;
    at = i;
    if (allow_utf8 && !valid_utf8(local)) return std::nullopt;
  } else {
    at = s.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    local = std::string(s.substr(0, at));
    if (!valid_dot_string(local, allow_utf8)) return std::nullopt;
  }
  // RFC 5321 §4.5.3.1.1: local part at most 64 octets (the quotes of a Quoted-string not counted).
  if (local.size() - (local.front() == '"' ? 2 : 0) > 64) return std::nullopt;
  std::string_view domain = s.substr(at + 1);
  if (!valid_domain(domain, allow_utf8)) return std::nullopt;
  return Address{std::move(local), to_lower_ascii(domain)};
}

}  // namespace axon::core
