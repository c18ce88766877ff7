// pop3::LineReader. See line_reader.h. Security: untrusted bytes; the over-long line is dropped, not kept.
#include "pop3/line_reader.h"

#include <cstring>

#include "auth/sasl.h"

namespace axon::pop3 {

void LineReader::feed(std::string_view bytes) {
  if (pos_ > 0) {  // views handed out before are no longer in use: compact, wiping what was read
    std::memset(buf_.data(), 0, pos_);
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  if (discarding_ && buf_.empty()) {  // still inside an over-long line: drop up to its LF at once
    std::size_t lf = bytes.find('\n');
    if (lf == std::string_view::npos) return;
    bytes.remove_prefix(lf);  // next() reports the line when it reaches this LF
  }
  buf_.append(bytes);
}

std::optional<LineReader::Line> LineReader::next(std::size_t max_line) {
  std::size_t lf = buf_.find('\n', pos_);
  if (lf == std::string::npos) {
    if (buf_.size() - pos_ >= max_line) {  // no LF within the limit: this line is too long; drop what we have
      discarding_ = true;
      std::memset(buf_.data() + pos_, 0, buf_.size() - pos_);
      buf_.resize(pos_);
    }
    return std::nullopt;
  }
  std::size_t start = pos_;
  pos_ = lf + 1;
  if (discarding_ || lf + 1 - start > max_line) {
    discarding_ = false;
    return Line{{}, true};
  }
  std::string_view text(buf_.data() + start, lf - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return Line{text, false};
}

bool LineReader::has_line() const { return buf_.find('\n', pos_) != std::string::npos; }

void LineReader::clear() {
  auth::wipe(buf_);
  pos_ = 0;
  discarding_ = false;
}

}  // namespace axon::pop3
