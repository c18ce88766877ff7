// pop3::MessageStream — turns a stored message into the body of a RETR or TOP response (RFC 1939 §3, §7, §11):
// lines end in CRLF (a bare LF gets its CR, so a client that splits at LF cannot be fooled into an early end),
// a line that begins with "." gets another one (byte-stuffing), a last line without a line end gets one, and the
// response ends with ".\r\n". TOP: the header, the blank line after it, then at most n lines of the body.
// Fed the message in pieces of any size, so a message is never held whole.
// Security: the message is untrusted (anyone can mail it); the output can never contain "\r\n.\r\n" or "\n.\r\n"
// before the real end. Thread-safety: none needed (one per retrieval).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace axon::pop3 {

class MessageStream {
 public:
  // body_lines: nullopt for RETR (everything), n for TOP.
  explicit MessageStream(std::optional<uint64_t> body_lines = std::nullopt) : body_lines_(body_lines) {}
  // Appends the wire form of the next piece of the message to `out`. False once nothing more is wanted (TOP has
  // sent its lines): the caller stops reading and calls finish().
  bool feed(std::string_view piece, std::string& out);
  // The end of the response: CRLF after an unterminated last line, then ".\r\n".
  void finish(std::string& out);
  bool done() const { return done_; }

 private:
  void end_of_line();
  std::optional<uint64_t> body_lines_;
  bool at_line_start_ = true;
  bool prev_cr_ = false;
  uint64_t line_octets_ = 0;  // of the current line so far, its line end excluded
  bool in_header_ = true;
  uint64_t body_sent_ = 0;
  bool done_ = false;
};

}  // namespace axon::pop3
