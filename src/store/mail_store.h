// store::MailDelivery and store::MailStore — mailboxes and messages, as the queue and the readers (IMAP, POP3)
// need them. Handles are ids (store/ids.h). Ranged reads go through an open file descriptor, never a whole
// message in a string.
//
// Durability and visibility (RFC 3501 §2.3.1.1: a UID is never reused under one UIDVALIDITY; RFC 7162: a
// mod-sequence never goes back): changes are committed at once but *published* only by sync(), after the data
// and the metadata are on disk. Readers see a mailbox as of its last publication: messages with a UID below its
// published UIDNEXT and a HIGHESTMODSEQ that is durable, so a crash can never take back a UID or a mod-sequence a
// client has seen. A writer that must answer "done" (APPEND, STORE, EXPUNGE, COPY) calls sync() first, directly
// or through a group commit.
//
// Change notification: watch() registers a callback per account; sync() calls it for every mailbox it published
// a change in (new message, flags, expunge), from the syncing thread, after the publication is visible. The
// callback must not block (post to your own thread). A PostgreSQL backend feeds the same callbacks from
// LISTEN/NOTIFY.
//
// Thread-safety: every method may be called from any thread.
// Security: message content is untrusted; the store never interprets it except through the Summarizer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/ids.h"

namespace axon::store {

using core::Result;

// IMAP system flags as bits (RFC 9051 §2.3.2); keywords are kept as text.
enum Flag : uint32_t { seen = 1, answered = 2, flagged = 4, deleted = 8, draft = 16 };
constexpr uint32_t kAllFlags = seen | answered | flagged | deleted | draft;

struct MailboxInfo {
  MailboxId id;
  AccountId account;
  std::string name;         // "INBOX", "Sent", "a/b": UTF-8, hierarchy separator '/'
  std::string special_use;  // RFC 6154: "\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive" or empty
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;         // published
  uint64_t highest_modseq = 1;  // published
  uint64_t messages = 0;        // counters kept on the mailbox row (may run ahead of publication briefly)
  uint64_t unseen = 0;
  uint64_t deleted = 0;  // messages with \Deleted
  uint64_t bytes = 0;
};

struct MessageInfo {
  int64_t id = 0;  // unique in the store, never reused: OBJECTID's EMAILID (RFC 8474)
  uint32_t uid = 0;
  uint64_t modseq = 0;
  core::TimePoint internal_date{};
  uint64_t size = 0;  // octets of the stored message (RFC822.SIZE)
  uint32_t flags = 0;
  std::vector<std::string> keywords;
};

// An open stored message: read it with pread(2) by range. The summary is what the Summarizer made of it (empty
// when none was made: the reader may make one and save it with save_summary()).
struct OpenMessage {
  OpenMessage() = default;
  OpenMessage(OpenMessage&& o) noexcept;
  OpenMessage& operator=(OpenMessage&& o) noexcept;
  OpenMessage(const OpenMessage&) = delete;
  OpenMessage& operator=(const OpenMessage&) = delete;
  ~OpenMessage();

  int fd = -1;
  uint64_t size = 0;
  std::string summary;
  // Reads [offset, offset + n) clamped to the size; fails on I/O errors or a file shorter than the size.
  Result<std::string> read(uint64_t offset, uint64_t n) const;
};

// Computes the per-message summary (the MIME structure IMAP's FETCH needs) when a message is stored, reading it
// from `fd` by range. Implemented outside the store (mime/); may be absent.
class Summarizer {
 public:
  virtual ~Summarizer() = default;
  virtual std::string summarize(int fd, uint64_t offset, uint64_t size) = 0;
};

// One copy of one message for one account's mailbox. Delivery is idempotent on (delivery_key): delivering the
// same key twice stores one message, and a key whose message was expunged or deleted stays spent until it
// expires (the spool replays after a crash). The data comes from memory (`data`) or, for messages of any size,
// from a range of an open file (`data_fd`: the spool segment), copied in the kernel.
struct Delivery {
  std::string delivery_key;  // e.g. "<queue id>/<account>"
  std::string account;       // lower-cased address of an existing account
  std::string mailbox = "INBOX";
  core::TimePoint internal_date{};
  uint32_t flags = 0;
  std::string_view prefix;  // header lines to put first (Return-Path:), CRLF-terminated; may be empty
  std::string_view data;    // the message, when data_fd < 0
  int data_fd = -1;         // else the message is data_size octets of this file at data_offset
  uint64_t data_offset = 0;
  uint64_t data_size = 0;
  // What the caller knows the content by (the spool record's checksums), 0 when unknown. A key delivered again
  // with another non-zero fingerprint is a collision, never a duplicate: Errc::exists, and nothing is touched.
  uint64_t fingerprint = 0;

