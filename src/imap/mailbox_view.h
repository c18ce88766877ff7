// imap::MailboxView — a session's picture of its selected mailbox: message sequence numbers (RFC 9051 §2.3.1.2)
// over the store's UIDs, with each message's flags and mod-sequence as last told to the client. refresh() asks the
// store what changed since (new messages above UIDNEXT, flags changed above the known HIGHESTMODSEQ, UIDs
// vanished) and turns it into the untagged responses the client is owed: EXISTS, FETCH (FLAGS ...), EXPUNGE or
// VANISHED. Expunges can be held back while a command forbids them (RFC 9051 §7.5.1: not during FETCH, STORE,
// SEARCH) and are then reported at the next chance.
// Thread-safety: one session's object.
// Security: none beyond the store's; sizes are bounded by the mailbox.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/mail_store.h"

namespace axon::imap {

struct ViewMessage {
  uint32_t uid = 0;
  uint64_t modseq = 0;
  uint32_t flags = 0;
  std::vector<std::string> keywords;
  int64_t id = 0;
  uint64_t size = 0;
  core::TimePoint internal_date{};
};

class MailboxView {
 public:
  // Loads the mailbox as published now.
  core::Result<void> load(store::MailStore& store, store::MailboxId id);

  store::MailboxId id() const { return id_; }
  const store::MailboxInfo& info() const { return info_; }
  uint32_t exists() const { return static_cast<uint32_t>(msgs_.size()); }
  uint64_t highest_modseq() const { return modseq_; }
  uint32_t uidnext() const { return uidnext_; }
  const std::vector<ViewMessage>& messages() const { return msgs_; }
  ViewMessage& at_seq(uint32_t seq) { return msgs_[seq - 1]; }
  // 1-based sequence number of a UID, 0 when not in the view.
  uint32_t seq_of(uint32_t uid) const;
  uint32_t max_uid() const { return msgs_.empty() ? 0 : msgs_.back().uid; }
  uint32_t recent() const { return 0; }  // \Recent is gone in IMAP4rev2; IMAP4rev1 clients get 0

  struct Options {
    bool allow_expunge = true;  // false during FETCH, STORE, SEARCH (not their UID forms)
    bool qresync = false;       // VANISHED instead of EXPUNGE (RFC 7162 §3.2.10)
    bool condstore = false;     // FETCH responses carry MODSEQ
    bool uid_in_fetch = false;  // FETCH responses carry UID (always under QRESYNC or for UID commands)
  };
  // Appends the untagged responses for what changed to `out`. `skip_flags_of` lists UIDs whose FETCH FLAGS the
  // caller sends itself (a STORE's own response).
  core::Result<void> refresh(store::MailStore& store, const Options& opts, std::string& out);
  // Records flags that the session's own command set (so refresh() does not repeat them).
  void note_flags(const store::MessageInfo& m);
  // Removes UIDs the session itself expunged and returns their sequence numbers in the order EXPUNGE reports them
  // (descending is not required; each number is valid at the time it is sent).
  std::vector<uint32_t> remove(const std::vector<uint32_t>& uids);
  // remove(), and the untagged responses saying so: "* n EXPUNGE" each, or one "* VANISHED uids" (QRESYNC).
  void remove_and_report(const std::vector<uint32_t>& uids, bool qresync, std::string& out);

 private:
  store::MailboxId id_;
  store::MailboxInfo info_;
  std::vector<ViewMessage> msgs_;
  uint64_t modseq_ = 0;
  uint32_t uidnext_ = 1;
  std::vector<uint32_t> held_expunges_;  // UIDs vanished in the store, not yet reported
};

// "(\Seen \Flagged $Label)" — the FLAGS list of a message.
std::string message_flags(uint32_t flags, const std::vector<std::string>& keywords);

}  // namespace axon::imap
