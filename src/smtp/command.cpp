// SMTP command grammar. RFC 5321 §4.1.1 (commands), §4.1.2 (paths, esmtp-param), §4.1.1.3 (<Postmaster>),
// §4.5.3.1 (lengths); RFC 1870 SIZE; RFC 6152 / RFC 3030 BODY; RFC 6531 §3.4-3.5 SMTPUTF8; RFC 3461 §4 DSN.
// Security: untrusted bytes before authentication; works on string_views of a line the session has bounded.
#include "smtp/command.h"

#include <array>
#include <cctype>
#include <limits>
#include <utility>
#include <vector>

namespace axon::smtp {

namespace {

using core::iequals;

constexpr std::array<std::pair<std::string_view, Verb>, 14> kVerbs{{
    {"HELO", Verb::helo}, {"EHLO", Verb::ehlo}, {"MAIL", Verb::mail}, {"RCPT", Verb::rcpt},
    {"DATA", Verb::data}, {"BDAT", Verb::bdat}, {"RSET", Verb::rset}, {"NOOP", Verb::noop},
    {"QUIT", Verb::quit}, {"VRFY", Verb::vrfy}, {"EXPN", Verb::expn}, {"HELP", Verb::help},
    {"STARTTLS", Verb::starttls}, {"AUTH", Verb::auth},
}};

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

struct Param {
  std::string_view keyword;
  std::optional<std::string_view> value;
};

// RFC 5321 §4.1.2: esmtp-param = esmtp-keyword ["=" esmtp-value]; esmtp-keyword = (ALPHA / DIGIT)
// *(ALPHA / DIGIT / "-"); esmtp-value = 1*(%d33-60 / %d62-126). Parameters are separated by one or more SP.
std::optional<std::vector<Param>> split_params(std::string_view s) {
  std::vector<Param> out;
  while (true) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (s.empty()) break;
    std::size_t end = s.find(' ');
    std::string_view tok = s.substr(0, end);
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    std::size_t eq = tok.find('=');
    Param p{tok.substr(0, eq), std::nullopt};
    if (p.keyword.empty() || !is_alnum(p.keyword.front())) return std::nullopt;
    for (char c : p.keyword)
      if (!is_alnum(c) && c != '-') return std::nullopt;
    if (eq != std::string_view::npos) {
      std::string_view v = tok.substr(eq + 1);
      if (v.empty()) return std::nullopt;
      for (unsigned char c : v)
        if (c < 33 || c > 126 || c == '=') return std::nullopt;
      p.value = v;
    }
    out.push_back(p);
    if (out.size() > 16) return std::nullopt;  // no sane client sends more; bounds the work
  }
  return out;
}

struct PathSplit {
  std::string_view path;    // inside the angle brackets
  std::string_view params;  // after ">"
};

// Finds "<...>" at the start of s (a '>' inside a quoted local part does not end it).
std::optional<PathSplit> split_path(std::string_view s) {
  if (s.empty() || s.front() != '<') return std::nullopt;
  bool quoted = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '>') {
      std::string_view rest = s.substr(i + 1);
      if (!rest.empty() && rest.front() != ' ') return std::nullopt;  // params need a separating SP
      return PathSplit{s.substr(1, i - 1), rest};
    }
  }
  return std::nullopt;
}

// RFC 5321 §4.1.2 / Appendix C: A-d-l = At-domain *( "," At-domain ) ":" — accepted and ignored (§3.3).
std::optional<std::string_view> drop_source_route(std::string_view path) {
  if (path.empty() || path.front() != '@') return path;
  std::size_t colon = path.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view route = path.substr(0, colon);
  while (!route.empty()) {
    if (route.front() != '@') return std::nullopt;
    std::size_t comma = route.find(',');
    std::string_view d = route.substr(1, comma == std::string_view::npos ? std::string_view::npos : comma - 1);
    if (!core::valid_domain(d, true)) return std::nullopt;
    route.remove_prefix(comma == std::string_view::npos ? route.size() : comma + 1);
    if (comma != std::string_view::npos && route.empty()) return std::nullopt;
  }
  return path.substr(colon + 1);
}

// "FROM:" / "TO:" prefix, case-insensitive; tolerates spaces after the colon as Postfix does.
std::optional<std::string_view> after_prefix(std::string_view arg, std::string_view prefix) {
  if (arg.size() < prefix.size() || !iequals(arg.substr(0, prefix.size()), prefix)) return std::nullopt;
  arg.remove_prefix(prefix.size());
  while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  return arg;
}

