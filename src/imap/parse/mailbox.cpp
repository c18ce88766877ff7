// Mailbox commands of the authenticated state: SELECT/EXAMINE (RFC 9051 §6.3.2-3; select-params RFC 4466 §2.1;
// CONDSTORE and QRESYNC RFC 7162 §3.1.8, §3.2.5), CREATE (§6.3.4; USE RFC 6154 §3), DELETE, RENAME, SUBSCRIBE,
// UNSUBSCRIBE (§6.3.5-8), STATUS (§6.3.11; RECENT RFC 3501, HIGHESTMODSEQ RFC 7162, APPENDLIMIT RFC 7889,
// MAILBOXID RFC 8474), GETQUOTAROOT (RFC 9208 §4.3).
// Security: untrusted input after authentication; names are decoded and checked by Reader::mailbox.
#include <array>
#include <utility>

#include "imap/parse/commands.h"

namespace axon::imap::parse {

namespace {

// known-uids and seq-match-data sets: "*" is not allowed (RFC 7162 §7, known-uids), nor "$".
bool plain_set(Reader& r, SequenceSet& out) {
  if (!r.sequence_set(out)) return false;
  if (out.has_star() || out.has_saved()) return r.fail("Invalid sequence set in QRESYNC");
  return true;
}

// "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
bool qresync(Reader& r, Qresync& q) {
  if (!r.expect('(', "Invalid QRESYNC parameters")) return false;
  if (!r.nz_number(q.uidvalidity, "UIDVALIDITY") || !r.sp() || !r.number64(q.modseq, "mod-sequence"))
    return false;
  if (q.modseq == 0) return r.fail("Invalid mod-sequence");
  if (!r.eat(' ')) return r.expect(')', "Invalid QRESYNC parameters");
  if (r.peek() != '(') {
    q.known_uids.emplace();
    if (!plain_set(r, *q.known_uids)) return false;
    if (!r.eat(' ')) return r.expect(')', "Invalid QRESYNC parameters");
  }
  // seq-match-data = "(" known-sequence-set SP known-uid-set ")"
  q.seq_match.emplace();
  return r.expect('(', "Invalid QRESYNC parameters") && plain_set(r, q.seq_match->seqs) && r.sp() &&
         plain_set(r, q.seq_match->uids) && r.expect(')', "Invalid QRESYNC parameters") &&
         r.expect(')', "Invalid QRESYNC parameters");
}

constexpr std::array<std::pair<std::string_view, StatusItem>, 10> kStatusItems{{
    {"MESSAGES", StatusItem::messages},
    {"RECENT", StatusItem::recent},
    {"UIDNEXT", StatusItem::uidnext},
    {"UIDVALIDITY", StatusItem::uidvalidity},
    {"UNSEEN", StatusItem::unseen},
    {"DELETED", StatusItem::deleted},
    {"SIZE", StatusItem::size},
    {"HIGHESTMODSEQ", StatusItem::highestmodseq},
    {"APPENDLIMIT", StatusItem::appendlimit},
    {"MAILBOXID", StatusItem::mailboxid},
}};

}  // namespace

bool select(Reader& r, Command& c) {
  // ("SELECT" / "EXAMINE") SP mailbox [SP "(" select-param *(SP select-param) ")"]
  Select s;
  if (!r.sp() || !r.mailbox(s.mailbox)) return false;
  if (r.eat(' ')) {
    if (!r.expect('(', "Invalid SELECT parameters")) return false;
    if (!r.eat(')')) {
      do {
        std::string_view p;
        if (!r.word(p, "SELECT parameter")) return false;
        if (keyword_is(p, "CONDSTORE")) {
          if (s.condstore) return r.fail("Duplicate SELECT parameter");
          s.condstore = true;
        } else if (keyword_is(p, "QRESYNC")) {
          if (s.qresync) return r.fail("Duplicate SELECT parameter");
          s.qresync.emplace();
          if (!r.sp() || !qresync(r, *s.qresync)) return false;
        } else {
          return r.fail("Unknown SELECT parameter");  // RFC 4466 §2.1: BAD for an unknown parameter
        }
      } while (r.eat(' '));
      if (!r.expect(')', "Invalid SELECT parameters")) return false;
    }
  }
  c.args = std::move(s);
  return r.end();
}

bool create(Reader& r, Command& c) {
  // "CREATE" SP mailbox [SP "(" create-param *(SP create-param) ")"];
  // create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")" (RFC 6154 §6)
  Create cr;
  if (!r.sp() || !r.mailbox(cr.mailbox)) return false;
  if (r.eat(' ')) {
    if (!r.expect('(', "Invalid CREATE parameters")) return false;
    bool use = false;
    do {
      std::string_view p;
      if (!r.word(p, "CREATE parameter")) return false;
      if (!keyword_is(p, "USE")) return r.fail("Unknown CREATE parameter");
      if (use) return r.fail("Duplicate CREATE parameter");
      use = true;
      if (!r.sp() || !r.flag_list(cr.special_use)) return false;
      for (const std::string& a : cr.special_use)
        if (a.size() < 2 || a[0] != '\\') return r.fail("Invalid special-use attribute");
    } while (r.eat(' '));
    if (!r.expect(')', "Invalid CREATE parameters")) return false;
  }
  c.args = std::move(cr);
  return r.end();
}

bool mailbox_only(Reader& r, Command& c) {
  MailboxArg m;
  if (!r.sp() || !r.mailbox(m.mailbox)) return false;
  c.args = std::move(m);
  return r.end();
}

bool rename(Reader& r, Command& c) {
  Rename m;
  if (!r.sp() || !r.mailbox(m.from) || !r.sp() || !r.mailbox(m.to)) return false;
  c.args = std::move(m);
  return r.end();
}

bool status_items(Reader& r, std::vector<StatusItem>& out) {
  // "(" status-att *(SP status-att) ")"
  if (!r.expect('(', "Expected a list of status items")) return false;
  do {
    std::string_view w;
    if (!r.more(out.size(), "status items") || !r.word(w, "status item")) return false;
    bool found = false;
    for (const auto& [name, item] : kStatusItems) {
      if (keyword_is(w, name)) {
        out.push_back(item);
        found = true;
        break;
      }
    }
    if (!found) return r.fail("Unknown status item");
  } while (r.eat(' '));
  return r.expect(')', "Invalid list of status items");
}

bool status(Reader& r, Command& c) {
  // "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
  Status s;
  if (!r.sp() || !r.mailbox(s.mailbox) || !r.sp() || !status_items(r, s.items)) return false;
  c.args = std::move(s);
  return r.end();
}

}  // namespace axon::imap::parse
