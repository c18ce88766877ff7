// Address lists of From/Sender/Reply-To/To/Cc/Bcc (RFC 5322 §3.4, obsolete forms of §4.4) as IMAP's ENVELOPE
// shows them (RFC 9051 §7.5.2, RFC 3501 §7.4.2): one (name adl mailbox host) per mailbox; a group becomes a start
// marker (NIL NIL "group" NIL) and an end marker (NIL NIL NIL NIL). Display names are phrases with their words
// joined by one space and quoted strings unquoted, encoded words left alone; a comment after a bare addr-spec
// serves as the name. Like Dovecot, a broken mailbox is never dropped and never has a NIL host (which would read
// as a group marker): missing parts become "MISSING_MAILBOX" / "MISSING_DOMAIN", an unparsable angle address
// "SYNTAX_ERROR". Source routes (obs-route) are parsed and ignored (adl is always NIL).
// Also the first-address helper SORT needs (RFC 5256 §3 FROM/TO/CC, RFC 5957 DISPLAYFROM/DISPLAYTO).
// Security: untrusted header text bounded by the parser's header limit; linear, no recursion.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace axon::mime {

struct Address {
  std::optional<std::string> name, mailbox, host;  // IMAP addr-name, addr-mailbox, addr-host (adl is NIL)
  bool group_start() const { return !host && mailbox; }
  bool group_end() const { return !host && !mailbox; }
  bool operator==(const Address&) const = default;
};

std::vector<Address> parse_address_list(std::string_view value);

// The first mailbox of an address list (group markers skipped), for SORT: mailbox and host as in the
// envelope, the display name decoded from RFC 2047 to UTF-8. nullopt when the list has no mailbox.
struct SortAddress {
  std::string mailbox, host, display;
};
std::optional<SortAddress> first_address(std::string_view value);

// RFC 5957 §3: the display name of the first address, else its addr-spec ("mailbox@host"); "" without one.
std::string display_sort_key(std::string_view value);

}  // namespace axon::mime
