// imap::MailboxView. See mailbox_view.h.
#include "imap/mailbox_view.h"
#include "imap/seqset.h"

#include <algorithm>

namespace axon::imap {

namespace {

ViewMessage from_store(const store::MessageInfo& m) {
  return ViewMessage{m.uid, m.modseq, m.flags, m.keywords, m.id, m.size, m.internal_date};
}


}  // namespace

std::string message_flags(uint32_t flags, const std::vector<std::string>& keywords) {
  std::string out = "(";
  auto add = [&](const char* f) {
    if (out.size() > 1) out += ' ';
    out += f;
  };
  if (flags & store::Flag::seen) add("\\Seen");
  if (flags & store::Flag::answered) add("\\Answered");
  if (flags & store::Flag::flagged) add("\\Flagged");
  if (flags & store::Flag::deleted) add("\\Deleted");
  if (flags & store::Flag::draft) add("\\Draft");
  for (const auto& k : keywords) add(k.c_str());
  out += ')';
  return out;
}

core::Result<void> MailboxView::load(store::MailStore& store, store::MailboxId id) {
  auto info = store.mailbox(id);
  if (!info) return info.error();
  auto msgs = store.messages(id);
  if (!msgs) return msgs.error();
  id_ = id;
  info_ = std::move(*info);
  msgs_.clear();
  msgs_.reserve(msgs->size());
  for (const auto& m : *msgs) msgs_.push_back(from_store(m));
  // The message list may be newer than the mailbox row read first; take the larger.
  modseq_ = info_.highest_modseq;
  uidnext_ = info_.uidnext;
  for (const auto& m : msgs_) {
    modseq_ = std::max(modseq_, m.modseq);
    uidnext_ = std::max(uidnext_, m.uid + 1);
  }
  held_expunges_.clear();
  return {};
}

uint32_t MailboxView::seq_of(uint32_t uid) const {
  auto it = std::lower_bound(msgs_.begin(), msgs_.end(), uid,
                             [](const ViewMessage& m, uint32_t u) { return m.uid < u; });
  if (it == msgs_.end() || it->uid != uid) return 0;
  return static_cast<uint32_t>(it - msgs_.begin()) + 1;
}

void MailboxView::note_flags(const store::MessageInfo& m) {
  uint32_t seq = seq_of(m.uid);
  if (!seq) return;
  auto& v = msgs_[seq - 1];
  v.flags = m.flags;
  v.keywords = m.keywords;
  v.modseq = m.modseq;
}

std::vector<uint32_t> MailboxView::remove(const std::vector<uint32_t>& uids) {
  // The sequence numbers as EXPUNGE reports them one after the other (each valid when sent), then one pass to
  // drop the messages: no erase per message.
  std::vector<uint32_t> sorted(uids);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<uint32_t> seqs;
  uint32_t removed = 0;
  for (uint32_t uid : sorted) {
    uint32_t seq = seq_of(uid);
    if (!seq) continue;
    seqs.push_back(seq - removed);
    ++removed;
  }
  std::erase_if(msgs_, [&](const ViewMessage& m) { return std::binary_search(sorted.begin(), sorted.end(), m.uid); });
  return seqs;
}

void MailboxView::remove_and_report(const std::vector<uint32_t>& uids, bool qresync, std::string& out) {
  if (!qresync) {
    for (uint32_t seq : remove(uids)) out += "* " + std::to_string(seq) + " EXPUNGE\r\n";
    return;
  }
  std::vector<uint32_t> present;
  for (uint32_t uid : uids)
    if (seq_of(uid)) present.push_back(uid);
  remove(present);
  if (!present.empty()) out += "* VANISHED " + format_ranges(to_ranges(present)) + "\r\n";
}

core::Result<void> MailboxView::refresh(store::MailStore& store, const Options& opts, std::string& out) {
  auto info = store.mailbox(id_);
  if (!info) return info.error();
  const bool changed = info->highest_modseq > modseq_ || info->uidnext > uidnext_;
  if (changed) {
    // Expunges first: they are held until allowed, and the UIDs they name must not be reported as changed.
    auto gone = store.vanished_since(id_, modseq_);
    if (!gone) return gone.error();
    for (uint32_t uid : gone->uids)
      if (seq_of(uid)) held_expunges_.push_back(uid);
    uint32_t old_exists = exists();
    if (info->highest_modseq > modseq_) {
      auto mod = store.changed_since(id_, modseq_);
      if (!mod) return mod.error();
      for (auto& m : *mod) {
        if (m.uid >= uidnext_) continue;  // new: below
        uint32_t seq = seq_of(m.uid);
        if (!seq) continue;
        auto& v = msgs_[seq - 1];
        bool flags_differ = v.flags != m.flags || v.keywords != m.keywords;
        bool newer = m.modseq > v.modseq;  // not our own change, already told with the STORE's response
        v.modseq = std::max(v.modseq, m.modseq);
        if (!flags_differ && !(opts.condstore && newer)) continue;
        v.flags = m.flags;
        v.keywords = m.keywords;
        out += "* " + std::to_string(seq) + " FETCH (";
        if (opts.uid_in_fetch || opts.qresync) out += "UID " + std::to_string(m.uid) + " ";
        out += "FLAGS " + message_flags(m.flags, m.keywords);
        if (opts.condstore) out += " MODSEQ (" + std::to_string(m.modseq) + ")";
        out += ")\r\n";
      }
    }
    // New messages: the published ones at or above our UIDNEXT (their modseqs may be below ours: a delivery is
    // published later than a flag change made after it).
    if (info->uidnext > uidnext_) {
      auto added = store.messages(id_, uidnext_);
      if (!added) return added.error();
      for (auto& m : *added) msgs_.push_back(from_store(m));
    }
    if (exists() != old_exists) out += "* " + std::to_string(exists()) + " EXISTS\r\n";
    modseq_ = std::max(modseq_, info->highest_modseq);
    uidnext_ = std::max({uidnext_, info->uidnext, msgs_.empty() ? 1u : msgs_.back().uid + 1});
    info_ = std::move(*info);
  }
  if (opts.allow_expunge && !held_expunges_.empty()) {
    std::sort(held_expunges_.begin(), held_expunges_.end());
    remove_and_report(held_expunges_, opts.qresync, out);
    held_expunges_.clear();
  }
  return {};
}

}  // namespace axon::imap
