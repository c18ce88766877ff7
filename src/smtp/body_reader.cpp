// DATA and BDAT readers. RFC 5321 §4.1.1.4 (end of data), §4.5.2 (transparency), §2.3.8 (CRLF only);
// RFC 3030 §2 (BDAT chunks). SMTP smuggling defence: end-of-data is recognised only as CRLF "." CRLF.
// Security: untrusted bytes before authentication; bounded by the size limit.
#include "smtp/body_reader.h"

#include <algorithm>

namespace axon::smtp {

void HopCounter::feed(std::string_view s) {
  for (std::size_t i = 0; in_header_ && i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n') {
      end_of_line();
      continue;
    }
    if (line_len_ < sizeof head_) head_[line_len_] = c;
    ++line_len_;
  }
}

// The same rules as count_received(): an empty line ends the header section; a line that does not start with
// white space and whose name (before ':', trailing white space removed) is "Received" counts.
void HopCounter::end_of_line() {
  std::size_t len = line_len_;
  line_len_ = 0;
  if (len > 0 && len <= sizeof head_ && head_[len - 1] == '\r') --len;
  if (len == 0) {  // RFC 5322 §2.1
    in_header_ = false;
    return;
  }
  if (head_[0] == ' ' || head_[0] == '\t') return;
  std::string_view head(head_, std::min(len, sizeof head_));
  auto colon = head.find(':');
  if (colon == std::string_view::npos) return;
  auto name = head.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name.size() == 8) {
    static constexpr std::string_view kReceived = "received";
    bool same = true;
    for (std::size_t k = 0; k < 8 && same; ++k)
      same = (static_cast<unsigned char>(name[k]) | 0x20) == static_cast<unsigned char>(kReceived[k]);
    if (same) ++count_;
  }
}

void BodySink::put(std::string_view s) {
  size_ += s.size();
  if (discarding()) return;
  if (size_ > max_) {  // RFC 1870 §6.3: keep reading, answer 552 5.3.4 at the end
    too_big_ = true;
    drop();
    return;
  }
  hops_.feed(s);
  if (out_)
    out_->append(s);
  else
    data_.append(s);
}

void BodySink::bare_line_ending() {
  if (policy_ == BareLf::reject) {
    rejected_ = true;
    drop();
  } else {
    put("\r\n");  // normalize: a bare CR or a bare LF is one line ending
  }
}

void BodySink::drop() {
  data_.clear();
  data_.shrink_to_fit();
}

BodyVerdict BodySink::verdict() const {
  if (too_big_) return BodyVerdict::too_big;
  if (rejected_) return BodyVerdict::bare_line_ending;
  return BodyVerdict::ok;
}

namespace {
// End of the run of octets from `i` that are neither CR nor LF: they need no state machine.
std::size_t plain_run_end(std::string_view in, std::size_t i) {
  auto j = in.find_first_of("\r\n", i);
  return j == std::string_view::npos ? in.size() : j;
}
}  // namespace

// A bare CR ended the line (normalized or refused by the sink) and `c`, neither CR nor LF, starts the next one.
// RFC 5321 §4.5.2: that line loses a leading "." like any other, but it can never be the end of data.
void DataReader::bare_then(char c) {
  sink_.bare_line_ending();
  if (c == '.') {
    state_ = State::soft_dot;
  } else {
    sink_.put(c);
    state_ = State::mid;
  }
}

