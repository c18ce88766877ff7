// Mailbox names on the wire: RFC 9051 §5.1 (INBOX, forbidden characters), §5.1.3 and RFC 3501 §5.1.3 (mUTF-7),
// RFC 6855 §3 (UTF8=ACCEPT). Security: untrusted input; linear.
#include "imap/mailbox_name.h"

#include "imap/mutf7.h"

namespace axon::imap {

namespace {

// RFC 9051 §5.1: no control characters (U+0000-U+001F, U+007F-U+009F), no line or paragraph separator.
bool allowed_characters(std::string_view utf8) {
  std::size_t i = 0;
  uint32_t cp;
  while (i < utf8.size()) {
    if (!next_code_point(utf8, i, cp)) return false;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) return false;
  }
  return true;
}

}  // namespace

bool is_inbox(std::string_view name) {
  static constexpr std::string_view kInbox = "INBOX";
  if (name.size() != kInbox.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != kInbox[i]) return false;
  }
  return true;
}

std::optional<std::string> decode_mailbox_name(std::string_view wire, bool utf8) {
  if (is_inbox(wire)) return std::string("INBOX");
  std::optional<std::string> name;
  if (utf8) {
    name = std::string(wire);
  } else {
    name = mutf7_decode(wire);
    if (!name) return std::nullopt;
  }
  if (!allowed_characters(*name)) return std::nullopt;
  return name;
}

std::string encode_mailbox_name(std::string_view name, bool utf8) {
  if (utf8) return std::string(name);
  auto enc = mutf7_encode(name);
  return enc ? std::move(*enc) : std::string(name);
}

}  // namespace axon::imap
