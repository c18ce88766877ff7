// The SMTP command grammar: verb + argument of a command line (RFC 5321 §4.1.1), the MAIL FROM / RCPT TO paths and
// their ESMTP parameters (RFC 5321 §4.1.2, §4.1.1.11; SIZE RFC 1870, BODY RFC 6152/3030, SMTPUTF8 RFC 6531,
// RET/ENVID/NOTIFY/ORCPT RFC 3461), and the BDAT arguments (RFC 3030). Parse errors are values: the Reply to send.
// Security: parses untrusted bytes before authentication; the caller bounds the line length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/address.h"
#include "core/error.h"
#include "core/envelope.h"
#include "smtp/reply.h"

namespace axon::smtp {

enum class Verb { helo, ehlo, mail, rcpt, data, bdat, rset, noop, quit, vrfy, expn, help, starttls, auth, unknown };
inline constexpr std::size_t kVerbCount = static_cast<std::size_t>(Verb::unknown) + 1;

struct CommandLine {
  Verb verb = Verb::unknown;
  std::string_view arg;  // after the verb and its separating space(s); trailing spaces trimmed
};

// `line` is one command line without its CRLF. Verbs are case-insensitive (RFC 5321 §2.4).
CommandLine parse_command_line(std::string_view line);

// A value or the reply that explains why there is none.
template <class T>
using Parsed = core::Expected<T, Reply>;

struct MailFrom {
  std::string reverse_path;             // without brackets and source route; empty for the null sender <>
  std::optional<core::Address> sender;  // nullopt for <>
  std::optional<uint64_t> size;         // SIZE= (saturated at UINT64_MAX)
  core::BodyType body = core::BodyType::seven_bit;
  bool smtputf8 = false;
  std::string ret;    // "FULL", "HDRS" or empty
  std::string envid;  // xtext as given, or empty
};

struct RcptTo {
  std::string forward_path;  // without brackets and source route
  core::Address address;     // for <postmaster>: local "postmaster", empty domain (the caller adds its own)
  bool bare_postmaster = false;  // RFC 5321 §4.1.1.3: "<Postmaster>" without domain, case-insensitive
  std::string notify;  // "NEVER" or a comma list of SUCCESS, FAILURE, DELAY (upper-cased); empty when absent
  std::string orcpt;   // addr-type ";" xtext as given; empty when absent
};

struct BdatArgs {
  uint64_t size = 0;
  bool last = false;
};

// `arg` is what follows "MAIL": "FROM:<path> [SP params]".
Parsed<MailFrom> parse_mail_from(std::string_view arg);
// `arg` is what follows "RCPT": "TO:<path> [SP params]". `smtputf8`: the transaction's MAIL had SMTPUTF8.
Parsed<RcptTo> parse_rcpt_to(std::string_view arg, bool smtputf8);
// `arg` is what follows "BDAT": "chunk-size [SP LAST]".
Parsed<BdatArgs> parse_bdat(std::string_view arg);

// RFC 3461 §4 xtext: printable ASCII but "+" and "=", with "+" HEXCHAR HEXCHAR escapes.
bool valid_xtext(std::string_view s);

}  // namespace axon::smtp
