// imap::Deflate — COMPRESS=DEFLATE (RFC 4978): raw deflate (RFC 1951, no zlib header) both ways. Output is
// flushed with Z_SYNC_FLUSH at every take, so the client can decode each response at once; input is inflated a
// bounded piece at a time, so a small compressed stream cannot become a huge buffer.
// Thread-safety: one session's object. Security: untrusted compressed input; inflate's output per call is capped.
#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace axon::imap {

class Deflate {
 public:
  Deflate();
  ~Deflate();
  Deflate(const Deflate&) = delete;
  Deflate& operator=(const Deflate&) = delete;

  bool ok() const { return ok_; }
  // Compresses `plain` and flushes (Z_SYNC_FLUSH).
  std::string compress(std::string_view plain);
  // Queues compressed input.
  void feed(std::string_view compressed) { pending_.append(compressed); }
  bool has_input() const { return !pending_.empty(); }
  // Inflates up to `max` octets of what was fed; false on a broken stream.
  bool inflate_some(std::string& out, std::size_t max);

 private:
  z_stream def_{}, inf_{};
  bool ok_ = false;
  std::string pending_;
};

}  // namespace axon::imap
