// FETCH ENVELOPE, BODY and BODYSTRUCTURE from a Summary (RFC 9051 §7.5.2, RFC 3501 §7.4.2), in the same shape
// as Dovecot writes them: lower-case "text" "plain" and ("charset" "us-ascii") defaults, "7bit" when there is no
// Content-Transfer-Encoding, NIL for absent fields, the IMAP string rules of imap_string.h; a multipart without
// parts shows one empty text/plain part (the grammar needs one). Strings are raw header text: encoded words are
// not decoded. Each function returns the parenthesized value that follows the FETCH item name.
// Security: renders stored data only; the output is well-formed for any Summary, including a deserialized one.
#pragma once

#include <string>

#include "mime/address.h"
#include "mime/summary.h"

namespace axon::mime {

// "(date subject from sender reply-to to cc bcc in-reply-to message-id)"; Sender and Reply-To default to From
// (RFC 3501 §7.4.2), an empty address list is NIL.
std::string imap_envelope(const Envelope& env);
std::string imap_envelope(const Summary& s);

// BODY (extended = false, no extension data) or BODYSTRUCTURE (extended = true). message/global (RFC 6532 §3.5)
// is shown like message/rfc822 (envelope, body, lines) only to IMAP4rev2 sessions (RFC 9051 media-message); for
// IMAP4rev1 (RFC 3501, whose grammar knows only MESSAGE/RFC822 there) it is a basic part, as Dovecot shows it.
std::string imap_body(const Part& part, bool extended, bool imap4rev2 = false);
std::string imap_body(const Summary& s, bool extended, bool imap4rev2 = false);

}  // namespace axon::mime
