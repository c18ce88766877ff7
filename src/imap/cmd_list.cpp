// imap::Session: LIST (with LIST-EXTENDED selection and return options, SPECIAL-USE, CHILDREN, LIST-STATUS), LSUB
// and STATUS (RFC 9051 §6.3.9-6.3.11, RFC 5258, RFC 6154, RFC 5819, RFC 3501 §6.3.9).
// Security: patterns are untrusted: matching is O(name × pattern) with no backtracking blow-up.
#include <algorithm>
#include <map>
#include <set>

#include "imap/format.h"
#include "imap/mailbox_name.h"
#include "imap/session.h"
#include "imap/session_parts.h"

namespace axon::imap {

namespace {

// RFC 9051 §6.3.9: '*' matches anything, '%' anything but the hierarchy delimiter. INBOX matches case-insensitively.
bool match(std::string_view name, std::string_view pat) {
  std::vector<char> row(pat.size() + 1, 0), next(pat.size() + 1, 0);
  // dp over the pattern: row[j] true when name[0..i) matches pat[0..j)
  row[0] = 1;
  for (std::size_t j = 1; j <= pat.size(); ++j) row[j] = row[j - 1] && (pat[j - 1] == '*' || pat[j - 1] == '%');
  for (std::size_t i = 1; i <= name.size(); ++i) {
    next[0] = 0;
    char ch = name[i - 1];
    for (std::size_t j = 1; j <= pat.size(); ++j) {
      char p = pat[j - 1];
      if (p == '*')
        next[j] = next[j - 1] || row[j];
      else if (p == '%')
        next[j] = next[j - 1] || (row[j] && ch != '/');
      else
        next[j] = row[j - 1] && p == ch;
    }
    std::swap(row, next);
  }
  return row[pat.size()];
}

bool match_mailbox(const std::string& name, const std::string& pattern) {
  if (name == "INBOX") {
    // "inbox", "Inbox", "INB*" ...: compare with INBOX upper-cased where the pattern spells its first letters.
    std::string p = pattern;
    for (std::size_t i = 0; i < p.size() && i < 5 && p[i] != '*' && p[i] != '%'; ++i)
      p[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[i])));
    return match(name, p);
  }
  return match(name, pattern);
}

struct Entry {
  std::string name;
  bool exists = false;
  bool subscribed = false;
  bool children = false;
  std::string special_use;
  const store::MailboxInfo* info = nullptr;
};

// "MESSAGES 3 UIDNEXT 9 ..." for STATUS and LIST-STATUS.
std::string status_items(const store::MailboxInfo& mb, const std::vector<StatusItem>& which, uint64_t appendlimit) {
  std::string items;
  auto add = [&](const char* k, const std::string& v) {
    if (!items.empty()) items += ' ';
    items += k;
    items += ' ';
    items += v;
  };
  for (auto it : which) {
    switch (it) {
      case StatusItem::messages: add("MESSAGES", std::to_string(mb.messages)); break;
      case StatusItem::recent: add("RECENT", "0"); break;
      case StatusItem::uidnext: add("UIDNEXT", std::to_string(mb.uidnext)); break;
      case StatusItem::uidvalidity: add("UIDVALIDITY", std::to_string(mb.uidvalidity)); break;
      case StatusItem::unseen: add("UNSEEN", std::to_string(mb.unseen)); break;
      case StatusItem::deleted: add("DELETED", std::to_string(mb.deleted)); break;
      case StatusItem::size: add("SIZE", std::to_string(mb.bytes)); break;
      case StatusItem::highestmodseq: add("HIGHESTMODSEQ", std::to_string(mb.highest_modseq)); break;
      case StatusItem::appendlimit: add("APPENDLIMIT", std::to_string(appendlimit)); break;
      case StatusItem::mailboxid: add("MAILBOXID", "(M" + std::to_string(mb.id.value) + ")"); break;
    }
  }
  return items;
}

}  // namespace

