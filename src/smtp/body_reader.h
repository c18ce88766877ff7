// Streaming readers for message data: DATA (RFC 5321 §4.1.1.4, dot-stuffing §4.5.2) and BDAT chunks (RFC 3030).
// Both are incremental (bytes may be split anywhere), bounded by a size limit past which they keep counting but
// stop buffering, and enforce the bare-LF policy: a bare CR or bare LF is never part of the DATA end-of-data
// sequence, which is only CRLF "." CRLF (SMTP smuggling, CVE-2023-51764/51765/51766); with BareLf::reject any
// bare CR/LF marks the message rejected, with BareLf::normalize each becomes CRLF and so ends a line, whose
// successor loses a leading "." like any line (RFC 5321 §4.5.2) but is never the end of data.
// Security: untrusted bytes before authentication; memory bounded by max_size plus a constant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/message_buffer.h"
#include "smtp/server_session.h"  // BareLf

namespace axon::smtp {

enum class BodyVerdict { ok, too_big, bare_line_ending };

// Counts "Received:" fields in the header section of a message fed in pieces (RFC 5321 §6.3 loop detection),
// as count_received() does over a whole message; stops looking at the end of the header section.
class HopCounter {
 public:
  void feed(std::string_view s);
  std::size_t count() const { return count_; }

 private:
  void end_of_line();
  bool in_header_ = true;
  std::size_t count_ = 0, line_len_ = 0;
  char head_[64] = {};  // the first octets of the current line (a name, white space, the colon)
};

// Collects message octets up to a limit; past the limit, or once rejected, it only counts (discarding state).
// The octets go to `out` when given (the session's MessageBuffer), else into a string (take()).
class BodySink {
 public:
  BodySink(std::size_t max_size, BareLf policy, core::MessageBuffer* out = nullptr)
      : max_(max_size), policy_(policy), out_(out) {}
  void put(std::string_view s);
  void put(char c) { put(std::string_view(&c, 1)); }
  void bare_line_ending();  // a bare CR or LF was seen where a line ending belongs
  bool discarding() const { return too_big_ || rejected_; }
  BodyVerdict verdict() const;
  uint64_t size() const { return size_; }
  std::size_t received_count() const { return hops_.count(); }
  std::string take() { return std::move(data_); }

 private:
  void drop();
  std::size_t max_;
  BareLf policy_;
  core::MessageBuffer* out_;
  HopCounter hops_;
  uint64_t size_ = 0;
  bool too_big_ = false;
  bool rejected_ = false;
  std::string data_;
};

// DATA: from just after the DATA command's CRLF up to and including CRLF "." CRLF.
class DataReader {
 public:
  DataReader(std::size_t max_size, BareLf policy, core::MessageBuffer* out = nullptr) : sink_(max_size, policy, out) {}
  // Consumes octets up to and including the end-of-data; returns how many it took.
  std::size_t feed(std::string_view in);
  bool done() const { return state_ == State::done; }
  BodyVerdict verdict() const { return sink_.verdict(); }
  std::size_t received_count() const { return sink_.received_count(); }
  std::string take_data() { return sink_.take(); }  // CRLF line ends, dot-unstuffed (without `out` only)

 private:
  // line_start: after a real CRLF (or at the start); mid: inside a line; cr: after a CR; dot: after CRLF ".";
  // dot_cr: after CRLF "." CR. After a bare CR or LF (a line ending only once normalized, never part of the
  // end-of-data): soft_start, soft_dot (soft_start "."), soft_dot_cr (soft_start "." CR); for finding the end they
  // are mid, mid and cr, so the policy never moves the end of data.
  enum class State { line_start, mid, cr, dot, dot_cr, soft_start, soft_dot, soft_dot_cr, done };
  void bare_then(char c);  // a bare CR ended the line; c (neither CR nor LF) is the first octet of the next one
  State state_ = State::line_start;
  BodySink sink_;
};

// BDAT: exact octet counts, no dot-stuffing (RFC 3030 §2). One reader per message, fed chunk by chunk.
class BdatReader {
 public:
  // binary: BODY=BINARYMIME, octets are taken as they are (no line-ending policy).
  BdatReader(std::size_t max_size, BareLf policy, bool binary, core::MessageBuffer* out = nullptr)
      : sink_(max_size, policy, out), binary_(binary) {}
  void begin_chunk(uint64_t size, bool last);
  // Consumes at most the octets left in the current chunk; returns how many it took.
  std::size_t feed(std::string_view in);
  bool chunk_done() const { return remaining_ == 0; }
  bool done() const { return done_; }  // the LAST chunk is complete
  uint64_t remaining() const { return remaining_; }
  BodyVerdict verdict() const { return sink_.verdict(); }
  std::size_t received_count() const { return sink_.received_count(); }
  std::string take_data() { return sink_.take(); }

 private:
  void text(std::string_view in);
  BodySink sink_;
  bool binary_;
  uint64_t remaining_ = 0;
  bool last_ = false;
  bool done_ = false;
  bool cr_pending_ = false;  // the previous octet (maybe in the previous chunk) was CR
};

}  // namespace axon::smtp
