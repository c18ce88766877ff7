// bench messages: the deterministic test messages every seeding path writes (Maildir files, SMTP, IMAP APPEND),
// so that both servers hold the same mail. RFC 5322 header fields, a text body of lines under 78 octets, CRLF
// line ends; no line begins with "." (nothing to dot-stuff) or "From ".
// Security: produces bytes only; no input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bench {

// Message number `index` for `rcpt`, exactly `size` octets with CRLF line ends (size >= 512).
std::string make_message(std::string_view rcpt, std::size_t index, std::size_t size);

// Size of seeded message `index` for a nominal size: from size/2 to 3*size/2, varying with the index, so that a
// mailbox holds messages of several sizes ("a few KB" for 4096).
std::size_t seeded_size(std::size_t nominal, std::size_t index);

// The same message with LF line ends, as Maildir files hold it (and as Dovecot's own delivery writes them).
std::string to_lf(std::string_view crlf);

}  // namespace bench
