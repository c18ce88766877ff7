// SMTP replies: code, enhanced status code and text, their rendering (RFC 5321 §4.2, multi-line §4.2.1), the named
// replies the server uses, and the one mapping from domain errors (core::Errc) to SMTP (STYLE.md "Errors").
// Enhanced status codes: RFC 2034, RFC 3463. Security: reply text is generic; it never quotes untrusted input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace axon::smtp {

struct Reply {
  int code = 250;
  std::string status;  // enhanced status code "x.y.z", empty when none applies (220 greeting, EHLO, 354)
  std::string text;

  bool positive() const { return code < 400; }
  bool permanent() const { return code >= 500; }
};

// One line "CODE STATUS TEXT\r\n" (the status omitted when empty).
std::string render(const Reply& r);
// RFC 5321 §4.2.1 multi-line reply: "250-first\r\n250-second\r\n250 last\r\n"; no enhanced code (EHLO style).
std::string render_lines(int code, const std::vector<std::string>& lines);

// Reply with the text replaced (status and code kept).
Reply with_text(const Reply& r, std::string text);

namespace reply {
// Positive
inline const Reply c221_bye{221, "2.0.0", "Bye"};
inline const Reply c220_ready_for_tls{220, "2.0.0", "Ready to start TLS"};
inline const Reply c250_ok{250, "2.0.0", "Ok"};
inline const Reply c250_sender_ok{250, "2.1.0", "Ok"};
inline const Reply c250_recipient_ok{250, "2.1.5", "Ok"};
inline const Reply c252_cannot_vrfy{252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"};
inline const Reply c214_help{214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS"};
inline const Reply c354_start_data{354, "", "End data with <CR><LF>.<CR><LF>"};
// Transient
inline const Reply c421_too_many_errors{421, "4.7.0", "Error: too many errors"};
inline const Reply c421_timeout{421, "4.4.2", "Error: timeout exceeded"};
inline const Reply c421_shutting_down{421, "4.3.2", "Service shutting down"};
inline const Reply c421_too_much_input{421, "4.7.0", "Error: too much pipelined input"};
inline const Reply c451_local_error{451, "4.3.0", "Error: temporary failure, try again later"};
inline const Reply c451_queue_write_error{451, "4.3.0", "Error: queue file write error"};  // Postfix's words
inline const Reply c452_too_many_recipients{452, "4.5.3", "Error: too many recipients"};
inline const Reply c452_insufficient_storage{452, "4.3.1", "Error: insufficient system storage, try again later"};
// Permanent: syntax and sequence (RFC 5321 §4.2.4, RFC 3463 X.5.x)
inline const Reply c500_unrecognized{500, "5.5.2", "Error: command not recognized"};
inline const Reply c500_line_too_long{500, "5.5.6", "Line too long"};
inline const Reply c501_syntax{501, "5.5.4", "Syntax error in parameters or arguments"};
inline const Reply c501_helo_required_arg{501, "5.5.4", "Syntax: EHLO hostname"};
inline const Reply c501_bad_sender{501, "5.1.7", "Bad sender address syntax"};
inline const Reply c501_bad_recipient{501, "5.1.3", "Bad recipient address syntax"};
inline const Reply c501_duplicate_param{501, "5.5.4", "Duplicate parameter"};
inline const Reply c501_bad_param_value{501, "5.5.4", "Bad parameter value"};
inline const Reply c502_expn_disabled{502, "5.5.1", "EXPN command is disabled"};
inline const Reply c502_not_implemented{502, "5.5.1", "Error: command not implemented"};
inline const Reply c503_need_helo{503, "5.5.1", "Error: send HELO/EHLO first"};
inline const Reply c503_nested_mail{503, "5.5.1", "Error: nested MAIL command"};
inline const Reply c503_need_mail{503, "5.5.1", "Error: need MAIL command"};
inline const Reply c503_need_rcpt{503, "5.5.1", "Error: need RCPT command"};
inline const Reply c503_bdat_sequence{503, "5.5.1", "Error: DATA and BDAT cannot be mixed"};
inline const Reply c503_binarymime_needs_bdat{503, "5.5.1", "Error: BODY=BINARYMIME requires BDAT"};
inline const Reply c503_in_transaction{503, "5.5.1", "Error: MAIL transaction in progress"};
inline const Reply c503_already_tls{503, "5.5.1", "Error: TLS already active"};
inline const Reply c503_auth_not_enabled{503, "5.5.1", "Error: authentication not enabled"};
inline const Reply c530_must_starttls{530, "5.7.0", "Must issue a STARTTLS command first"};
inline const Reply c555_unknown_param{555, "5.5.4", "Unsupported parameter"};
// Permanent: addresses, policy, content
inline const Reply c550_mailbox_unavailable{550, "5.1.1", "Recipient address rejected: User unknown"};
inline const Reply c552_message_too_big{552, "5.3.4", "Message size exceeds fixed limit"};
inline const Reply c553_smtputf8_required{553, "5.6.7", "SMTPUTF8 required for UTF-8 address"};
inline const Reply c554_relay_denied{554, "5.7.1", "Relay access denied"};
inline const Reply c554_no_valid_recipients{554, "5.5.1", "No valid recipients"};
inline const Reply c554_bare_line_ending{554, "5.6.0", "Message rejected: bare CR or LF in message data"};
inline const Reply c554_too_many_hops{554, "5.4.6", "Too many hops"};
inline const Reply c451_recipient_temp_fail{451, "4.3.0", "Recipient address lookup failed, try again later"};
}  // namespace reply

// One function per protocol maps the domain error (STYLE.md "Errors"); RFC 3463 classes.
Reply reply_for(core::Errc e);

}  // namespace axon::smtp
