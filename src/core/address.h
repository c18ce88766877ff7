// Mail addresses (RFC 5321 §4.1.2 Mailbox, RFC 6531 for UTF-8). Security: parses untrusted input from SMTP
// before authentication; bounded by the caller's line limit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace axon::core {

struct Address {
  std::string local;   // as given (quoted local parts are kept unquoted-equivalent, see parse_mailbox)
  std::string domain;  // lower-cased ASCII, or UTF-8 as given when SMTPUTF8

  std::string str() const { return local + "@" + domain; }
  // The key used for lookups: local part and domain lower-cased (ASCII only).
  std::string key() const;
  bool operator==(const Address&) const = default;
};

// Parses "local@domain" (no angle brackets). Accepts RFC 5321 Dot-string and Quoted-string local parts and
// a domain of dot-separated labels or an address literal "[...]". With allow_utf8 (SMTPUTF8), non-ASCII UTF-8 is
// allowed in both parts. Returns nullopt when malformed. Local part ≤ 64 octets, domain ≤ 255 (RFC 5321 §4.5.3.1).
std::optional<Address> parse_mailbox(std::string_view s, bool allow_utf8 = false);

// Domain name syntax check (RFC 5321 §4.1.2 Domain), for config and CLI input too.
bool valid_domain(std::string_view d, bool allow_utf8 = false);

std::string to_lower_ascii(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

}  // namespace axon::core
