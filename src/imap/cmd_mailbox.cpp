// imap::Session: SELECT, EXAMINE (with CONDSTORE and QRESYNC), CREATE (with USE), DELETE, RENAME, SUBSCRIBE,
// UNSUBSCRIBE, NAMESPACE, and the QUOTA commands (RFC 9051 §6.3.2-6.3.10, RFC 7162, RFC 6154, RFC 9208).
// Security: mailbox names were decoded and checked by the parser (mailbox_name.h); the store takes ids.
#include <algorithm>
#include <set>

#include "imap/format.h"
#include "imap/mailbox_name.h"
#include "imap/session.h"
#include "imap/session_parts.h"

namespace axon::imap {

namespace {

bool valid_new_name(const std::string& name) {
  if (name.empty() || name.size() > 512 || name.front() == '/' || name.find("//") != std::string::npos) return false;
  for (unsigned char ch : name)
    if (ch == '*' || ch == '%' || ch < 0x20 || ch == 0x7f) return false;
  return std::count(name.begin(), name.end(), '/') < 32;
}

bool known_special_use(const std::string& u) {
  static const char* k[] = {"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"};
  return std::any_of(std::begin(k), std::end(k), [&](const char* x) { return core::iequals(u, x); });
}

}  // namespace

void Session::cmd_select(Command& c) {
  auto& s = std::get<Select>(c.args);
  bool had = view_.has_value();
  view_.reset();
  saved_.clear();
  state_ = State::authenticated;
  if (had) untagged("OK [CLOSED] Previous mailbox closed.");
  if (s.condstore) condstore_ = true;
  if (s.qresync && !qresync_) return bad(c.tag, "QRESYNC not enabled");
  auto mb = store_.mailbox(account_, s.mailbox);
  if (!mb) {
    if (mb.error().code == core::Errc::not_found) return tagged(c.tag, "NO", "[NONEXISTENT] Mailbox doesn't exist: " + imap_astring(encode_mailbox_name(s.mailbox, utf8_), utf8_));
    return store_error(c.tag, mb.error());
  }
  MailboxView v;
  if (auto r = v.load(store_, mb->id); !r) return store_error(c.tag, r.error());
  std::set<std::string> keywords;
  uint32_t first_unseen = 0;
  for (std::size_t i = 0; i < v.messages().size(); ++i) {
    const auto& m = v.messages()[i];
    for (const auto& k : m.keywords) keywords.insert(k);
    if (!first_unseen && !(m.flags & store::Flag::seen)) first_unseen = static_cast<uint32_t>(i) + 1;
  }
  std::string kw;
  for (const auto& k : keywords) kw += " " + k;
  untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft" + kw + ")");
  untagged("OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft" + kw + " \\*)] Flags permitted.");
  untagged(std::to_string(v.exists()) + " EXISTS");
  if (!rev2_) untagged("0 RECENT");
  if (!rev2_ && first_unseen) untagged("OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen.");
  untagged("OK [UIDVALIDITY " + std::to_string(v.info().uidvalidity) + "] UIDs valid");
  untagged("OK [UIDNEXT " + std::to_string(v.uidnext()) + "] Predicted next UID");
  if (condstore_) untagged("OK [HIGHESTMODSEQ " + std::to_string(v.highest_modseq()) + "] Highest");
  untagged("OK [MAILBOXID (M" + std::to_string(mb->id.value) + ")] Ok");
  if (rev2_) {
    std::string line = "LIST () \"/\" ";
    append_mailbox(line, mb->name, utf8_);
    untagged(line);
  }
  // QRESYNC (RFC 7162 §3.2.5.2): what changed since the client's state, if its UIDVALIDITY is still ours.
  if (s.qresync && s.qresync->uidvalidity == v.info().uidvalidity) {
    uint64_t since = s.qresync->modseq;
    auto gone = store_.vanished_since(mb->id, since);
    if (gone && !gone->uids.empty()) {
      std::vector<uint32_t> u = gone->uids;
      if (s.qresync->known_uids) {
        auto known = s.qresync->known_uids->resolve(UINT32_MAX);
        std::erase_if(u, [&](uint32_t x) { return !contains(known, x); });
      }
      if (!u.empty()) untagged("VANISHED (EARLIER) " + format_ranges(to_ranges(u)));
    }
    auto changed = store_.changed_since(mb->id, since);
    if (changed) {
      for (const auto& m : *changed) {
        uint32_t seq = v.seq_of(m.uid);
        if (!seq) continue;
        untagged(std::to_string(seq) + " FETCH (UID " + std::to_string(m.uid) + " FLAGS " +
                 message_flags(m.flags, m.keywords) + " MODSEQ (" + std::to_string(m.modseq) + "))");
      }
    }
  }
  read_only_ = c.name == CommandName::examine;
  view_ = std::move(v);
  news_ = false;
  state_ = State::selected;
  tagged(c.tag, "OK", read_only_ ? "[READ-ONLY] Examine completed." : "[READ-WRITE] Select completed.");
}

