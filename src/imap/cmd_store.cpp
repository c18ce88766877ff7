// imap::Session: STORE (with UNCHANGEDSINCE), EXPUNGE, UID EXPUNGE, CLOSE, UNSELECT, CHECK, COPY and MOVE
// (RFC 9051 §6.4, RFC 7162 §3.1.3, RFC 4315, RFC 6851). COPY and MOVE make new UIDs: they are answered only after
// a durable point (store::SyncService), so a client never sees a UID that a crash could take back. Flag changes
// and expunges are published at once, under the store's durable mod-sequence reservation (mail_store.h).
#include <algorithm>

#include "imap/format.h"
#include "imap/session.h"
#include "imap/session_parts.h"

namespace axon::imap {

void Session::cmd_store(Command& c) {
  switch (c.name) {
    case CommandName::check:
      refresh(true);
      return tagged(c.tag, "OK", "Check completed.");
    case CommandName::unselect:
      view_.reset();
      saved_.clear();
      state_ = State::authenticated;
      return tagged(c.tag, "OK", "Unselect completed.");
    case CommandName::close: {
      auto id = view_->id();
      bool expunge = !read_only_;
      view_.reset();
      saved_.clear();
      state_ = State::authenticated;
      if (!expunge) return tagged(c.tag, "OK", "Close completed.");
      auto r = store_.expunge(id, std::nullopt);  // silently (RFC 9051 §6.4.1)
      if (!r) return store_error(c.tag, r.error());
      return tagged(c.tag, "OK", "Close completed.");
    }
    case CommandName::expunge: {
      if (read_only_) return tagged(c.tag, "NO", "[READ-ONLY] Mailbox is read-only.");
      std::optional<std::vector<uint32_t>> only;
      if (c.uid) {
        std::vector<uint32_t> seqs;
        if (!resolve(c, std::get<UidExpunge>(c.args).set, seqs)) return;
        only = uids_of(seqs);
      }
      auto r = only ? store_.expunge(view_->id(), std::span<const uint32_t>(*only))
                    : store_.expunge(view_->id(), std::nullopt);
      if (!r) return store_error(c.tag, r.error());
      // Published at once, like flag changes (store/mail_store.h): no durable point to wait for.
      auto gone = std::move(*r);
      auto finish = [this, tag = c.tag, gone](bool) {
        if (!view_) return tagged(tag, "OK", "Expunge completed.");
        view_->remove_and_report(gone, qresync_, out_);
        tagged(tag, "OK", "Expunge completed.");
      };
      return finish(true);
    }
    case CommandName::store: {
      auto& s = std::get<Store>(c.args);
      if (read_only_) return tagged(c.tag, "NO", "[READ-ONLY] Mailbox is read-only.");
      std::vector<uint32_t> seqs;
      if (!resolve(c, s.set, seqs)) return;
      store::FlagChange ch;
      if (!to_store_flags(s.flags, ch.flags, ch.keywords)) return bad(c.tag, "Invalid system flag");
      ch.op = s.op == Store::Op::add ? store::FlagOp::add
              : s.op == Store::Op::remove ? store::FlagOp::remove
                                          : store::FlagOp::replace;
      ch.unchanged_since = s.unchangedsince;
      if (s.unchangedsince) condstore_ = true;  // RFC 7162 §3.1: a CONDSTORE-enabling command
      auto uids = uids_of(seqs);
      auto r = store_.set_flags(view_->id(), uids, ch);
      if (!r) return store_error(c.tag, r.error());
      auto result = std::move(*r);
      bool silent = s.silent, uid = c.uid;
      auto finish = [this, tag = c.tag, uids, result, silent, uid](bool ok) {
        if (!ok) return tagged(tag, "NO", "[UNAVAILABLE] Internal error occurred.");
        if (!view_) return tagged(tag, "OK", "Store completed.");
        for (const auto& m : result.changed) view_->note_flags(m);
        std::vector<uint32_t> changed_uids;  // ascending, as the store returns them
        for (const auto& m : result.changed) changed_uids.push_back(m.uid);
        for (uint32_t u : uids) {
          uint32_t seq = view_->seq_of(u);
          if (!seq) continue;
          if (std::binary_search(result.failed.begin(), result.failed.end(), u)) continue;
          const auto& v = view_->messages()[seq - 1];
          bool changed = std::binary_search(changed_uids.begin(), changed_uids.end(), u);
          // RFC 7162 §3.1.3: with CONDSTORE, changed messages are reported with MODSEQ even under .SILENT.
          if (silent && !(condstore_ && changed)) continue;
          std::string line = std::to_string(seq) + " FETCH (";
          if (uid || qresync_) line += "UID " + std::to_string(u) + " ";
          line += "FLAGS " + message_flags(v.flags, v.keywords);
          if (condstore_) line += " MODSEQ (" + std::to_string(v.modseq) + ")";
          untagged(line + ")");
        }
        if (!result.failed.empty()) {
          std::vector<uint32_t> f = result.failed;
          if (!uid) {
            for (auto& x : f) x = view_->seq_of(x);
            std::erase(f, 0u);
          }
          return tagged(tag, "OK", "[MODIFIED " + format_ranges(to_ranges(f)) + "] Conditional STORE failed");
        }
        tagged(tag, "OK", "Store completed.");
      };
      return finish(true);  // flag changes are published at once (store/mail_store.h)
    }
    default:
      return bad(c.tag, "Unknown command");
  }
}

void Session::cmd_copy(Command& c) {
  auto& a = std::get<Copy>(c.args);
  const bool move = c.name == CommandName::move;
  if (move && read_only_) return tagged(c.tag, "NO", "[READ-ONLY] Mailbox is read-only.");
  std::vector<uint32_t> seqs;
  if (!resolve(c, a.set, seqs)) return;
  auto dest = store_.mailbox(account_, a.mailbox);
  if (!dest) {
    if (dest.error().code == core::Errc::not_found)
      return tagged(c.tag, "NO", "[TRYCREATE] Mailbox doesn't exist");
    return store_error(c.tag, dest.error());
  }
  if (seqs.empty()) return tagged(c.tag, "OK", move ? "No messages found." : "No messages found.");
  if (move && dest->id == view_->id()) return tagged(c.tag, "NO", "[CANNOT] Can't move to the same mailbox");
  auto uids = uids_of(seqs);
  auto r = store_.copy(view_->id(), uids, dest->id, move);
  if (!r) return store_error(c.tag, r.error());
  auto res = std::move(*r);
  after_sync([this, tag = c.tag, res, move](bool ok) {
    if (!ok) return tagged(tag, "NO", "[UNAVAILABLE] Internal error occurred.");
    std::string code = res.source_uids.empty() ? std::string()
                                               : "[COPYUID " + std::to_string(res.uidvalidity) + " " +
                                                     format_numbers(res.source_uids) + " " +
                                                     format_numbers(res.dest_uids) + "] ";
    if (!move) return tagged(tag, "OK", code + "Copy completed.");
    if (!code.empty()) untagged("OK " + code + "Moved UIDs.");
    if (view_) view_->remove_and_report(res.source_uids, qresync_, out_);
    tagged(tag, "OK", "Move completed.");
  });
}

}  // namespace axon::imap
