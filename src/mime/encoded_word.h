// RFC 2047 encoded words in header values, decoded to UTF-8 for SEARCH, SORT and THREAD (IMAP shows raw header
// text elsewhere). Lenient like mail readers: words need not be separated from the text around them, white space
// between two encoded words is dropped (§6.2), adjacent words in the same charset are joined before conversion
// (a character may be split across them), RFC 2231 §5 "charset*lang" is accepted. A word in an unknown charset
// or with broken base64 stays as it was; other octets that are not UTF-8 become U+FFFD. Folding line ends are
// removed.
// Security: untrusted header text; output is at most a small multiple of the input.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/summary.h"

namespace axon::mime {

std::string decode_header(std::string_view raw);

// A parameter's value in UTF-8 (a file name for SEARCH): "name*" = charset'lang'%XX (RFC 2231 §4) is decoded
// and converted, a plain "name" has its encoded words decoded (mailers put them in quoted strings). nullopt when
// the parameter is absent; an unknown charset gives the octets sanitized as UTF-8.
std::optional<std::string> param_utf8(const std::vector<Param>& params, std::string_view name);

// Base64 (RFC 2045 §6.8) of a whole string, white space ignored; false on any other invalid octet.
bool decode_base64(std::string_view in, std::string& out);

}  // namespace axon::mime
