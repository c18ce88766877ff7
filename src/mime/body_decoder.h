// Content-Transfer-Encoding decoding of a part's body (RFC 2045 §6: 7bit, 8bit, binary pass through; §6.8
// base64; §6.7 quoted-printable), streaming, for IMAP BINARY (RFC 3516), SEARCH and SORT. error() is what
// BINARY needs: an unknown encoding (the UNKNOWN-CTE response code, RFC 3516 §4.3) or invalid data. Decoding is
// lenient anyway (what is broken is skipped or kept literally), so SEARCH still finds text in broken mail.
// Thread-safety: one decoder per stream. Security: untrusted bytes; state is a few octets (base64 quantum, a
// QP escape) plus QP's trailing white space, which is capped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace axon::mime {

enum class Encoding : uint8_t { seven_bit, eight_bit, binary, base64, quoted_printable, unknown };

// The encoding a Content-Transfer-Encoding value names (case-insensitive); none means 7bit (RFC 2045 §6.1).
Encoding encoding_of(const std::optional<std::string>& cte);

class BodyDecoder {
 public:
  explicit BodyDecoder(Encoding e);

  void feed(std::string_view in, std::string& out);
  void finish(std::string& out);
  // Unknown encoding, or data that is not valid in it (a base64 octet outside the alphabet or a cut quantum,
  // a QP "=" not followed by two hex digits or a line end).
  bool error() const { return error_; }

 private:
  void base64(std::string_view in, std::string& out);
  void quoted_printable(std::string_view in, std::string& out);
  void flush_spaces(std::string& out);

  Encoding enc_;
  bool error_ = false;
  // base64
  uint32_t acc_ = 0;
  int bits_ = 0;
  int quantum_ = 0;  // sextets in the current quantum
  bool padded_ = false;
  // quoted-printable
  std::string escape_;  // "=", "=X", "=\r" or "=" + white space awaiting its line end
  std::string spaces_;  // white space that is dropped if a line end follows (RFC 2045 §6.7 rule 3)
  bool cr_ = false;     // a CR awaiting its LF
};

}  // namespace axon::mime
