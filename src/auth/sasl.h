// auth/sasl — the sans-I/O parts of SASL that the protocol sessions share: base64 (RFC 4648 §4, as SASL
// exchanges carry it: RFC 4422 §3, RFC 5034 §4, RFC 9051 §6.2.2) and the PLAIN mechanism's message (RFC 4616).
// Links only the standard library and core, so the protocol cores and their fuzz targets can use it.
// Security: decodes untrusted bytes before authentication; the results hold passwords: callers wipe them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace axon::auth {

// Strict base64: the alphabet of RFC 4648 §4, padding required to a multiple of 4, no white space, no bits left
// over in the last group. nullopt when `text` is not that.
std::optional<std::string> decode_base64(std::string_view text);
std::string encode_base64(std::string_view bytes);

// RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd; authcid and passwd are 1 to 255 octets, none
// of the three contains NUL.
struct PlainMessage {
  std::string authzid;  // empty: act as authcid
  std::string authcid;
  std::string password;
};
std::optional<PlainMessage> parse_plain(std::string_view message);

// Overwrites a secret before its memory is released (the compiler may not drop the stores).
void wipe(std::string& secret);

}  // namespace axon::auth
