// Mailbox names between the wire and the store: the store keeps UTF-8; the wire carries modified UTF-7 unless the
// client enabled UTF8=ACCEPT (RFC 6855 §3) or IMAP4rev2 (RFC 9051 §5.1), when names are UTF-8 as they are. INBOX is
// case-insensitive (RFC 9051 §5.1): every spelling of it becomes "INBOX".
// Security: decodes untrusted names; refuses what RFC 9051 §5.1 forbids (control characters, U+2028, U+2029).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace axon::imap {

// The name as the store knows it (UTF-8, "INBOX" canonical), or nullopt when the wire form is invalid: bad mUTF-7
// or 8-bit octets when !utf8, invalid UTF-8 when utf8, or a forbidden character in either. Empty stays empty
// (LIST's reference and pattern may be "").
std::optional<std::string> decode_mailbox_name(std::string_view wire, bool utf8);

// The wire form of a stored name: as it is with utf8, else mUTF-7 (a name that is not valid UTF-8, which the store
// never holds, is returned unchanged).
std::string encode_mailbox_name(std::string_view name, bool utf8);

// RFC 9051 §5.1: "INBOX" in any case.
bool is_inbox(std::string_view name);

}  // namespace axon::imap
