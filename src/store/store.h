// store::Store — the one interface to accounts, domains, aliases, mailboxes and messages. Protocols and the
// queue see only this header; the embedded backend (sqlite/) and later PostgreSQL implement it.
// Thread-safety: each method may be called from any thread; implementations serialize writes internally.
// Security: sees already-validated data; password hashes are stored, never passwords.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/directory.h"

namespace axon::store {

using core::Result;

struct AccountInfo {
  int64_t id = 0;
  std::string address;  // lower-cased local@domain
  std::string password_hash;  // Argon2id PHC string
};

struct AliasInfo {
  std::string address;  // "local@domain", or "@domain" for the domain's catch-all
  std::vector<std::string> targets;
};

// IMAP system flags as bits (RFC 3501 §2.3.2); keywords are kept as text.
enum Flag : uint32_t { seen = 1, answered = 2, flagged = 4, deleted = 8, draft = 16 };

struct MailboxInfo {
  std::string name;         // "INBOX", "Sent", ...
  std::string special_use;  // RFC 6154: "\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive" or empty
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highest_modseq = 0;
  uint64_t messages = 0;
  uint64_t unseen = 0;
  uint64_t bytes = 0;
};

struct MessageInfo {
  int64_t id = 0;
  uint32_t uid = 0;
  uint64_t modseq = 0;
  core::TimePoint internal_date{};
  uint64_t size = 0;  // octets of the stored message (RFC822.SIZE)
  uint32_t flags = 0;
  std::vector<std::string> keywords;
};

// One copy of one message for one account's mailbox. Delivery is idempotent on (delivery_key): delivering the
// same key twice stores one message (the spool replays after a crash). The data comes from memory (`data`) or,
// for messages of any size, from a range of an open file (`data_fd`: the spool segment), copied in the kernel.
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
  bool duplicate = false;  // already stored under this key
  uint32_t uid = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // -- directory (CLI and SIGHUP/refresh) --
  virtual Result<void> add_domain(std::string_view domain) = 0;
  virtual Result<void> del_domain(std::string_view domain) = 0;  // in_use when accounts or aliases remain
  virtual Result<std::vector<std::string>> list_domains() = 0;
  // Creates INBOX and the special-use mailboxes Sent, Drafts, Trash, Junk, Archive. Domain must exist.
  virtual Result<void> add_account(std::string_view address, std::string_view password_hash) = 0;
  virtual Result<void> del_account(std::string_view address) = 0;  // removes its mailboxes and message files
  virtual Result<void> set_password(std::string_view address, std::string_view password_hash) = 0;
  virtual Result<AccountInfo> get_account(std::string_view address) = 0;
  virtual Result<std::vector<AccountInfo>> list_accounts() = 0;
  // Adds targets to the alias (creating it). Targets are local accounts or aliases.
  virtual Result<void> add_alias(std::string_view address, std::span<const std::string> targets) = 0;
  virtual Result<void> del_alias(std::string_view address) = 0;
  virtual Result<std::vector<AliasInfo>> list_aliases() = 0;

  // A snapshot of domains, accounts and aliases for recipient lookups without I/O.
  virtual Result<Directory> load_directory() = 0;
  // Changes whenever domains, accounts or aliases change, from any process. Cheap enough to poll every second.
  virtual Result<uint64_t> directory_version() = 0;

  // -- mail --
  // Stores a batch in one transaction. Message files are written first, outside the database's write lock, and
  // not fsynced: the caller makes them durable with sync() before it forgets its own durable copy (the spool).
  // One outcome per delivery, in order.
  virtual std::vector<Result<DeliveryOutcome>> deliver(std::span<const Delivery> batch) = 0;
  // Makes everything written so far durable (message files and metadata). After one failure every later call
  // fails too: the kernel may have dropped the unwritten pages, so a "successful" retry would lie.
  virtual Result<void> sync() = 0;
  virtual Result<std::vector<MailboxInfo>> list_mailboxes(std::string_view account) = 0;
  virtual Result<std::vector<MessageInfo>> list_messages(std::string_view account, std::string_view mailbox) = 0;
  virtual Result<std::string> read_message(std::string_view account, std::string_view mailbox, uint32_t uid) = 0;
};

struct SqliteOptions {
  std::filesystem::path data_dir;  // holds axon.db and mail/
  const core::Clock* clock = nullptr;  // for uidvalidity and created times; system clock when null
  // Reading only: an existing store at the current schema version (checked, not migrated); creates nothing and
  // takes no write lock, so it never waits behind a busy server. Every write method fails (Errc::permanent).
  bool read_only = false;
};

// The embedded backend: SQLite (WAL) for metadata, one file per message under data_dir/mail/.
Result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& opts);

}  // namespace axon::store
