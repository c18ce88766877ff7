// POP3 command grammar. RFC 1939 §3 (keywords of 3-4 characters, arguments separated by a single space, here any
// run of spaces as Dovecot accepts), RFC 2449 §4 (limits), RFC 5034 §4 (AUTH mechanism [initial-response]).
// Security: untrusted bytes before authentication, bounded by the caller; no allocation.
#include "pop3/command.h"

#include <limits>
#include <utility>

#include "core/address.h"

namespace axon::pop3 {

namespace {

constexpr std::array<std::pair<std::string_view, Verb>, kVerbCount - 1> kVerbs{{
    {"USER", Verb::user}, {"PASS", Verb::pass}, {"AUTH", Verb::auth}, {"CAPA", Verb::capa},
    {"STLS", Verb::stls}, {"QUIT", Verb::quit}, {"STAT", Verb::stat}, {"LIST", Verb::list},
    {"RETR", Verb::retr}, {"TOP", Verb::top},   {"UIDL", Verb::uidl}, {"DELE", Verb::dele},
    {"RSET", Verb::rset}, {"NOOP", Verb::noop},
}};

std::string_view digits_only(std::string_view s) {
  if (s.empty()) return {};
  for (char c : s)
    if (c < '0' || c > '9') return {};
  return s;
}

}  // namespace

Command parse_command(std::string_view line) {
  Command c;
  std::size_t sp = line.find(' ');
  std::string_view keyword = line.substr(0, sp);
  for (const auto& [name, verb] : kVerbs)
    if (core::iequals(keyword, name)) c.verb = verb;
  if (sp == std::string_view::npos) return c;
  c.text = line.substr(sp + 1);
  std::string_view rest = c.text;
  while (c.argc < kMaxArgs) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    std::size_t end = rest.find(' ');
    c.args[c.argc++] = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  return c;
}

Parsed<uint32_t> parse_message_number(std::string_view arg) {
  if (arg.empty()) return ArgError::missing;
  std::string_view d = digits_only(arg);
  if (d.empty()) return ArgError::invalid;
  while (d.size() > 1 && d.front() == '0') d.remove_prefix(1);
  if (d.size() > 10) return ArgError::invalid;
  uint64_t v = 0;
  for (char ch : d) v = v * 10 + static_cast<uint64_t>(ch - '0');
  if (v == 0 || v > std::numeric_limits<uint32_t>::max()) return ArgError::invalid;
  return static_cast<uint32_t>(v);
}

Parsed<uint64_t> parse_line_count(std::string_view arg) {
  if (arg.empty()) return ArgError::missing;
  std::string_view d = digits_only(arg);
  if (d.empty()) return ArgError::invalid;
  uint64_t v = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char ch : d) {
    auto digit = static_cast<uint64_t>(ch - '0');
    if (v > (kMax - digit) / 10) return kMax;
    v = v * 10 + digit;
  }
  return v;
}

}  // namespace axon::pop3
