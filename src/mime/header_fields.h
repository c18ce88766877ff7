// The structured MIME header fields: Content-Type (RFC 2045 §5.1) with parameters and RFC 2231 §3-4
// continuations (merged, like Dovecot: "name*0*=a", "name*1=b" become "name*" = "a" + "b"), Content-Transfer-Encoding
// (RFC 2045 §6.1), Content-Disposition (RFC 2183), Content-Language (RFC 3282); plus how a header line splits into
// a field name and value. Lenient: a broken parameter is skipped, the ones before and after it are kept.
// Security: untrusted header text (already bounded by the parser's limits); linear apart from sorting the
// RFC 2231 pieces of one field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/summary.h"

namespace axon::mime {

struct ContentType {
  std::string type, subtype;
  std::vector<Param> params;
};

struct Disposition {
  std::string value;
  std::vector<Param> params;
};

// nullopt when there is no "type/subtype" (malformed: IMAP then shows text/plain).
std::optional<ContentType> parse_content_type(std::string_view value);
std::optional<Disposition> parse_content_disposition(std::string_view value);
// The mechanism token alone on the field, as given; nullopt when missing or followed by anything else.
std::optional<std::string> parse_transfer_encoding(std::string_view value);
std::vector<std::string> parse_content_language(std::string_view value);

// `; name=value ...` after the Content-Type or disposition token, RFC 2231 pieces merged.
std::vector<Param> parse_params(std::string_view rest);

// The first parameter named `name` (ASCII case-insensitive), or null.
const Param* find_param(const std::vector<Param>& params, std::string_view name);

// A header line "Name: value": the name without trailing white space, the value after the colon (see
// field_value). No colon: the whole line is the name and there is no value.
struct FieldSplit {
  std::string_view name;
  std::optional<std::string_view> value;
};
FieldSplit split_field(std::string_view line);

// The start of a field's value as IMAP servers show it: white space after the colon is skipped, unless the value
// is nothing but white space, then only its first character is.
std::string_view trim_value_start(std::string_view v);

bool iequals_ascii(std::string_view a, std::string_view b);

}  // namespace axon::mime
