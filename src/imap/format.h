// Response building blocks (RFC 9051 §4.3 strings, §9 astring/nstring/flag-list/section): an IMAP string is
// quoted when that is safe and a literal "{n}\r\n" otherwise, NIL stands for an absent nstring; flag lists;
// the section text of a FETCH response item ("1.2.HEADER.FIELDS (From To)").
// Security: formats server data (some of it from untrusted messages) so that it can never end a line early or
// break out of a string: CR, LF and NUL never appear inside a quoted string.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "imap/command.h"

namespace axon::imap {

// Longest string written quoted; longer ones become literals (they are rarely short enough to be read as text).
inline constexpr std::size_t kMaxQuoted = 1024;

// True when s can be a quoted string: at most kMaxQuoted octets, no NUL, CR or LF, and 8-bit octets only when
// `utf8` (RFC 9051 quoted allows UTF-8; RFC 3501 does not) and valid UTF-8.
bool quotable(std::string_view s, bool utf8 = false);

// string = quoted / literal. A literal may still hold NUL, which RFC 9051 allows only in literal8: callers send
// binary data with literal8 themselves.
void append_string(std::string& out, std::string_view s, bool utf8 = false);
// nstring = string / NIL.
void append_nstring(std::string& out, std::optional<std::string_view> s, bool utf8 = false);
// astring = 1*ASTRING-CHAR / string: bare when every octet is an ASTRING-CHAR (and it is not "NIL", which a
// client could mistake for nil), else as append_string.
void append_astring(std::string& out, std::string_view s, bool utf8 = false);
// A mailbox name from the store as an astring in its wire form (mUTF-7 unless utf8; mailbox_name.h).
void append_mailbox(std::string& out, std::string_view name, bool utf8 = false);
// flag-list = "(" [flag *(SP flag)] ")"; flags are written as they are (atoms, "\Seen").
void append_flag_list(std::string& out, std::span<const std::string> flags);

// Convenience forms returning a new string.
std::string imap_string(std::string_view s, bool utf8 = false);
std::string imap_astring(std::string_view s, bool utf8 = false);
std::string flag_list(std::span<const std::string> flags);

// The inside of "[...]" for a FETCH response item: section-part, then HEADER, HEADER.FIELDS (...),
// HEADER.FIELDS.NOT (...), TEXT or MIME. "" for the whole message.
std::string section_spec(const Section& s);

}  // namespace axon::imap