std::size_t DataReader::feed(std::string_view in) {
  std::size_t i = 0;
  const std::size_t n = in.size();
  // A bare LF ends the line (normalized or refused by the sink); the next one starts softly.
  auto bare_lf = [this] {
    sink_.bare_line_ending();
    state_ = State::soft_start;
  };
  while (i < n && state_ != State::done) {
    if (state_ == State::mid) {
      // Fast path: copy a run of ordinary octets at once.
      if (std::size_t j = plain_run_end(in, i); j > i) {
        sink_.put(in.substr(i, j - i));
        i = j;
        continue;
      }
    }
    const char c = in[i++];
    switch (state_) {
      case State::line_start:
      case State::soft_start:
        if (c == '.') state_ = state_ == State::line_start ? State::dot : State::soft_dot;
        else if (c == '\r') state_ = State::cr;
        else if (c == '\n') bare_lf();
        else { sink_.put(c); state_ = State::mid; }
        break;
      case State::mid:
        if (c == '\r') state_ = State::cr;
        else bare_lf();  // '\n' without CR
        break;
      case State::cr:
        if (c == '\n') { sink_.put("\r\n"); state_ = State::line_start; }
        else if (c == '\r') sink_.bare_line_ending();  // the earlier CR was bare; this one is pending
        else bare_then(c);
        break;
      case State::dot:
      case State::soft_dot:
        // RFC 5321 §4.5.2: a line starting with "." and other characters loses that first ".". A "." followed
        // by a bare LF is not end of data ("\r\n.\n" smuggling); the lone dot is kept as the line's content.
        if (c == '\r') state_ = state_ == State::dot ? State::dot_cr : State::soft_dot_cr;
        else if (c == '\n') { sink_.put('.'); bare_lf(); }
        else { sink_.put(c); state_ = State::mid; }
        break;
      case State::dot_cr:
        if (c == '\n') state_ = State::done;  // RFC 5321 §4.1.1.4: CRLF "." CRLF, and nothing else
        else if (c == '\r') { sink_.put('.'); sink_.bare_line_ending(); state_ = State::cr; }
        else { sink_.put('.'); bare_then(c); }
        break;
      case State::soft_dot_cr:
        // A lone "." after a bare line ending ("\n.\r\n"): never the end of data (SMTP smuggling); kept.
        sink_.put('.');
        if (c == '\n') { sink_.put("\r\n"); state_ = State::line_start; }
        else if (c == '\r') { sink_.bare_line_ending(); state_ = State::cr; }
        else bare_then(c);
        break;
      case State::done:
        break;
    }
  }
  return i;
}

void BdatReader::begin_chunk(uint64_t size, bool last) {
  remaining_ = size;
  last_ = last;
  if (remaining_ == 0 && last_) {
    if (cr_pending_) sink_.bare_line_ending();
    cr_pending_ = false;
    done_ = true;
  }
}

std::size_t BdatReader::feed(std::string_view in) {
  if (done_) return 0;
  const std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(remaining_, in.size()));
  if (binary_) sink_.put(in.substr(0, take));  // RFC 3030 §3: BINARYMIME octets are taken as they are
  else text(in.substr(0, take));
  remaining_ -= take;
  if (remaining_ == 0 && last_) {
    if (cr_pending_) sink_.bare_line_ending();  // a CR as the very last octet is bare
    cr_pending_ = false;
    done_ = true;
  }
  return take;
}

// 7BIT / 8BITMIME text in BDAT: line ends must be CRLF (RFC 5321 §2.3.8); CR and LF may straddle chunks.
void BdatReader::text(std::string_view in) {
  std::size_t i = 0;
  const std::size_t n = in.size();
  while (i < n) {
    if (!cr_pending_) {
      if (std::size_t j = plain_run_end(in, i); j > i) {
        sink_.put(in.substr(i, j - i));
        i = j;
        continue;
      }
    }
    const char c = in[i++];
    if (c == '\r') {
      if (cr_pending_) sink_.bare_line_ending();
      cr_pending_ = true;
    } else if (c == '\n') {
      if (cr_pending_) sink_.put("\r\n");
      else sink_.bare_line_ending();
      cr_pending_ = false;
    } else {
      sink_.bare_line_ending();  // cr_pending_ is set here: the CR was bare
      cr_pending_ = false;
      sink_.put(c);
    }
  }
}

}  // namespace axon::smtp