void Session::cmd_mailboxes(Command& c) {
  switch (c.name) {
    case CommandName::namespace_:
      untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
      return tagged(c.tag, "OK", "Namespace completed.");
    case CommandName::create: {
      auto& a = std::get<Create>(c.args);
      std::string name = a.mailbox;
      while (name.size() > 1 && name.back() == '/') name.pop_back();  // "a/": a, with children to come
      if (is_inbox(name)) return tagged(c.tag, "NO", "[ALREADYEXISTS] Mailbox already exists");
      if (!valid_new_name(name)) return tagged(c.tag, "NO", "[CANNOT] Invalid mailbox name");
      std::string use;
      if (!a.special_use.empty()) {
        if (a.special_use.size() > 1 || !known_special_use(a.special_use[0]))
          return tagged(c.tag, "NO", "[USEATTR] Unsupported special-use attribute");
        use = a.special_use[0];
      }
      for (std::size_t at = name.find('/'); at != std::string::npos; at = name.find('/', at + 1)) {
        auto p = store_.create_mailbox(account_, name.substr(0, at));
        if (!p && p.error().code != core::Errc::exists) return store_error(c.tag, p.error());
      }
      auto r = store_.create_mailbox(account_, name, use);
      if (!r) return store_error(c.tag, r.error());
      return after_sync([this, tag = c.tag](bool ok) {
        tagged(tag, ok ? "OK" : "NO", ok ? "Create completed." : "[UNAVAILABLE] Internal error occurred.");
      });
    }
    case CommandName::delete_: {
      auto& a = std::get<MailboxArg>(c.args);
      if (is_inbox(a.mailbox)) return tagged(c.tag, "NO", "[CANNOT] INBOX can't be deleted.");
      auto mb = store_.mailbox(account_, a.mailbox);
      if (!mb) return store_error(c.tag, mb.error());
      auto all = store_.mailboxes(account_);
      if (!all) return store_error(c.tag, all.error());
      for (const auto& m : *all)
        if (m.name.starts_with(mb->name + "/"))
          return tagged(c.tag, "NO", "[INUSE] Mailbox has children, delete them first");
      if (view_ && view_->id() == mb->id) {  // deleting the selected mailbox: it is gone for us too
        view_.reset();
        state_ = State::authenticated;
      }
      if (auto r = store_.delete_mailbox(mb->id); !r) return store_error(c.tag, r.error());
      return after_sync([this, tag = c.tag](bool ok) {
        tagged(tag, ok ? "OK" : "NO", ok ? "Delete completed." : "[UNAVAILABLE] Internal error occurred.");
      });
    }
    case CommandName::rename: {
      auto& a = std::get<Rename>(c.args);
      std::string to = a.to;
      while (to.size() > 1 && to.back() == '/') to.pop_back();
      if (!valid_new_name(to) || is_inbox(to)) return tagged(c.tag, "NO", "[CANNOT] Invalid mailbox name");
      auto mb = store_.mailbox(account_, a.from);
      if (!mb) return store_error(c.tag, mb.error());
      if (store_.mailbox(account_, to)) return tagged(c.tag, "NO", "[ALREADYEXISTS] Target mailbox already exists");
      for (std::size_t at = to.find('/'); at != std::string::npos; at = to.find('/', at + 1)) {
        std::string parent = to.substr(0, at);
        if (parent == mb->name) return tagged(c.tag, "NO", "[CANNOT] Can't rename mailbox under itself.");
        auto p = store_.create_mailbox(account_, parent);
        if (!p && p.error().code != core::Errc::exists) return store_error(c.tag, p.error());
      }
      if (auto r = store_.rename_mailbox(mb->id, to); !r) return store_error(c.tag, r.error());
      return after_sync([this, tag = c.tag](bool ok) {
        tagged(tag, ok ? "OK" : "NO", ok ? "Rename completed." : "[UNAVAILABLE] Internal error occurred.");
      });
    }
    case CommandName::subscribe:
    case CommandName::unsubscribe: {
      auto& a = std::get<MailboxArg>(c.args);
      bool on = c.name == CommandName::subscribe;
      if (on && !store_.mailbox(account_, a.mailbox))
        return tagged(c.tag, "NO", "[NONEXISTENT] Mailbox doesn't exist");
      if (auto r = store_.subscribe(account_, a.mailbox, on); !r) return store_error(c.tag, r.error());
      return tagged(c.tag, "OK", on ? "Subscribe completed." : "Unsubscribe completed.");
    }
    default:
      return bad(c.tag, "Unknown command");
  }
}

void Session::cmd_quota(Command& c) {
  // No quota is configured: RFC 9208 lets GETQUOTAROOT name no root; QUOTA is not advertised.
  if (c.name == CommandName::getquotaroot) {
    auto& a = std::get<MailboxArg>(c.args);
    std::string line = "QUOTAROOT ";
    append_mailbox(line, a.mailbox, utf8_);
    untagged(line);
    return tagged(c.tag, "OK", "Getquotaroot completed.");
  }
  tagged(c.tag, "NO", "[NONEXISTENT] No such quota root");
}

}  // namespace axon::imap
