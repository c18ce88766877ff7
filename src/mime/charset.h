// Charset conversion to UTF-8 for SEARCH, SORT and the decoded text of parts (RFC 2046 §4.1.2 charset parameter,
// RFC 2047 / RFC 2231 charsets). Conversions go through glibc iconv; UTF-8 and US-ASCII (which real mail often
// mislabels) are checked without it. Invalid or truncated sequences become U+FFFD; an unknown charset is reported,
// never guessed.
// Thread-safety: one CharsetDecoder per stream. Security: untrusted bytes and untrusted charset names (only
// letters, digits and "-_.:" are passed to iconv, so "//TRANSLIT"-style suffixes cannot be injected).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace axon::mime {

bool valid_utf8(std::string_view s);
// Appends `s` with every invalid UTF-8 sequence replaced by U+FFFD.
void append_sanitized_utf8(std::string& out, std::string_view s);

// `bytes` in `charset` as UTF-8; nullopt when the charset is unknown.
std::optional<std::string> to_utf8(std::string_view charset, std::string_view bytes);

// Streaming conversion: input may be split anywhere, a multi-octet sequence cut by a chunk boundary is kept for
// the next feed (at most a few octets).
class CharsetDecoder {
 public:
  explicit CharsetDecoder(std::string_view charset);
  ~CharsetDecoder();
  CharsetDecoder(const CharsetDecoder&) = delete;
  CharsetDecoder& operator=(const CharsetDecoder&) = delete;

  bool known() const { return known_; }  // false: feed() passes UTF-8 through, sanitized
  void feed(std::string_view in, std::string& out);
  void finish(std::string& out);

 private:
  void convert(std::string_view in, std::string& out, bool last);
  void* cd_ = nullptr;  // iconv_t
  bool known_ = true;
  bool utf8_ = false;
  std::string pending_;
};

}  // namespace axon::mime
