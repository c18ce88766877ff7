// The trace field we prepend (RFC 5321 §4.4, RFC 5322 §3.6.7, with folding §2.2.3), its protocol keyword
// (RFC 3848, RFC 6531 §3.7.3), and the hop count over the message's header section (RFC 5321 §6.3 loop detection).
// Security: renders untrusted values (HELO name, recipient) into a header; they are sanitized here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace axon::smtp {

struct ReceivedInfo {
  std::string helo;      // as the client gave it
  std::string reverse;   // PTR name, or empty
  std::string ip;        // peer address, textual
  std::string hostname;  // ours
  std::string protocol;  // RFC 3848 keyword, see protocol_keyword()
  std::string tls;       // "TLSv1.3 TLS_AES_256_GCM_SHA384", empty when plain
  std::string for_rcpt;  // forward-path of the single recipient, or empty
  std::string date;      // RFC 5322 date-time
};

// RFC 3848 "with" keyword: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA; RFC 6531 §3.7.3: UTF8SMTP[S][A].
std::string protocol_keyword(bool ehlo, bool tls, bool authenticated, bool smtputf8);

// "Received: from HELO (REVERSE [IP])\r\n\t(using ...)\r\n\tby HOST (Axon) with PROTO for <rcpt>\r\n\t; DATE\r\n"
std::string received_header(const ReceivedInfo& info);

// Counts "Received:" fields (name case-insensitive, at a line start, not a continuation line) in the header
// section of `data` (up to the first empty line). Stops counting once the count exceeds `limit`.
std::size_t count_received(std::string_view data, std::size_t limit);

}  // namespace axon::smtp
