// An accepted message as it travels from a protocol session to the spool and on to delivery.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"

namespace axon::core {

enum class BodyType { seven_bit, eight_bit_mime, binary_mime };  // RFC 6152, RFC 3030

struct Recipient {
  std::string address;               // as the client gave it (forward-path without brackets)
  std::vector<std::string> targets;  // local accounts it resolved to (after aliases, catch-all, +tag)
  std::string notify;                // RFC 3461 NOTIFY value, empty when absent
  std::string orcpt;                 // RFC 3461 ORCPT value (addr-type;xtext), empty when absent
};

struct Envelope {
  std::string mail_from;  // reverse-path without brackets; empty for the null sender <>
  BodyType body = BodyType::seven_bit;
  bool smtputf8 = false;
  std::string dsn_ret;    // RFC 3461 RET: "FULL", "HDRS" or empty
  std::string dsn_envid;  // RFC 3461 ENVID (xtext), empty when absent
  std::vector<Recipient> rcpts;
  std::string helo;
  std::string peer_ip;
  std::string tls;  // e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384", empty when plain
  bool authenticated = false;
  TimePoint received{};
};

// The whole message as spooled: envelope plus the message data (with our Received: header already prepended),
// CRLF line endings, dot-unstuffed.
struct Message {
  std::string id;  // queue id, assigned by the spool
  Envelope envelope;
  std::string data;
};

}  // namespace axon::core
