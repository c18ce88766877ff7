// bench::ResponseReader: splits an IMAP server's byte stream into whole responses (RFC 3501 §7, RFC 9051 §7):
// a response is a line ending in CRLF, continued after each literal "{n}" CRLF and its n octets (§4.3), so that a
// FETCH carrying message data is one response. Literal octets are counted, and copied only when the caller asks
// (set_literal_sink); the rest of the text is kept, the literal markers in place, up to max_text per response.
// Security: reads a server's bytes (the benchmark's own, on loopback); a response past max_text or a literal
// past kMaxLiteral is an error, never buffered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct Response {
  enum class Kind { untagged, continuation, tagged };
  Kind kind = Kind::untagged;
  std::string text;                   // the response without its literals' octets and without CRLFs
  std::vector<std::size_t> literals;  // sizes of the literals in it, in order
  // For tagged responses: the tag and the status word (OK, NO, BAD), upper-cased.
  std::string tag;
  std::string status;
  // For untagged responses "* <number> <word> ..." or "* <word> ...": the number (0 when none) and the word
  // (EXISTS, EXPUNGE, FETCH, OK, BYE, CAPABILITY, ...), upper-cased.
  std::uint32_t number = 0;
  std::string word;
};

class ResponseReader {
 public:
  static constexpr std::size_t kMaxLiteral = std::size_t{1} << 31;

  explicit ResponseReader(std::size_t max_text = std::size_t{4} << 20) : max_text_(max_text) {}

  // Literal octets from now on are appended to *sink (nullptr: only counted).
  void set_literal_sink(std::string* sink) { sink_ = sink; }
  void reset() {
    cur_ = Response{};
    in_literal_ = false;
    literal_left_ = 0;
  }

  // Consumes bytes; calls on_response(Response&) for every complete response. Returns false, with *error set,
  // when the stream is not IMAP as expected; the reader must not be fed again then.
  template <class F>
  bool feed(std::string_view bytes, F&& on_response, std::string* error) {
    while (!bytes.empty()) {
      if (in_literal_) {
        const std::size_t n = bytes.size() < literal_left_ ? bytes.size() : literal_left_;
        if (sink_) sink_->append(bytes.data(), n);
        literal_left_ -= n;
        bytes.remove_prefix(n);
        if (literal_left_ == 0) in_literal_ = false;
        continue;
      }
      const std::size_t lf = bytes.find('\n');
      const std::string_view part = bytes.substr(0, lf);
      if (cur_.text.size() + part.size() > max_text_) {
        *error = "response longer than " + std::to_string(max_text_) + " bytes";
        return false;
      }
      cur_.text.append(part);
      if (lf == std::string_view::npos) return true;
      bytes.remove_prefix(lf + 1);
      if (!cur_.text.empty() && cur_.text.back() == '\r') cur_.text.pop_back();
      std::size_t literal = 0;
      switch (literal_at_end(cur_.text, &literal)) {
        case LiteralEnd::none:
          if (!finish(error)) return false;
          on_response(cur_);
          cur_ = Response{};
          break;
        case LiteralEnd::literal:
          cur_.literals.push_back(literal);
          if (literal > 0) {
            in_literal_ = true;
            literal_left_ = literal;
          }
          break;
        case LiteralEnd::bad:
          *error = "literal too large in: " + cur_.text.substr(0, 200);
          return false;
      }
    }
    return true;
  }

 private:
  enum class LiteralEnd { none, literal, bad };
  static LiteralEnd literal_at_end(std::string_view line, std::size_t* size);
  bool finish(std::string* error);

  std::size_t max_text_;
  std::string* sink_ = nullptr;
  Response cur_;
  bool in_literal_ = false;
  std::size_t literal_left_ = 0;
};

// Helpers on response text.
// The value of the number after "NAME " in text (e.g. "RFC822.SIZE 4096"), or -1.
long long number_after(std::string_view text, std::string_view name);
// The capability list in a "* CAPABILITY ..." response or a "[CAPABILITY ...]" response code, upper-cased and
// space-separated with a leading and trailing space (" IMAP4REV1 LITERAL+ "), or "" when the text has none.
std::string capabilities_in(std::string_view text);

}  // namespace bench
