// Modified UTF-7 (RFC 3501 §5.1.3, RFC 9051 §5.1.3): the mailbox-name encoding of IMAP4rev1 clients that have not
// enabled UTF8=ACCEPT (RFC 6855) or IMAP4rev2. Printable US-ASCII stands for itself ("&" is "&-"), anything else
// is "&" + modified base64 of UTF-16BE ("," for "/", no padding) + "-". Also a strict UTF-8 check.
// Security: decodes untrusted names; strict, so every name has one encoding: encode(decode(x)) == x.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace axon::imap {

// mUTF-7 -> UTF-8. nullopt for an invalid encoding: an octet outside 0x20-0x7E, an unterminated or empty shift,
// base64 that does not end on a character boundary or leaves non-zero bits, a lone surrogate, a printable
// US-ASCII character that was base64-encoded, or a shift that follows another directly ("&AOk-&AOk-").
std::optional<std::string> mutf7_decode(std::string_view s);

// UTF-8 -> mUTF-7. nullopt when `utf8` is not valid UTF-8.
std::optional<std::string> mutf7_encode(std::string_view utf8);

// Strict UTF-8 (RFC 3629): no overlong forms, surrogates or code points above U+10FFFF.
bool valid_utf8(std::string_view s);

// Decodes one code point at s[i] and advances i; false (i unchanged) when it is not valid UTF-8.
bool next_code_point(std::string_view s, std::size_t& i, uint32_t& cp);

}  // namespace axon::imap
