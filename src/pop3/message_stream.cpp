// pop3::MessageStream. RFC 1939 §3 (multi-line responses: byte-stuffing, the terminating ".\r\n"), §7 TOP, §11
// (the size we report is the stored size: our messages are stored with CRLF line ends, so it is the octet count
// as sent before byte-stuffing, which RFC 1939 §11 does not count).
// Security: untrusted message content; linear in its size, output at most twice the input plus the end.
#include "pop3/message_stream.h"

#include <cstring>

namespace axon::pop3 {

void MessageStream::end_of_line() {
  if (body_lines_) {
    // The header ends at the first empty line (RFC 5322 §2.1); a line holding only a CR counts as empty too.
    bool empty = line_octets_ == 0 || (line_octets_ == 1 && prev_cr_);
    if (in_header_) {
      if (empty) {
        in_header_ = false;
        if (*body_lines_ == 0) done_ = true;
      }
    } else if (++body_sent_ >= *body_lines_) {
      done_ = true;
    }
  }
  at_line_start_ = true;
  line_octets_ = 0;
  prev_cr_ = false;
}

bool MessageStream::feed(std::string_view piece, std::string& out) {
  out.reserve(out.size() + piece.size() + piece.size() / 16 + 8);
  std::size_t i = 0;
  while (i < piece.size() && !done_) {
    if (at_line_start_) {
      if (piece[i] == '.') out.push_back('.');  // RFC 1939 §3: byte-stuff a leading termination octet
      at_line_start_ = false;
    }
    // Copy up to the next LF at once.
    const char* lf = static_cast<const char*>(std::memchr(piece.data() + i, '\n', piece.size() - i));
    std::size_t end = lf ? static_cast<std::size_t>(lf - piece.data()) : piece.size();
    if (end > i) {
      out.append(piece.data() + i, end - i);
      line_octets_ += end - i;
      prev_cr_ = piece[end - 1] == '\r';
    }
    i = end;
    if (!lf) break;
    if (!prev_cr_) out.push_back('\r');  // a bare LF becomes CRLF
    out.push_back('\n');
    ++i;
    end_of_line();
  }
  return !done_;
}

void MessageStream::finish(std::string& out) {
  if (!at_line_start_) {  // the message's last line has no line end (or only its CR)
    if (!prev_cr_) out.push_back('\r');
    out.push_back('\n');
  }
  out += ".\r\n";
  at_line_start_ = true;
  done_ = true;
}

}  // namespace axon::pop3
