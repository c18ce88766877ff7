// Modified UTF-7, RFC 3501 §5.1.3 (unchanged in RFC 9051 §5.1.3), with base64 from RFC 2045 §6.8 as modified
// there; UTF-8 per RFC 3629 §3-4. Security: untrusted input; linear, output at most a small multiple of input.
#include "imap/mutf7.h"

#include <vector>

namespace axon::imap {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool printable(uint32_t cp) { return cp >= 0x20 && cp <= 0x7E; }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Base64 of UTF-16BE units, without padding (RFC 3501 §5.1.3).
void append_shift(std::string& out, const std::vector<uint16_t>& units) {
  out += '&';
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += kB64[(bits >> nbits) & 0x3F];
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out += kB64[(bits << (6 - nbits)) & 0x3F];
  out += '-';
}

}  // namespace

bool next_code_point(std::string_view s, std::size_t& i, uint32_t& cp) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  if (i >= n) return false;
  unsigned char c = p[i];
  if (c < 0x80) {
    cp = c;
    ++i;
    return true;
  }
  std::size_t len;
  uint32_t v, min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, v = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, v = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (n - i < len) return false;
  for (std::size_t k = 1; k < len; ++k) {
    if ((p[i + k] & 0xC0) != 0x80) return false;
    v = (v << 6) | (p[i + k] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
  cp = v;
  i += len;
  return true;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  uint32_t cp;
  while (i < s.size()) {
    // Fast path for ASCII runs.
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    if (!next_code_point(s, i, cp)) return false;
  }
  return true;
}

std::optional<std::string> mutf7_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  bool after_shift = false;  // the previous thing was a base64 shift
  std::vector<uint16_t> units;
  while (i < s.size()) {
    char c = s[i];
    if (!printable(static_cast<unsigned char>(c))) return std::nullopt;
    if (c != '&') {
      out += c;
      ++i;
      after_shift = false;
      continue;
    }
    ++i;
    if (i < s.size() && s[i] == '-') {  // "&-" is "&"
      out += '&';
      ++i;
      after_shift = false;
      continue;
    }
    if (after_shift) return std::nullopt;  // an encoder joins adjacent shifts into one
    units.clear();
    uint32_t bits = 0;
    int nbits = 0;
    while (i < s.size() && s[i] != '-') {
      int v = b64_value(s[i]);
      if (v < 0) return std::nullopt;
      bits = ((bits << 6) | static_cast<uint32_t>(v)) & 0xFFFFFF;
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        units.push_back(static_cast<uint16_t>(bits >> nbits));
        bits &= (1u << nbits) - 1;
      }
      ++i;
    }
    if (i >= s.size()) return std::nullopt;  // no closing "-"
    ++i;
    // At most 4 leftover bits, all zero: the base64 ends on the last UTF-16 unit.
    if (units.empty() || nbits >= 6 || bits != 0) return std::nullopt;
    for (std::size_t k = 0; k < units.size(); ++k) {
      uint32_t u = units[k];
      uint32_t cp;
      if (u >= 0xD800 && u <= 0xDBFF) {
        if (k + 1 >= units.size()) return std::nullopt;
        uint32_t lo = units[++k];
        if (lo < 0xDC00 || lo > 0xDFFF) return std::nullopt;
        cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      } else if (u >= 0xDC00 && u <= 0xDFFF) {
        return std::nullopt;
      } else {
        cp = u;
      }
      if (printable(cp)) return std::nullopt;  // must have been written as itself
      append_utf8(out, cp);
    }
    after_shift = true;
  }
  return out;
}

std::optional<std::string> mutf7_encode(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + utf8.size() / 2);
  std::vector<uint16_t> units;
  std::size_t i = 0;
  while (i < utf8.size()) {
    uint32_t cp;
    if (!next_code_point(utf8, i, cp)) return std::nullopt;
    if (printable(cp)) {
      if (!units.empty()) {
        append_shift(out, units);
        units.clear();
      }
      if (cp == '&') {
        out += "&-";
      } else {
        out += static_cast<char>(cp);
      }
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push_back(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      units.push_back(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      units.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!units.empty()) append_shift(out, units);
  return out;
}

}  // namespace axon::imap