struct MailboxResult {
  std::optional<core::Address> address;
  bool needs_utf8 = false;
};

MailboxResult parse_path_mailbox(std::string_view path, bool smtputf8) {
  if (auto a = core::parse_mailbox(path, smtputf8)) return {std::move(a), false};
  // RFC 6531 §3.5: a UTF-8 address without SMTPUTF8 is refused with 553 5.6.7.
  if (!smtputf8 && core::parse_mailbox(path, true)) return {std::nullopt, true};
  return {};
}

}  // namespace

CommandLine parse_command_line(std::string_view line) {
  std::size_t sp = line.find(' ');
  std::string_view word = line.substr(0, sp);
  CommandLine out;
  for (const auto& [name, verb] : kVerbs)
    if (iequals(word, name)) out.verb = verb;
  if (sp != std::string_view::npos) out.arg = trim_spaces(line.substr(sp));
  return out;
}

bool valid_xtext(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == '+') {
      if (i + 2 >= s.size()) return false;
      if (!is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (c < 33 || c > 126 || c == '=') return false;
  }
  return true;
}

Parsed<MailFrom> parse_mail_from(std::string_view arg) {
  static const Reply syntax = with_text(reply::c501_syntax, "Syntax: MAIL FROM:<address>");
  auto rest = after_prefix(arg, "FROM:");
  if (!rest) return syntax;
  auto split = split_path(*rest);
  if (!split) return reply::c501_bad_sender;
  auto params = split_params(split->params);
  if (!params) return reply::c501_syntax;

  MailFrom m;
  bool seen_size = false, seen_body = false, seen_utf8 = false, seen_ret = false, seen_envid = false;
  auto once = [](bool& seen) { return std::exchange(seen, true) == false; };
  for (const auto& p : *params) {
    if (iequals(p.keyword, "SIZE")) {  // RFC 1870 §6: size-value = 1*20DIGIT
      if (!once(seen_size)) return reply::c501_duplicate_param;
      if (!p.value || p.value->size() > 20) return reply::c501_bad_param_value;
      uint64_t n = 0;
      for (char c : *p.value) {
        if (!is_digit(c)) return reply::c501_bad_param_value;
        uint64_t d = static_cast<uint64_t>(c - '0');
        n = n > (std::numeric_limits<uint64_t>::max() - d) / 10 ? std::numeric_limits<uint64_t>::max() : n * 10 + d;
      }
      m.size = n;
    } else if (iequals(p.keyword, "BODY")) {  // RFC 6152 §2, RFC 3030 §3
      if (!once(seen_body)) return reply::c501_duplicate_param;
      if (!p.value) return reply::c501_bad_param_value;
      if (iequals(*p.value, "7BIT")) m.body = core::BodyType::seven_bit;
      else if (iequals(*p.value, "8BITMIME")) m.body = core::BodyType::eight_bit_mime;
      else if (iequals(*p.value, "BINARYMIME")) m.body = core::BodyType::binary_mime;
      else return reply::c501_bad_param_value;
    } else if (iequals(p.keyword, "SMTPUTF8")) {  // RFC 6531 §3.4: no value
      if (!once(seen_utf8)) return reply::c501_duplicate_param;
      if (p.value) return reply::c501_bad_param_value;
      m.smtputf8 = true;
    } else if (iequals(p.keyword, "RET")) {  // RFC 3461 §4.3
      if (!once(seen_ret)) return reply::c501_duplicate_param;
      if (!p.value) return reply::c501_bad_param_value;
      if (iequals(*p.value, "FULL")) m.ret = "FULL";
      else if (iequals(*p.value, "HDRS")) m.ret = "HDRS";
      else return reply::c501_bad_param_value;
    } else if (iequals(p.keyword, "ENVID")) {  // RFC 3461 §4.4: xtext, at most 100 characters
      if (!once(seen_envid)) return reply::c501_duplicate_param;
      if (!p.value || p.value->size() > 100 || !valid_xtext(*p.value)) return reply::c501_bad_param_value;
      m.envid = std::string(*p.value);
    } else {
      return reply::c555_unknown_param;  // RFC 5321 §4.1.1.11
    }
  }

  auto path = drop_source_route(split->path);
  if (!path) return reply::c501_bad_sender;
  if (path->empty()) {
    if (!split->path.empty()) return reply::c501_bad_sender;  // "<@a:>" is not the null path
    return m;                                                  // RFC 5321 §4.5.5: null reverse-path <>
  }
  auto mb = parse_path_mailbox(*path, m.smtputf8);
  if (mb.needs_utf8) return reply::c553_smtputf8_required;
  if (!mb.address) return reply::c501_bad_sender;
  m.reverse_path = std::string(*path);
  m.sender = std::move(mb.address);
  return m;
}

