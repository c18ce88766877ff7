// FETCH BODY[section] / BINARY[section] addressing (RFC 9051 §6.4.5, RFC 3501 §6.4.5): which octets of the
// stored message a section spec names. Part numbers follow the RFC: the parts of a multipart are numbered from 1;
// a message that is not multipart has just part 1, its body; a message/rfc822 part's numbers continue inside the
// enclosed message (2.1 is its first part, or its body when it is not multipart). HEADER, HEADER.FIELDS[.NOT] and
// TEXT apply to the top level or to a message/rfc822 part (they name the enclosed message's header or body);
// MIME is the part's own MIME header. As in Dovecot, a last ".1" after a part that is neither multipart nor message
// names that part again (2.1 = 2 when 2 is text/plain), but only a message/rfc822 part can be gone through (2.1.1
// is not found then), and N.MIME of a message/rfc822 part is its MIME header.
// Security: the spec comes from the client (after authentication); the result is a range inside the message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/summary.h"

namespace axon::mime {

struct SectionSpec {
  enum class Kind : uint8_t {
    full,               // "" (BODY[], BODY[1.2]): the whole message, or the part's body
    header,             // HEADER
    header_fields,      // HEADER.FIELDS (fields)
    header_fields_not,  // HEADER.FIELDS.NOT (fields)
    text,               // TEXT
    mime,               // MIME (only after a part number)
  };
  std::vector<uint32_t> part;        // 1.2.3 -> {1, 2, 3}; empty for the top level
  Kind kind = Kind::full;
  std::vector<std::string> fields;   // for header_fields / header_fields_not
};

struct ByteRange {
  uint64_t offset = 0, length = 0;
  bool operator==(const ByteRange&) const = default;
};

// The octets to read; for HEADER.FIELDS[.NOT] the header to pass to filter_header_fields. nullopt when the
// section does not exist (the server then returns an empty string, or NIL for BINARY).
std::optional<ByteRange> section_range(const Summary& s, const SectionSpec& spec);

// The part a number path names (as section_range resolves it), or null.
const Part* find_part(const Summary& s, const std::vector<uint32_t>& path);

// HEADER.FIELDS (not_ = false) or HEADER.FIELDS.NOT (not_ = true) over a header section: the matching fields
// (names compared ASCII case-insensitively), each with its continuation lines, line ends made CRLF, then the
// blank line (RFC 3501 §6.4.5: the result always ends with it, even when no field matched).
std::string filter_header_fields(std::string_view header, const std::vector<std::string>& fields, bool not_);

}  // namespace axon::mime
