// Command dispatch: RFC 9051 §9 command = tag SP (command-any / command-auth / command-nonauth /
// command-select) CRLF; uid = "UID" SP (copy / move / fetch / search / store / uid-expunge), and with RFC 5256
// sort / thread. Command names are case-insensitive (RFC 9051 §9: ABNF strings). The arguments are parsed by
// the group parsers in parse/.
// Security: untrusted input; the tag is checked before it is echoed in a reply.
#include "imap/parser.h"

#include <array>

#include "imap/parse/commands.h"
#include "imap/parse/reader.h"

namespace axon::imap {

namespace {

using ParseFn = bool (*)(parse::Reader&, Command&);

struct Entry {
  std::string_view name;
  CommandName id;
  ParseFn fn;
  bool uid;  // has a UID form
};

// Ordered as enum CommandName (to_string indexes it).
constexpr std::array<Entry, kCommandNameCount> kCommands{{
    {"CAPABILITY", CommandName::capability, parse::no_arguments, false},
    {"NOOP", CommandName::noop, parse::no_arguments, false},
    {"LOGOUT", CommandName::logout, parse::no_arguments, false},
    {"ID", CommandName::id, parse::id, false},
    {"STARTTLS", CommandName::starttls, parse::no_arguments, false},
    {"AUTHENTICATE", CommandName::authenticate, parse::authenticate, false},
    {"LOGIN", CommandName::login, parse::login, false},
    {"ENABLE", CommandName::enable, parse::enable, false},
    {"SELECT", CommandName::select, parse::select, false},
    {"EXAMINE", CommandName::examine, parse::select, false},
    {"CREATE", CommandName::create, parse::create, false},
    {"DELETE", CommandName::delete_, parse::mailbox_only, false},
    {"RENAME", CommandName::rename, parse::rename, false},
    {"SUBSCRIBE", CommandName::subscribe, parse::mailbox_only, false},
    {"UNSUBSCRIBE", CommandName::unsubscribe, parse::mailbox_only, false},
    {"LIST", CommandName::list, parse::list, false},
    {"LSUB", CommandName::lsub, parse::lsub, false},
    {"NAMESPACE", CommandName::namespace_, parse::no_arguments, false},
    {"STATUS", CommandName::status, parse::status, false},
    {"APPEND", CommandName::append, parse::append, false},
    {"IDLE", CommandName::idle, parse::no_arguments, false},
    {"GETQUOTA", CommandName::getquota, parse::getquota, false},
    {"GETQUOTAROOT", CommandName::getquotaroot, parse::mailbox_only, false},
    {"SETQUOTA", CommandName::setquota, parse::setquota, false},
    {"COMPRESS", CommandName::compress, parse::compress, false},
    {"CHECK", CommandName::check, parse::no_arguments, false},
    {"CLOSE", CommandName::close, parse::no_arguments, false},
    {"UNSELECT", CommandName::unselect, parse::no_arguments, false},
    {"EXPUNGE", CommandName::expunge, parse::expunge, true},
    {"SEARCH", CommandName::search, parse::search, true},
    {"SORT", CommandName::sort, parse::sort, true},
    {"THREAD", CommandName::thread, parse::thread, true},
    {"FETCH", CommandName::fetch, parse::fetch, true},
    {"STORE", CommandName::store, parse::store, true},
    {"COPY", CommandName::copy, parse::copy, true},
    {"MOVE", CommandName::move, parse::copy, true},
}};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kCommands.size(); ++i)
    if (static_cast<std::size_t>(kCommands[i].id) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "kCommands must follow enum CommandName");

const Entry* find(std::string_view name) {
  for (const Entry& e : kCommands)
    if (parse::keyword_is(name, e.name)) return &e;  // compares lengths first
  return nullptr;
}

}  // namespace

std::string_view to_string(CommandName n) { return kCommands[static_cast<std::size_t>(n)].name; }

Parsed parse_command(const FramedCommand& cmd, const ParseOptions& opt) {
  parse::Reader r(cmd, opt);
  std::string_view tag = r.take(parse::kTag);
  if (tag.empty() || (r.peek() != ' ' && !r.at_end()))
    return ParseError{"", cmd.text.empty() ? "Empty command line" : "Invalid tag"};
  Command c;
  c.tag.assign(tag);
  if (!r.eat(' ')) return ParseError{c.tag, "Missing command"};
  std::string_view name = r.take(parse::kAtom);
  if (name.empty()) return ParseError{c.tag, "Missing command"};
  const Entry* e = nullptr;
  if (parse::keyword_is(name, "UID")) {
    c.uid = true;
    if (!r.eat(' ')) return ParseError{c.tag, "Missing command after UID"};
    e = find(r.take(parse::kAtom));
    if (e && !e->uid) e = nullptr;
  } else {
    e = find(name);
  }
  if (!e) return ParseError{c.tag, "Unknown command"};
  c.name = e->id;
  if (!e->fn(r, c)) return ParseError{c.tag, r.failed() ? r.error() : std::string("Syntax error")};
  if (!r.end()) return ParseError{c.tag, r.error()};
  return c;
}

std::optional<std::string> append_mailbox(const FramedCommand& partial, const ParseOptions& opt) {
  parse::Reader r(partial, opt);
  std::string mailbox;
  std::string_view name;
  if (r.take(parse::kTag).empty() || !r.eat(' ') || !r.word(name, "command") || !parse::keyword_is(name, "APPEND") ||
      !r.sp() || !r.mailbox(mailbox))
    return std::nullopt;
  return mailbox;
}

bool valid_base64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
  for (std::size_t i = 0; i + pad < s.size(); ++i)
    if (!parse::is(s[i], parse::kBase64)) return false;
  return true;
}

}  // namespace axon::imap
