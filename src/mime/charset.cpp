// Charset conversion to UTF-8; see charset.h. UTF-8 validation per RFC 3629 §4 (no overlongs, no surrogates,
// nothing above U+10FFFF). Security: untrusted bytes and charset names; output grows linearly with input.
#include "mime/charset.h"

#include <iconv.h>

#include <cerrno>
#include <cstdint>

#include "mime/header_fields.h"

namespace axon::mime {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i], 0 when invalid, -1 when it is cut short by the end of s.
int utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  int n;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  for (int k = 1; k < n; ++k) {
    if (i + static_cast<std::size_t>(k) >= s.size()) return -1;
    const auto d = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
    // Reject overlongs and surrogates as early as the second octet tells.
    if (k == 1) {
      if (n == 3 && cp < 0x20) return 0;                 // overlong (< U+0800)
      if (n == 3 && cp >= 0x360 && cp < 0x380) return 0;  // U+D800..U+DFFF
      if (n == 4 && (cp < 0x10 || cp >= 0x110)) return 0;
    }
  }
  return n;
}

std::string_view normalize(std::string_view charset, std::string& buf) {
  // RFC 2231 §5: "charset*language"; RFC 2047 §2: charset is a token. Only safe names reach iconv.
  std::size_t star = charset.find('*');
  if (star != std::string_view::npos) charset = charset.substr(0, star);
  while (!charset.empty() && (charset.front() == ' ' || charset.front() == '"')) charset.remove_prefix(1);
  while (!charset.empty() && (charset.back() == ' ' || charset.back() == '"')) charset.remove_suffix(1);
  if (charset.empty() || charset.size() > 64) return {};
  buf.clear();
  for (char c : charset) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (!ok) return {};
    buf.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return buf;
}

bool is_utf8_name(std::string_view n) {
  // US-ASCII text with 8-bit octets is nearly always UTF-8 in practice; decoding it as such loses nothing.
  return n == "utf-8" || n == "utf8" || n == "us-ascii" || n == "ascii" || n == "ansi_x3.4-1968" ||
         n == "iso646-us" || n == "us";
}

}  // namespace

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    int n = utf8_sequence(s, i);
    if (n <= 0) return false;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

void append_sanitized_utf8(std::string& out, std::string_view s) {
  std::size_t run = 0;  // start of the current valid run
  for (std::size_t i = 0; i < s.size();) {
    int n = utf8_sequence(s, i);
    if (n > 0) {
      i += static_cast<std::size_t>(n);
      continue;
    }
    // One replacement per octet that is not part of a valid sequence: the same result wherever the input was
    // cut into chunks.
    out.append(s.substr(run, i - run));
    out.append(kReplacement);
    run = ++i;
  }
  out.append(s.substr(run));
}

std::optional<std::string> to_utf8(std::string_view charset, std::string_view bytes) {
  CharsetDecoder d(charset);
  if (!d.known()) return std::nullopt;
  std::string out;
  d.feed(bytes, out);
  d.finish(out);
  return out;
}

CharsetDecoder::CharsetDecoder(std::string_view charset) {
  std::string buf;
  std::string_view name = normalize(charset, buf);
  if (name.empty()) {
    known_ = false;
    utf8_ = true;
    return;
  }
  if (is_utf8_name(name)) {
    utf8_ = true;
    return;
  }
  std::string cname(name);
  iconv_t cd = iconv_open("UTF-8", cname.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    known_ = false;
    utf8_ = true;
    return;
  }
  cd_ = cd;
}

CharsetDecoder::~CharsetDecoder() {
  if (cd_ != nullptr) iconv_close(static_cast<iconv_t>(cd_));
}

void CharsetDecoder::feed(std::string_view in, std::string& out) {
  if (pending_.empty()) {
    convert(in, out, false);
    return;
  }
  // Complete the sequence cut at the end of the last chunk with the first octets of this one.
  const std::size_t k = std::min<std::size_t>(in.size(), 16);
  std::string joined = std::move(pending_);
  pending_.clear();
  joined.append(in.substr(0, k));
  convert(joined, out, false);
  if (k == in.size()) return;
  // What is still pending is a suffix of `joined`; those octets are in `in` too: convert again from there.
  std::size_t left = pending_.size();
  pending_.clear();
  if (left > k) {
    out.append(kReplacement);  // no charset has sequences this long
    left = k;
  }
  convert(in.substr(k - left), out, false);
}

void CharsetDecoder::finish(std::string& out) {
  if (!pending_.empty()) {
    std::string last = std::move(pending_);
    pending_.clear();
    convert(last, out, true);
  }
  if (cd_ != nullptr) {
    // Return a stateful encoding (ISO-2022-JP) to its initial state.
    char buf[64];
    char* op = buf;
    std::size_t ol = sizeof buf;
    iconv(static_cast<iconv_t>(cd_), nullptr, nullptr, &op, &ol);
    out.append(buf, static_cast<std::size_t>(op - buf));
  }
}

void CharsetDecoder::convert(std::string_view in, std::string& out, bool last) {
  if (utf8_) {
    // Keep a sequence cut by the end of the chunk for the next one.
    std::size_t cut = in.size();
    if (!last) {
      std::size_t i = in.size();
      std::size_t back = 0;
      while (i > 0 && back < 4 && (static_cast<unsigned char>(in[i - 1]) & 0xC0) == 0x80) {
        --i;
        ++back;
      }
      if (i > 0 && static_cast<unsigned char>(in[i - 1]) >= 0xC0 && utf8_sequence(in, i - 1) < 0) cut = i - 1;
    }
    append_sanitized_utf8(out, in.substr(0, cut));
    pending_.assign(in.substr(cut));
    return;
  }
  auto cd = static_cast<iconv_t>(cd_);
  char buf[4096];
  char* ip = const_cast<char*>(in.data());
  std::size_t il = in.size();
  while (il > 0) {
    char* op = buf;
    std::size_t ol = sizeof buf;
    std::size_t r = iconv(cd, &ip, &il, &op, &ol);
    const int err = errno;
    out.append(buf, static_cast<std::size_t>(op - buf));
    if (r != static_cast<std::size_t>(-1)) break;
    if (err == E2BIG) continue;
    if (err == EINVAL && !last && il < 16) {
      pending_.assign(ip, il);  // an incomplete sequence at the end: wait for the rest
      return;
    }
    // EILSEQ (or an incomplete sequence at the very end): one replacement character, skip one octet.
    out.append(kReplacement);
    ++ip;
    --il;
  }
}

}  // namespace axon::mime
