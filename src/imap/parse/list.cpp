// LIST and LSUB: RFC 9051 §6.3.9 (LIST), RFC 3501 §6.3.9 (LSUB), RFC 5258 §3 and §6 (LIST-EXTENDED: selection
// options, several patterns, RETURN options), RFC 6154 §5.1 (SPECIAL-USE as selection and return option),
// RFC 5819 §2 (RETURN (STATUS (...))). Unknown options are BAD (RFC 5258 §3), as is RECURSIVEMATCH alone.
// Security: untrusted input after authentication; patterns are decoded like mailbox names.
#include "imap/parse/commands.h"

namespace axon::imap::parse {

namespace {

// "(" [option *(SP option)] ")"
bool selection(Reader& r, List::Selection& s) {
  if (!r.enter()) return false;
  if (!r.eat(')')) {
    do {
      std::string_view w;
      if (!r.word(w, "selection option")) return false;
      if (keyword_is(w, "SUBSCRIBED")) {
        s.subscribed = true;
      } else if (keyword_is(w, "REMOTE")) {
        s.remote = true;
      } else if (keyword_is(w, "RECURSIVEMATCH")) {
        s.recursive_match = true;
      } else if (keyword_is(w, "SPECIAL-USE")) {
        s.special_use = true;
      } else {
        return r.fail("Unknown LIST selection option");
      }
    } while (r.eat(' '));
    if (!r.expect(')', "Invalid LIST selection options")) return false;
  }
  r.leave();
  // RFC 5258 §3.1: RECURSIVEMATCH needs another option that it modifies (REMOTE is independent).
  if (s.recursive_match && !s.subscribed && !s.special_use) return r.fail("RECURSIVEMATCH needs a base option");
  return true;
}

// "RETURN" SP "(" [return-option *(SP return-option)] ")"
bool return_options(Reader& r, List::Return& ret) {
  if (!r.expect('(', "Invalid LIST return options")) return false;
  if (r.eat(')')) return true;
  do {
    std::string_view w;
    if (!r.word(w, "return option")) return false;
    if (keyword_is(w, "SUBSCRIBED")) {
      ret.subscribed = true;
    } else if (keyword_is(w, "CHILDREN")) {
      ret.children = true;
    } else if (keyword_is(w, "SPECIAL-USE")) {
      ret.special_use = true;
    } else if (keyword_is(w, "STATUS")) {
      if (ret.status) return r.fail("Duplicate STATUS return option");
      ret.status = true;
      if (!r.sp() || !status_items(r, ret.status_items)) return false;
    } else {
      return r.fail("Unknown LIST return option");
    }
  } while (r.eat(' '));
  return r.expect(')', "Invalid LIST return options");
}

}  // namespace

bool list(Reader& r, Command& c) {
  // "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
  List l;
  if (!r.sp()) return false;
  if (r.eat('(')) {
    l.extended = true;
    if (!selection(r, l.selection) || !r.sp()) return false;
  }
  if (!r.mailbox(l.reference) || !r.sp()) return false;
  if (r.eat('(')) {
    // patterns = "(" list-mailbox *(SP list-mailbox) ")"
    l.extended = true;
    do {
      if (!r.more(l.patterns.size(), "patterns")) return false;
      l.patterns.emplace_back();
      if (!r.list_mailbox(l.patterns.back())) return false;
    } while (r.eat(' '));
    if (!r.expect(')', "Invalid pattern list")) return false;
  } else {
    l.patterns.emplace_back();
    if (!r.list_mailbox(l.patterns.back())) return false;
  }
  if (r.eat(' ')) {
    std::string_view w;
    if (!r.word(w, "RETURN")) return false;
    if (!keyword_is(w, "RETURN")) return r.fail("Expected RETURN");
    l.extended = true;
    if (!r.sp() || !return_options(r, l.ret)) return false;
  }
  c.args = std::move(l);
  return r.end();
}

bool lsub(Reader& r, Command& c) {
  // "LSUB" SP mailbox SP list-mailbox
  Lsub l;
  if (!r.sp() || !r.mailbox(l.reference) || !r.sp() || !r.list_mailbox(l.pattern)) return false;
  c.args = std::move(l);
  return r.end();
}

}  // namespace axon::imap::parse