Parsed<RcptTo> parse_rcpt_to(std::string_view arg, bool smtputf8) {
  static const Reply syntax = with_text(reply::c501_syntax, "Syntax: RCPT TO:<address>");
  auto rest = after_prefix(arg, "TO:");
  if (!rest) return syntax;
  auto split = split_path(*rest);
  if (!split) return reply::c501_bad_recipient;
  auto params = split_params(split->params);
  if (!params) return reply::c501_syntax;

  RcptTo r;
  bool seen_notify = false, seen_orcpt = false;
  auto once = [](bool& seen) { return std::exchange(seen, true) == false; };
  for (const auto& p : *params) {
    if (iequals(p.keyword, "NOTIFY")) {  // RFC 3461 §4.1: "NEVER" / 1#( SUCCESS / FAILURE / DELAY )
      if (!once(seen_notify)) return reply::c501_duplicate_param;
      if (!p.value) return reply::c501_bad_param_value;
      std::string v = upper(*p.value);
      if (v != "NEVER") {
        bool s = false, f = false, d = false;
        std::string_view list = v;
        while (true) {
          std::size_t comma = list.find(',');
          std::string_view item = list.substr(0, comma);
          bool* flag = item == "SUCCESS" ? &s : item == "FAILURE" ? &f : item == "DELAY" ? &d : nullptr;
          if (flag == nullptr || *flag) return reply::c501_bad_param_value;
          *flag = true;
          if (comma == std::string_view::npos) break;
          list.remove_prefix(comma + 1);
        }
      }
      r.notify = std::move(v);
    } else if (iequals(p.keyword, "ORCPT")) {  // RFC 3461 §4.2: addr-type ";" xtext, at most 500 characters
      if (!once(seen_orcpt)) return reply::c501_duplicate_param;
      if (!p.value || p.value->size() > 500) return reply::c501_bad_param_value;
      std::size_t semi = p.value->find(';');
      if (semi == std::string_view::npos || semi == 0) return reply::c501_bad_param_value;
      for (char c : p.value->substr(0, semi))
        if (!is_alnum(c) && c != '-') return reply::c501_bad_param_value;  // addr-type is an atom
      if (!valid_xtext(p.value->substr(semi + 1))) return reply::c501_bad_param_value;
      r.orcpt = std::string(*p.value);
    } else {
      return reply::c555_unknown_param;
    }
  }

  auto path = drop_source_route(split->path);
  if (!path || path->empty()) return reply::c501_bad_recipient;
  if (iequals(*path, "postmaster")) {  // RFC 5321 §4.1.1.3
    r.forward_path = std::string(*path);
    r.address = core::Address{"postmaster", ""};
    r.bare_postmaster = true;
    return r;
  }
  auto mb = parse_path_mailbox(*path, smtputf8);
  if (mb.needs_utf8) return reply::c553_smtputf8_required;
  if (!mb.address) return reply::c501_bad_recipient;
  r.forward_path = std::string(*path);
  r.address = std::move(*mb.address);
  return r;
}

Parsed<BdatArgs> parse_bdat(std::string_view arg) {
  static const Reply syntax = with_text(reply::c501_syntax, "Syntax: BDAT chunk-size [LAST]");
  // RFC 3030 §2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CR LF; chunk-size = 1*DIGIT
  std::size_t sp = arg.find(' ');
  std::string_view num = arg.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : trim_spaces(arg.substr(sp));
  if (num.empty() || num.size() > 19) return syntax;  // 19 digits always fit in uint64_t
  BdatArgs b;
  for (char c : num) {
    if (!is_digit(c)) return syntax;
    b.size = b.size * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!rest.empty()) {
    if (!iequals(rest, "LAST")) return syntax;
    b.last = true;
  }
  return b;
}

}  // namespace axon::smtp
