// Message commands of the selected state: STORE (RFC 9051 §6.4.6; UNCHANGEDSINCE RFC 7162 §3.1.3), COPY (§6.4.7),
// MOVE (§6.4.8, RFC 6851), EXPUNGE (§6.4.3) and UID EXPUNGE (§6.4.9, RFC 4315 §2.1).
// Security: untrusted input after authentication; flags bounded by max_list_items.
#include "imap/parse/commands.h"

namespace axon::imap::parse {

bool store(Reader& r, Command& c) {
  // "STORE" SP sequence-set [SP "(" store-modifier *(SP store-modifier) ")"] SP store-att-flags;
  // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
  Store s;
  if (!r.sp() || !r.sequence_set(s.set) || !r.sp()) return false;
  if (r.eat('(')) {
    do {
      std::string_view w;
      if (!r.word(w, "STORE modifier")) return false;
      if (!keyword_is(w, "UNCHANGEDSINCE")) return r.fail("Unknown STORE modifier");
      uint64_t n = 0;  // mod-sequence-valzer: 0 allowed
      if (s.unchangedsince || !r.sp() || !r.number64(n, "mod-sequence")) return r.fail("Invalid UNCHANGEDSINCE");
      s.unchangedsince = n;
    } while (r.eat(' '));
    if (!r.expect(')', "Invalid STORE modifiers") || !r.sp()) return false;
  }
  if (r.eat('+')) {
    s.op = Store::Op::add;
  } else if (r.eat('-')) {
    s.op = Store::Op::remove;
  }
  std::string_view w = r.take(kName);
  if (keyword_is(w, "FLAGS.SILENT")) {
    s.silent = true;
  } else if (!keyword_is(w, "FLAGS")) {
    return r.fail(w.empty() && r.at_end() ? "Missing STORE item" : "Invalid STORE item");
  }
  if (!r.sp()) return false;
  if (r.peek() == '(') {
    if (!r.flag_list(s.flags)) return false;
  } else {
    do {
      if (!r.more(s.flags.size(), "flags")) return false;
      s.flags.emplace_back();
      if (!r.flag(s.flags.back())) return false;
    } while (r.eat(' '));
  }
  c.args = std::move(s);
  return r.end();
}

bool copy(Reader& r, Command& c) {
  // ("COPY" / "MOVE") SP sequence-set SP mailbox
  Copy m;
  if (!r.sp() || !r.sequence_set(m.set) || !r.sp() || !r.mailbox(m.mailbox)) return false;
  c.args = std::move(m);
  return r.end();
}

bool expunge(Reader& r, Command& c) {
  // "EXPUNGE" / "UID" SP "EXPUNGE" SP sequence-set
  if (!c.uid) return r.end();
  UidExpunge e;
  if (!r.sp() || !r.sequence_set(e.set)) return false;
  c.args = std::move(e);
  return r.end();
}

}  // namespace axon::imap::parse
