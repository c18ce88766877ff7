// bench messages: header fields (RFC 5322 §3.6), then body lines of 76 characters plus CRLF, the last ones cut
// so that the message is exactly the size asked. The text varies with the recipient and index (a cheap
// xorshift), so no two messages are alike.
// Security: produces bytes only; no input.
#include "message.h"

#include <cstdint>
#include <stdexcept>

namespace bench {

namespace {
constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

std::uint64_t seed_of(std::string_view s, std::size_t index) {
  std::uint64_t h = 1469598103934665603ull ^ (index * 0x9e3779b97f4a7c15ull);
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h | 1;
}

// A line of `len` octets: `len - 2` text characters (words separated by spaces, never starting with "." or
// a space) and CRLF.
void append_line(std::string& out, std::size_t len, std::uint64_t& x) {
  const std::size_t chars = len - 2;
  for (std::size_t i = 0; i < chars; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const bool space = i > 0 && i + 1 < chars && (x % 7) == 0 && out.back() != ' ';
    out += space ? ' ' : kAlphabet[x % kAlphabet.size()];
  }
  out += "\r\n";
}
}  // namespace

std::string make_message(std::string_view rcpt, std::size_t index, std::size_t size) {
  if (size < 512) throw std::invalid_argument("message size under 512");
  std::string m;
  m.reserve(size);
  // A fixed date, so that every run and both servers see the same bytes.
  m += "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n";
  m += "From: Bench Sender <sender@bench.test>\r\n";
  m += "To: <";
  m += rcpt;
  m += ">\r\nSubject: bench message ";
  m += std::to_string(index);
  m += "\r\nMessage-ID: <";
  m += std::to_string(index);
  m += '.';
  m += rcpt;
  m += ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  if (m.size() + 8 > size) throw std::invalid_argument("message size too small for its header");
  std::uint64_t x = seed_of(rcpt, index);
  std::size_t left = size - m.size();
  while (left > 0) {
    std::size_t len = left < 78 ? left : 78;
    // Never leave a remainder too short for a line of its own (one character and CRLF).
    if (left - len > 0 && left - len < 3) len = left - 3;
    append_line(m, len, x);
    left -= len;
  }
  return m;
}

std::size_t seeded_size(std::size_t nominal, std::size_t index) {
  return nominal / 2 + (index * 7919) % (nominal + 1);
}

std::string to_lf(std::string_view crlf) {
  std::string out;
  out.reserve(crlf.size());
  for (std::size_t i = 0; i < crlf.size(); ++i) {
    if (crlf[i] == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n') continue;
    out += crlf[i];
  }
  return out;
}

}  // namespace bench
