// RFC 2047 encoded-word decoding; see encoded_word.h. §2 syntax, §4.1 B encoding, §4.2 Q encoding, §6.2 white
// space between adjacent encoded words; RFC 2231 §5 language suffix.
// Security: untrusted header text; each octet is looked at a bounded number of times.
#include "mime/encoded_word.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "mime/charset.h"
#include "mime/header_fields.h"

namespace axon::mime {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

struct Word {
  std::string_view charset;
  std::string bytes;
  std::size_t end = 0;  // index just past "?="
};

// RFC 2047 §2 allows 75 octets; mailers write longer ones, but a bound keeps the search linear.
constexpr std::size_t kMaxWord = 1000;

// An encoded word at s[i] ("=?charset?B|Q?text?="), or nullopt.
std::optional<Word> parse_word(std::string_view all, std::size_t i) {
  const std::string_view s = all.substr(0, std::min(all.size(), i + kMaxWord));
  const std::size_t q1 = s.find('?', i + 2);
  if (q1 == std::string_view::npos || q1 == i + 2 || q1 + 3 > s.size() || s[q1 + 2] != '?') return std::nullopt;
  const char enc = s[q1 + 1];
  const std::size_t text = q1 + 3;
  const std::size_t q2 = s.find("?=", text);
  if (q2 == std::string_view::npos) return std::nullopt;
  const std::string_view charset = s.substr(i + 2, q1 - i - 2);
  if (charset.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  const std::string_view body = s.substr(text, q2 - text);
  Word w;
  w.charset = charset;
  w.end = q2 + 2;
  if (enc == 'B' || enc == 'b') {
    if (!decode_base64(body, w.bytes)) return std::nullopt;
  } else if (enc == 'Q' || enc == 'q') {
    for (std::size_t k = 0; k < body.size(); ++k) {
      const char c = body[k];
      if (c == '_') {
        w.bytes.push_back(' ');
      } else if (c == '=' && k + 2 < body.size() && hex_value(body[k + 1]) >= 0 && hex_value(body[k + 2]) >= 0) {
        w.bytes.push_back(static_cast<char>(hex_value(body[k + 1]) * 16 + hex_value(body[k + 2])));
        k += 2;
      } else {
        w.bytes.push_back(c);
      }
    }
  } else {
    return std::nullopt;
  }
  return w;
}

bool charset_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

bool decode_base64(std::string_view in, std::string& out) {
  uint32_t acc = 0;
  int bits = 0;
  bool padded = false;
  for (char c : in) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '=') {
      padded = true;
      continue;
    }
    const int v = base64_value(c);
    if (v < 0 || padded) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

std::string decode_header(std::string_view raw) {
  std::string out;
  std::string pending;            // decoded octets of adjacent words in one charset
  std::string_view pending_charset;
  auto flush = [&] {
    if (pending_charset.empty() && pending.empty()) return;
    if (auto utf8 = to_utf8(pending_charset, pending))
      out += *utf8;
    else
      append_sanitized_utf8(out, pending);  // cannot happen: unknown charsets never get here
    pending.clear();
    pending_charset = {};
  };
  std::size_t text_start = 0;  // start of text not yet copied
  bool after_word = false;     // the last thing copied was an encoded word
  std::size_t i = 0;
  while (i < raw.size()) {
    const std::size_t next = raw.find("=?", i);
    if (next == std::string_view::npos) break;
    auto w = parse_word(raw, next);
    if (!w) {
      i = next + 2;
      continue;
    }
    CharsetDecoder probe(w->charset);
    if (!probe.known()) {
      i = w->end;  // stays as raw text
      continue;
    }
    // Text between the previous word and this one: dropped if only white space (RFC 2047 §6.2).
    std::string_view between = raw.substr(text_start, next - text_start);
    const bool blank = between.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (!(after_word && blank)) {
      flush();
      std::string unfolded;
      for (char c : between)
        if (c != '\r' && c != '\n') unfolded.push_back(c);
      append_sanitized_utf8(out, unfolded);
    }
    if (!pending_charset.empty() && !charset_equal(pending_charset, w->charset)) flush();
    pending_charset = w->charset;
    pending += w->bytes;
    after_word = true;
    text_start = i = w->end;
  }
  flush();
  std::string unfolded;
  for (char c : raw.substr(text_start))
    if (c != '\r' && c != '\n') unfolded.push_back(c);
  append_sanitized_utf8(out, unfolded);
  return out;
}

std::optional<std::string> param_utf8(const std::vector<Param>& params, std::string_view name) {
  for (const auto& p : params) {
    const std::string_view n = p.name;
    if (n.size() == name.size() + 1 && n.back() == '*' && iequals_ascii(n.substr(0, name.size()), name)) {
      // RFC 2231 §4: charset'language'percent-encoded octets.
      const std::size_t q1 = p.value.find('\'');
      const std::size_t q2 = q1 == std::string::npos ? q1 : p.value.find('\'', q1 + 1);
      if (q2 == std::string::npos) break;
      const std::string_view charset = std::string_view(p.value).substr(0, q1);
      std::string bytes;
      for (std::size_t i = q2 + 1; i < p.value.size(); ++i) {
        if (p.value[i] == '%' && i + 2 < p.value.size() && hex_value(p.value[i + 1]) >= 0 &&
            hex_value(p.value[i + 2]) >= 0) {
          bytes.push_back(static_cast<char>(hex_value(p.value[i + 1]) * 16 + hex_value(p.value[i + 2])));
          i += 2;
        } else {
          bytes.push_back(p.value[i]);
        }
      }
      if (auto utf8 = to_utf8(charset.empty() ? std::string_view("us-ascii") : charset, bytes)) return utf8;
      std::string out;
      append_sanitized_utf8(out, bytes);
      return out;
    }
  }
  if (const Param* p = find_param(params, name)) return decode_header(p->value);
  return std::nullopt;
}

}  // namespace axon::mime