void Session::cmd_list(Command& c) {
  if (c.name == CommandName::status) {
    auto& s = std::get<Status>(c.args);
    auto mb = store_.mailbox(account_, s.mailbox);
    if (!mb) return store_error(c.tag, mb.error());
    std::string items = status_items(*mb, s.items, cfg_.limits.max_message_literal);
    std::string line = "STATUS ";
    append_mailbox(line, mb->name, utf8_);
    untagged(line + " (" + items + ")");
    return tagged(c.tag, "OK", "Status completed.");
  }

  const bool lsub = c.name == CommandName::lsub;
  List l;
  if (lsub) {
    auto& a = std::get<Lsub>(c.args);
    l.reference = a.reference;
    l.patterns = {a.pattern};
    l.selection.subscribed = true;
  } else {
    l = std::get<List>(c.args);
  }
  if (l.patterns.size() == 1 && l.patterns[0].empty() && !l.extended) {
    untagged(std::string(lsub ? "LSUB" : "LIST") + " (\\Noselect) \"/\" \"\"");
    return tagged(c.tag, "OK", lsub ? "Lsub completed." : "List completed.");
  }
  auto boxes = store_.mailboxes(account_);
  if (!boxes) return store_error(c.tag, boxes.error());
  auto subs = store_.subscriptions(account_);
  if (!subs) return store_error(c.tag, subs.error());
  std::set<std::string> subscribed(subs->begin(), subs->end());

  std::map<std::string, Entry> all;
  for (const auto& m : *boxes) {
    auto& e = all[m.name];
    e.name = m.name;
    e.exists = true;
    e.special_use = m.special_use;
    e.info = &m;
  }
  for (const auto& s : subscribed) {
    auto& e = all[s];
    e.name = s;
    e.subscribed = true;
  }
  // Parents named only by their children (a/b without a): listed as \NonExistent where a pattern reaches them.
  std::vector<std::string> names;
  for (const auto& [n, e] : all) names.push_back(n);
  for (const auto& n : names) {
    for (std::size_t at = n.find('/'); at != std::string::npos; at = n.find('/', at + 1)) {
      auto& p = all[n.substr(0, at)];
      p.name = n.substr(0, at);
      if (all.at(n).exists) p.children = true;
    }
  }

  std::string verb = lsub ? "LSUB" : "LIST";
  for (auto& [n, e] : all) {
    bool hit = false;
    for (const auto& pat : l.patterns) {
      std::string full = l.reference + pat;
      if (is_inbox(full)) full = "INBOX";
      if (match_mailbox(n, full)) hit = true;
    }
    bool child_hit = false;  // RECURSIVEMATCH / LSUB: a subscribed child under a matched parent
    if (!hit) continue;
    if (l.selection.subscribed && !e.subscribed) {
      if (!l.selection.recursive_match) continue;
      for (const auto& [n2, e2] : all)
        if (e2.subscribed && n2.starts_with(n + "/")) child_hit = true;
      if (!child_hit) continue;
    }
    if (l.selection.special_use && e.special_use.empty()) continue;
    if (!e.exists && !e.children && !e.subscribed) continue;
    std::string attrs;
    auto attr = [&](const std::string& a) {
      if (!attrs.empty()) attrs += ' ';
      attrs += a;
    };
    if (!e.exists) attr(lsub ? "\\Noselect" : (l.extended || rev2_ ? "\\NonExistent" : "\\Noselect"));
    if (!lsub) attr(e.children ? "\\HasChildren" : "\\HasNoChildren");
    if ((l.ret.subscribed || l.selection.subscribed) && e.subscribed && !lsub) attr("\\Subscribed");
    if (!e.special_use.empty() && !lsub) attr(e.special_use);
    std::string line = verb + " (" + attrs + ") \"/\" ";
    append_mailbox(line, n, utf8_);
    if (child_hit) line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
    untagged(line);
    if (l.ret.status && e.exists && e.info) {
      std::string items = status_items(*e.info, l.ret.status_items, cfg_.limits.max_message_literal);
      std::string st = "STATUS ";
      append_mailbox(st, n, utf8_);
      untagged(st + " (" + items + ")");
    }
  }
  tagged(c.tag, "OK", lsub ? "Lsub completed." : "List completed.");
}

}  // namespace axon::imap