  uint64_t size() const { return prefix.size() + (data_fd >= 0 ? data_size : data.size()); }
};

struct DeliveryOutcome {
  bool duplicate = false;  // already stored (or stored and since removed) under this key
  uint32_t uid = 0;        // 0 when the duplicate's message is gone
};

// What the queue needs: store and make durable.
class MailDelivery {
 public:
  virtual ~MailDelivery() = default;
  // Stores a batch in one transaction. Message files are written first, outside the database's write lock, and
  // not fsynced: the caller makes them durable with sync() before it forgets its own durable copy (the spool).
  // One outcome per delivery, in order.
  virtual std::vector<Result<DeliveryOutcome>> deliver(std::span<const Delivery> batch) = 0;
  // Makes everything written so far durable (message files and metadata), then publishes it (see above) and
  // notifies watchers. After one failure every later call fails too: the kernel may have dropped the unwritten
  // pages, so a "successful" retry would lie.
  virtual Result<void> sync() = 0;
};

enum class FlagOp { add, remove, replace };

struct FlagChange {
  FlagOp op = FlagOp::add;
  uint32_t flags = 0;
  std::vector<std::string> keywords;  // IMAP atoms, case-insensitive (RFC 9051 §2.3.2); kept as first given
  std::optional<uint64_t> unchanged_since;  // RFC 7162 UNCHANGEDSINCE
};

struct FlagResult {
  std::vector<MessageInfo> changed;  // the messages whose flags changed, as they are now (new modseq)
  std::vector<uint32_t> failed;      // UIDs refused by UNCHANGEDSINCE (RFC 7162 §3.2: MODIFIED)
};

struct CopyResult {
  uint32_t uidvalidity = 0;  // of the destination
  std::vector<uint32_t> source_uids, dest_uids;  // in pairs, ascending by source UID (RFC 4315 COPYUID)
};

struct AppendData {
  std::string_view data;  // the message, when fd < 0
  int fd = -1;            // else size octets of this file from offset
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t flags = 0;
  std::vector<std::string> keywords;
  core::TimePoint internal_date{};  // now when zero
  uint64_t bytes() const { return fd >= 0 ? size : data.size(); }
};

struct AppendResult {
  uint32_t uidvalidity = 0;
  uint32_t uid = 0;
};

struct MailboxChange {
  AccountId account;
  MailboxId mailbox;
};
using WatchCallback = std::function<void(const MailboxChange&)>;

// Unregisters on destruction (after which the callback is never called again).
class Watch {
 public:
  virtual ~Watch() = default;
};

// What the readers need. Mutations are committed when they return and durable after the next sync().
class MailStore : public MailDelivery {
 public:
  virtual Result<AccountId> account_id(std::string_view address) = 0;
  virtual Result<std::string> account_address(AccountId account) = 0;

  // -- mailboxes --
  virtual Result<std::vector<MailboxInfo>> mailboxes(AccountId account) = 0;  // by name
  virtual Result<MailboxInfo> mailbox(AccountId account, std::string_view name) = 0;  // INBOX case-insensitive
  virtual Result<MailboxInfo> mailbox(MailboxId id) = 0;
  // A new mailbox; exists when the name is taken. Parents are not created (IMAP CREATE does that).
  virtual Result<MailboxId> create_mailbox(AccountId account, std::string_view name,
                                           std::string_view special_use = {}) = 0;
  // Removes the mailbox and its messages. INBOX cannot be deleted (Errc::invalid).
  virtual Result<void> delete_mailbox(MailboxId id) = 0;
  // Renames the mailbox and every mailbox under it ("name/..."). Renaming INBOX moves its messages into a new
  // mailbox of that name and leaves INBOX empty (RFC 9051 §6.3.6).
  virtual Result<void> rename_mailbox(MailboxId id, std::string_view new_name) = 0;
  // Subscriptions are names, not mailboxes (RFC 9051 §6.3.7: one may subscribe to a name that does not exist).
  virtual Result<void> subscribe(AccountId account, std::string_view name, bool on) = 0;
  virtual Result<std::vector<std::string>> subscriptions(AccountId account) = 0;

  // -- messages (published state) --
  // Messages with UID >= from_uid, ascending by UID.
  virtual Result<std::vector<MessageInfo>> messages(MailboxId id, uint32_t from_uid = 1) = 0;
  // Messages whose modseq is above `modseq` (RFC 7162 CHANGEDSINCE), ascending by UID.
  virtual Result<std::vector<MessageInfo>> changed_since(MailboxId id, uint64_t modseq) = 0;
  // UIDs expunged with a modseq above `modseq` (RFC 7162 VANISHED), ascending. Tombstones are kept; when they
  // have been pruned past `modseq`, `complete` is false and the caller must compare UID lists instead.
  struct Vanished {
    std::vector<uint32_t> uids;
    bool complete = true;
  };
  virtual Result<Vanished> vanished_since(MailboxId id, uint64_t modseq) = 0;
  virtual Result<OpenMessage> open_message(MailboxId id, uint32_t uid) = 0;
  virtual Result<void> save_summary(MailboxId id, uint32_t uid, std::string_view summary) = 0;

  // -- mutations --
  virtual Result<FlagResult> set_flags(MailboxId id, std::span<const uint32_t> uids, const FlagChange& change) = 0;
  // Removes the messages with \Deleted (only those in `uids` when given, which may name messages not yet
  // published: an APPEND undone); returns the removed UIDs, ascending.
  virtual Result<std::vector<uint32_t>> expunge(MailboxId id, std::optional<std::span<const uint32_t>> uids) = 0;
  // Copies (or moves: RFC 6851, the source messages are expunged) into another mailbox of the same account.
  virtual Result<CopyResult> copy(MailboxId from, std::span<const uint32_t> uids, MailboxId to, bool move) = 0;
  virtual Result<AppendResult> append(MailboxId id, const AppendData& message) = 0;

  virtual std::unique_ptr<Watch> watch(AccountId account, WatchCallback callback) = 0;
};

}  // namespace axon::store
