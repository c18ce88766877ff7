// pop3::LineReader — splits the client's bytes into command lines, bounded: a line longer than the limit is
// dropped as it arrives (never buffered beyond the limit) and reported once, as too long, when its LF comes.
// Lines end in LF; a CR before it is removed (RFC 1939 §3 wants CRLF; bare LF is accepted, as Dovecot does).
// Security: sees untrusted bytes; holds at most what one receive() gave plus one partial line of the limit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace axon::pop3 {

class LineReader {
 public:
  struct Line {
    std::string_view text;  // without CR LF; valid until the next call of feed() or clear()
    bool too_long = false;  // the line exceeded the limit: text is empty, the line is gone
  };

  void feed(std::string_view bytes);
  // The next whole line; max_line counts every octet including the CRLF.
  std::optional<Line> next(std::size_t max_line);
  bool has_line() const;  // a whole line (or the end of a dropped one) is waiting
  std::size_t buffered() const { return buf_.size() - pos_; }
  // Forgets everything buffered (after STLS: RFC 2595 §4, no command injection from before the handshake),
  // overwriting it first: buffered lines may hold passwords.
  void clear();

 private:
  std::string buf_;
  std::size_t pos_ = 0;       // start of the unread part
  bool discarding_ = false;   // inside an over-long line: dropping octets up to its LF
};

}  // namespace axon::pop3
