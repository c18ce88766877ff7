// mime::Summary — what the parser learns about a message, once, when it is stored: the tree of MIME parts with
// their byte ranges in the message and the header fields IMAP reports (RFC 9051 §7.5.2 BODYSTRUCTURE and
// ENVELOPE, RFC 2045 §5-6, RFC 2183, RFC 3066 Content-Language, RFC 2557 Content-Location). FETCH renders from it
// (render.h) and reads byte ranges of the stored file (section.h); serialize.h keeps it in the database.
// Values are raw header text (folding line ends removed, encoded words not decoded); parameters are merged per
// RFC 2231 but not decoded (decode.h does that for SEARCH).
// Thread-safety: plain values. Security: built from untrusted message bytes; every string in it is bounded by
// the parser's Limits, and deserialize() checks the same invariants the parser guarantees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace axon::mime {

struct Param {
  std::string name;   // as given ("charset", "filename*" for an RFC 2231 extended value)
  std::string value;  // unquoted; RFC 2231 continuations merged, extended values still charset'lang'%XX
  bool operator==(const Param&) const = default;
};

// The envelope header fields of a message (the top level or one inside message/rfc822): the last occurrence of
// each, unfolded, leading white space skipped; nullopt when the field is absent.
struct Envelope {
  std::optional<std::string> date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id;
  bool operator==(const Envelope&) const = default;
};

enum class PartKind : uint8_t {
  leaf,       // a body IMAP shows as basic or text
  multipart,  // children are the body parts between the boundaries (none when no boundary was seen)
  message,    // message/rfc822 or message/global: exactly one child, the enclosed message
};

struct Part {
  // Byte offsets into the message. The header runs from header_start to body_start and includes the blank line
  // that ends it; the body runs from body_start to body_end. A body part of a multipart ends before the line end
  // that precedes the next boundary line (RFC 2046 §5.1.1: that CRLF belongs to the boundary).
  uint64_t header_start = 0, body_start = 0, body_end = 0;
  uint64_t body_lines = 0;  // line feeds in the body, as IMAP's body-fld-lines counts them

  PartKind kind = PartKind::leaf;
  // Content-Type as given (case kept). Empty type means none or malformed: IMAP shows text/plain, or
  // message/rfc822 below multipart/digest (kind == message then).
  std::string type, subtype;
  std::vector<Param> params;
  std::optional<std::string> id, description, encoding, md5, location;  // Content-ID, -Description, -Transfer-
                                                                         // Encoding (token), -MD5, -Location
  std::optional<std::string> disposition;                                // RFC 2183 token
  std::vector<Param> disposition_params;
  std::vector<std::string> language;                                     // Content-Language tags

  // The envelope of this part when it is a message: the top level and the child of a message part.
  std::optional<Envelope> envelope;
  std::vector<Part> children;

  uint64_t header_size() const { return body_start - header_start; }
  uint64_t body_size() const { return body_end - body_start; }
  bool operator==(const Part&) const = default;
};

struct Summary {
  Part root;           // the whole message: header_start 0, body_end == size
  uint64_t size = 0;   // octets fed
  bool truncated = false;  // a limit was hit (depth, parts or header bytes): some structure or fields are missing
  bool operator==(const Summary&) const = default;
};

}  // namespace axon::mime
