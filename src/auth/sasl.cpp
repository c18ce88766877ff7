// Base64 (RFC 4648 §4) and SASL PLAIN (RFC 4616 §2). See sasl.h.
// Security: untrusted input before authentication; bounded by the caller's line limit, linear work.
#include "auth/sasl.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace axon::auth {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_values() {
  std::array<int8_t, 256> v{};
  for (auto& x : v) x = -1;
  for (int i = 0; i < 64; ++i) v[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return v;
}
constexpr auto kValues = make_values();

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    int pad = 0;
    uint32_t group = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++pad;
        group <<= 6;
        continue;
      }
      int8_t v = kValues[static_cast<unsigned char>(c)];
      if (v < 0 || pad) return std::nullopt;  // not the alphabet, or data after padding
      group = (group << 6) | static_cast<uint32_t>(v);
    }
    // RFC 4648 §3.5: the bits after the data in a padded group must be zero (one spelling per value).
    if ((pad == 1 && (group & 0xFF)) || (pad == 2 && (group & 0xFFFF))) return std::nullopt;
    out.push_back(static_cast<char>(group >> 16));
    if (pad < 2) out.push_back(static_cast<char>((group >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(group & 0xFF));
  }
  return out;
}

std::string encode_base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (std::size_t j = 0; j < 3; ++j)
      group = (group << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
    out.push_back(kAlphabet[(group >> 18) & 63]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    out.push_back(n > 1 ? kAlphabet[(group >> 6) & 63] : '=');
    out.push_back(n > 2 ? kAlphabet[group & 63] : '=');
  }
  return out;
}

std::optional<PlainMessage> parse_plain(std::string_view m) {
  std::size_t a = m.find('\0');
  if (a == std::string_view::npos) return std::nullopt;
  std::size_t b = m.find('\0', a + 1);
  if (b == std::string_view::npos || m.find('\0', b + 1) != std::string_view::npos) return std::nullopt;
  PlainMessage p{std::string(m.substr(0, a)), std::string(m.substr(a + 1, b - a - 1)), std::string(m.substr(b + 1))};
  if (p.authcid.empty() || p.authcid.size() > 255 || p.password.empty() || p.password.size() > 255 ||
      p.authzid.size() > 255) {
    wipe(p.password);
    return std::nullopt;
  }
  return p;
}

void wipe(std::string& secret) {
  volatile char* p = secret.data();
  for (std::size_t i = 0; i < secret.size(); ++i) p[i] = 0;
  secret.clear();
}

}  // namespace axon::auth
