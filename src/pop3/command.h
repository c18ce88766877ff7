// The POP3 command grammar: a keyword and its arguments (RFC 1939 §3, RFC 2449 §3, RFC 2595 §4 STLS, RFC 5034
// AUTH), message numbers and TOP's line count. Lenient like Dovecot: keywords are case-insensitive, arguments are
// separated by one or more spaces, trailing spaces and arguments a command does not use are ignored; bounded all
// the same: RFC 2449 §4 keeps commands to 255 octets and arguments to 40, we accept lines up to the session's
// limit (SessionConfig::max_line) and read at most kMaxArgs arguments.
// Security: parses untrusted bytes before authentication; the caller (LineReader) bounds the line.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"

namespace axon::pop3 {

enum class Verb { user, pass, auth, capa, stls, quit, stat, list, retr, top, uidl, dele, rset, noop, unknown };
inline constexpr std::size_t kVerbCount = static_cast<std::size_t>(Verb::unknown) + 1;
inline constexpr std::size_t kMaxArgs = 2;

struct Command {
  Verb verb = Verb::unknown;
  std::array<std::string_view, kMaxArgs> args{};  // the first arguments, split at runs of spaces
  std::size_t argc = 0;                           // how many of them are there (at most kMaxArgs)
  std::string_view text;  // everything after the keyword and one space, as sent (PASS: the password, spaces and
                          // all, RFC 1939 §7; USER: the name)
};

// `line` is one command line without its line end.
Command parse_command(std::string_view line);

enum class ArgError { missing, invalid };
template <class T>
using Parsed = core::Expected<T, ArgError>;

// RFC 1939 §3: a message number is a decimal number, 1 to 2^32-1 here. Range checks against the maildrop are
// the session's.
Parsed<uint32_t> parse_message_number(std::string_view arg);
// TOP's line count: a non-negative decimal number; huge values are saturated (they mean "all lines").
Parsed<uint64_t> parse_line_count(std::string_view arg);

}  // namespace axon::pop3
