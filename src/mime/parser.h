// mime::Parser — a streaming, sans-I/O MIME parser (RFC 5322 §2.2-2.3 header and body, RFC 2045 §5-6, RFC 2046
// §5.1 multipart boundaries, §5.2 message/rfc822, RFC 6532 §3.5 message/global). feed() takes the message in
// chunks split anywhere; finish() returns the Summary. It never fails: any octets give a Summary; what is
// malformed is shown the way Dovecot shows it (text/plain, a multipart with no parts), and CRLF and bare LF line
// ends are both accepted.
// Boundaries follow Dovecot's matching: a line "--" + a prefix that is an open boundary (the longest wins, so an
// inner boundary may extend an outer one), closing when "--" follows; an outer boundary also ends every part
// inside it; a boundary line ends a part's header too.
// Memory is bounded by Limits, not by the message: bodies are scanned line by line with memchr and never copied;
// a header line is kept up to max_header_bytes; fields are kept only when IMAP needs them.
// Thread-safety: one Parser per message, no shared state. Security: untrusted message octets, after SMTP
// acceptance (possibly from unauthenticated senders); linear time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mime/summary.h"

namespace axon::mime {

struct Limits {
  // Parts nested deeper are shown as opaque application/octet-stream leaves (Dovecot: 100). At most 256.
  uint32_t max_depth = 100;
  // Parts past this count are not created; their octets stay in the enclosing body (Dovecot: 10000).
  uint32_t max_parts = 10000;
  // Header octets kept per part: a longer header line is cut there, and the fields IMAP needs (Content-*, the
  // envelope fields) are dropped once a part's kept fields exceed it. Offsets still count every octet.
  uint32_t max_header_bytes = 64 * 1024;
  // Field octets kept for the whole message (what the Summary holds). Past it fields are dropped, except that a
  // Content-Type still gives the type, subtype and boundary, so the structure stays right.
  uint32_t max_total_header_bytes = 1024 * 1024;
  // Longer boundary parameters are cut to this length (RFC 2046 allows 70). Matching is by prefix, so a cut
  // boundary still finds its delimiter lines, but its close delimiter reads as one more delimiter. At most 998.
  uint32_t max_boundary = 200;
};

class Parser {
 public:
  explicit Parser(Limits limits = {});
  ~Parser();
  Parser(Parser&&) noexcept;
  Parser& operator=(Parser&&) noexcept;

  void feed(std::string_view chunk);
  // Ends the message (an unterminated last line, header or boundary counts as complete) and returns what was
  // learned. The parser must not be fed afterwards.
  Summary finish();

 private:
  struct Node;
  struct Boundary {
    std::string text;
    uint32_t node;  // the multipart it belongs to (an open node)
  };
  enum class State : uint8_t { header, body };

  const char* header_bytes(const char* p, const char* end);
  const char* body_bytes(const char* p, const char* end);
  const char* body_lines(const char* p, const char* end);
  const char* head_bytes(const char* p, const char* end);
  void header_line(std::string_view content, uint8_t eol, bool cut);
  bool check_boundary(std::string_view line, int eol);
  void boundary_line_done(uint8_t eol);

  // Header fields.
  bool over_budget(const Node& n, uint64_t more, bool content_type) const;
  void start_field(std::string_view line, bool cut);
  void continue_field(std::string_view line, bool cut);
  void finish_field();
  void take_field(Node& n, std::string_view name, std::string_view value);

  // Parts.
  uint32_t open_node(uint64_t header_start, bool message_level, bool in_multipart);
  void finalize_header(uint32_t index);
  void end_of_header(uint64_t body_start);
  void close_node(uint64_t end, uint64_t end_lf);
  void downgrade(Node& n);
  void begin_region(State s);
  Part build(uint32_t index, std::vector<std::vector<uint32_t>>& children);

  Limits limits_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> open_;          // open nodes, outermost first
  std::vector<Boundary> boundaries_;    // boundaries of open multiparts, outermost first
  State state_ = State::header;

  uint64_t offset_ = 0;      // octets consumed
  uint64_t lf_count_ = 0;    // line feeds consumed
  uint64_t line_start_ = 0;  // offset of the current line
  uint64_t line_lf_ = 0;     // lf_count_ at the start of the current line
  bool at_line_start_ = true;
  bool first_line_ = true;   // the current line is the first of its header or body
  uint8_t prev_eol_ = 0;     // length of the line end before the current line (1 or 2)
  bool last_cr_ = false;     // the last octet consumed was CR

  // A header line spanning chunks (kept up to max_header_bytes).
  std::string line_;
  // The start of a body line that may be a boundary, spanning chunks (kept up to max_boundary + 4).
  std::string head_;
  bool in_head_ = false;
  // After a boundary matched before its line end: the rest of that line is skipped.
  bool skip_rest_ = false;
  bool pending_child_ = false;  // a child part begins after the skipped line end

  // The header field being read.
  std::string field_name_, field_value_;
  bool field_open_ = false, field_keep_ = false;

  uint64_t total_kept_ = 0;  // field octets kept for the whole message
  bool truncated_ = false;
  bool finished_ = false;
};

}  // namespace axon::mime
