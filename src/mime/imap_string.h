// IMAP string output (RFC 9051 §4.3, RFC 3501 §4.3) for the values FETCH shows from message headers: a quoted
// string when it can be one (at most four escaped '"' or '\', as Dovecot), else a literal "{n}\r\n" + octets
// (CR, LF, 8-bit octets, or longer than kMaxQuoted). NUL, which neither may hold, becomes U+FFFD.
// Body-part fields from headers (Content-ID, -Description, -MD5, -Location) are written "nolf": CR and LF are
// removed, with a space put in when the next line does not start with white space. Text meant for people (the
// Subject and display names) is written "for humans", as Dovecot does: white space runs become one space,
// leading and trailing white space goes, and any change, '"', '\' or 8-bit octet makes it a literal.
// Security: the output is what a client parses; a value can never end a quoted string early or smuggle a
// line end outside a literal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace axon::mime {

inline constexpr std::size_t kMaxQuoted = 4096;

void append_imap_string(std::string& out, std::string_view s);
void append_imap_nstring(std::string& out, const std::optional<std::string>& s);
// The "nolf" forms for raw header text.
void append_imap_string_nolf(std::string& out, std::string_view s);
void append_imap_nstring_nolf(std::string& out, const std::optional<std::string>& s);
void append_imap_string_for_humans(std::string& out, std::string_view s);
void append_imap_nstring_for_humans(std::string& out, const std::optional<std::string>& s);

}  // namespace axon::mime
