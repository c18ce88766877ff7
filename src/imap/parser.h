// imap::parse_command — the client command grammar of RFC 9051 §9 and RFC 3501 §9 (and the extensions listed in
// command.h) over a command the Framer delivered: bytes in, a typed Command out, or the reason for "BAD".
// Security: parses untrusted input before and after authentication. Bounded by the framer (size) and by
// ParseOptions (nesting, sequence-set elements, search keys, fetch items, list lengths); no regex, no recursion
// deeper than max_depth, no per-octet virtual calls.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "imap/command.h"
#include "imap/framer.h"

namespace axon::imap {

struct ParseOptions {
  bool utf8 = false;                   // UTF8=ACCEPT (RFC 6855) or IMAP4rev2 enabled: mailbox names are UTF-8
  std::size_t max_depth = 64;          // nested parentheses (search programs, lists)
  std::size_t max_ranges = 16384;      // elements of one sequence set
  std::size_t max_search_keys = 1024;  // search keys in one SEARCH/SORT/THREAD, NOT/OR/groups included
  std::size_t max_fetch_items = 256;   // FETCH items (after macro expansion)
  std::size_t max_list_items = 1024;   // flags, header field names, patterns, capabilities, status items, ...
};

struct ParseError {
  std::string tag;     // empty when no tag could be read: answer "* BAD reason"
  std::string reason;  // for "tag BAD reason"; generic text, no client data
};

using Parsed = core::Expected<Command, ParseError>;

// Parses one complete command. Unknown commands give "Unknown command"; UID before a command that has no UID
// form, too. Streamed APPEND literals are referred to by their stream_index (AppendPart).
Parsed parse_command(const FramedCommand& cmd, const ParseOptions& opt = {});

// The mailbox of an APPEND whose first message literal is announced (framer's continuation or literal_begin
// frame), so the session can refuse it before the data ("NO [TRYCREATE]"); nullopt when the partial command
// is not "tag APPEND mailbox ..." with a valid name.
std::optional<std::string> append_mailbox(const FramedCommand& partial, const ParseOptions& opt = {});

// RFC 9051 §9 base64 (padding only at the end, length a multiple of 4): SASL-IR and AUTHENTICATE lines.
bool valid_base64(std::string_view s);

}  // namespace axon::imap
