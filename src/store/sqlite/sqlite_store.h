// The embedded store's class, shared by its implementation files (one per concern): sqlite_store.cpp (open,
// crash recovery, sync and publication, watches), directory_ops.cpp, deliver.cpp, mailbox_ops.cpp,
// message_ops.cpp (reads and mutations). Not a public header: the rest of Axon sees store/store.h.
//
// Connections: a writer (mutations, serialized by wmu_) and a reader (lists, reads; rmu_; read-only). WAL lets the
// reader run beside the writer. Both use busy_timeout 5 s so the CLI (a second process with its own Store) and
// the server share the file. Opened read-only (the CLI's list commands), the writer is read-only too and nothing
// is migrated: no write lock at all.
//
// Durability: synchronous=NORMAL, so a COMMIT is not fsynced; sync() makes everything durable with syncfs(2)
// (see message_files.cpp) and then publishes (store/mail_store.h): mailboxes.visible_uidnext/visible_modseq are
// raised to the uidnext/highest_modseq read *before* the flush, so nothing later than the flush is published.
// The publication itself need not be durable: open() after a crash checks the unpublished messages' files,
// removes rows whose file was lost (and their delivery keys, so the spool's replay stores them again), and
// publishes the rest, which is on disk by then.
//
// Flag changes and expunges are published at once (an IMAP STORE needs no fsync, as in Dovecot), within a
// durable reservation of mod-sequences (schema v4); after a crash, detected by the missing clean-shutdown marker
// (data_dir/clean, written after the last sync at close), every mailbox's HIGHESTMODSEQ jumps past its reservation.
//
// Message files are named "<mailbox id>.<uid>" in mail/<account id>/ when written; a MOVE keeps the file (the row
// holds its name), a COPY hard-links it under the new name. Files of expunged rows are unlinked only after the
// sync that made the expunge durable (a crash before it would bring the row back without its file).
//
// Security: sees validated data; addresses are lower-cased (ASCII) before use; every SQL value is bound.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/address.h"
#include "store/sqlite/db.h"
#include "store/sqlite/message_files.h"
#include "store/store.h"

namespace axon::store::sqlite {

namespace fs = std::filesystem;

int64_t unix_seconds(core::TimePoint t);
int64_t unix_millis(core::TimePoint t);
core::TimePoint from_millis(int64_t ms);
// RFC 9051 §5.1: INBOX is case-insensitive; other names are kept as given.
std::string mailbox_name(std::string_view name);
std::vector<std::string> split_keywords(const std::string& s);
std::string join_keywords(const std::vector<std::string>& k);

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteOptions& opts);
  ~SqliteStore() override;

  Result<void> open_read_only();
  Result<void> open();

  // -- directory (directory_ops.cpp) --
  Result<void> add_domain(std::string_view domain) override;
  Result<void> del_domain(std::string_view domain) override;
  Result<std::vector<std::string>> list_domains() override;
  Result<void> add_account(std::string_view address, std::string_view password_hash) override;
  Result<void> del_account(std::string_view address) override;
  Result<void> set_password(std::string_view address, std::string_view password_hash) override;
  Result<AccountInfo> get_account(std::string_view address) override;
  Result<std::vector<AccountInfo>> list_accounts() override;
  Result<void> add_alias(std::string_view address, std::span<const std::string> targets) override;
  Result<void> del_alias(std::string_view address) override;
  Result<std::vector<AliasInfo>> list_aliases() override;
  Result<Directory> load_directory() override;
  Result<uint64_t> directory_version() override;

  // -- delivery (deliver.cpp) and durability (sqlite_store.cpp) --
  std::vector<Result<DeliveryOutcome>> deliver(std::span<const Delivery> batch) override;
  Result<void> sync() override;

  // -- mailboxes (mailbox_ops.cpp) --
  Result<AccountId> account_id(std::string_view address) override;
  Result<std::string> account_address(AccountId account) override;
  Result<std::vector<MailboxInfo>> mailboxes(AccountId account) override;
  Result<MailboxInfo> mailbox(AccountId account, std::string_view name) override;
  Result<MailboxInfo> mailbox(MailboxId id) override;
  Result<MailboxId> create_mailbox(AccountId account, std::string_view name, std::string_view special_use) override;
  Result<void> delete_mailbox(MailboxId id) override;
  Result<void> rename_mailbox(MailboxId id, std::string_view new_name) override;
  Result<void> subscribe(AccountId account, std::string_view name, bool on) override;
  Result<std::vector<std::string>> subscriptions(AccountId account) override;

  // -- messages (message_ops.cpp) --
  Result<std::vector<MessageInfo>> messages(MailboxId id, uint32_t from_uid) override;
  Result<std::vector<MessageInfo>> changed_since(MailboxId id, uint64_t modseq) override;
  Result<Vanished> vanished_since(MailboxId id, uint64_t modseq) override;
  Result<OpenMessage> open_message(MailboxId id, uint32_t uid) override;
  Result<void> save_summary(MailboxId id, uint32_t uid, std::string_view summary) override;
  Result<FlagResult> set_flags(MailboxId id, std::span<const uint32_t> uids, const FlagChange& change) override;
  Result<std::vector<uint32_t>> expunge(MailboxId id, std::optional<std::span<const uint32_t>> uids) override;
  Result<CopyResult> copy(MailboxId from, std::span<const uint32_t> uids, MailboxId to, bool move) override;
  Result<AppendResult> append(MailboxId id, const AppendData& message) override;

  std::unique_ptr<Watch> watch(AccountId account, WatchCallback callback) override;

 private:
  friend class WatchHandle;
  struct MailboxRef {
    int64_t account_id = 0;
    int64_t mailbox_id = 0;
  };
  struct Counters {
    uint32_t uidnext = 1;
    uint64_t modseq = 1;
  };
  struct Plan;  // deliver.cpp

  // Writer helpers; wmu_ held.
  Result<int64_t> lookup_id(const char* sql, std::string_view key, std::string_view op);
  Result<void> insert_mailbox(int64_t account_id, std::string_view name, std::string_view special_use,
                             bool subscribe = true);
  Result<void> directory_changed();
  Result<void> check_cache_version();
  void plan_one(std::span<const Delivery> batch, std::size_t index, Plan& p, Result<DeliveryOutcome>& result,
                std::unordered_map<int64_t, Counters>& before, std::unordered_map<int64_t, Counters>& after,
                std::unordered_map<std::string_view, std::size_t>& keys, std::optional<core::Error>& fatal);
  Result<MailboxRef> mailbox_ref(std::string_view account, const std::string& mailbox,
                                 std::optional<core::Error>& fatal);
  // The mailbox's account and next uid/modseq, in the writer's current transaction.
  struct MailboxRow {
    int64_t account_id = 0;
    uint32_t uidvalidity = 0, uidnext = 1;
    uint64_t modseq = 1;
    uint64_t modseq_reserved = 0;
  };
  // For a change published at once (flags, expunge): takes `modseq` as the mailbox's highest and publishes it,
  // or, past the reservation, reserves a new block and leaves publication to a sync (true: sync after commit).
  Result<bool> publish_modseq(MailboxId id, uint64_t modseq, uint64_t reserved, std::string_view op);
  void notify(int64_t account, int64_t mailbox);
  Result<MailboxRow> writer_mailbox(MailboxId id, std::string_view op);
  // COPY/MOVE of the rows with these UIDs inside the writer's transaction; new file links are added to `links`
  // (to remove if the transaction fails). Source files of moved rows are kept (the row takes its file along).
  Result<void> copy_rows(int64_t from, std::span<const uint32_t> uids, int64_t to, bool move, CopyResult& out,
                         std::vector<fs::path>& links);
  Result<void> write_mailbox_counters(MailboxId id, uint32_t uidnext, uint64_t modseq, std::string_view op);
  std::string make_summary(const fs::path& path, uint64_t size);
  fs::path account_dir(int64_t account_id) const { return mail_dir_ / std::to_string(account_id); }
  void unlink_after_sync(fs::path path);
  Result<void> recover(bool clean);  // open(): check unpublished messages, publish the rest; bump modseqs if !clean
  void expire_keys();

  // Reader helpers; rmu_ held.
  Result<MailboxInfo> read_mailbox(Stmt& q);
  Result<std::vector<AliasInfo>> read_aliases();

  fs::path data_dir_;
  fs::path mail_dir_;
  core::SystemClock system_clock_;
  const core::Clock* clock_;
  std::shared_ptr<Summarizer> summarizer_;
  std::chrono::seconds key_expiry_;
  FileSyncer syncer_;
  bool read_only_ = false;
  bool owner_ = true;    // SqliteOptions::owner
  bool open_ok_ = false;  // open() completed: only then may close write the clean-shutdown marker

  std::mutex wmu_;  // the writer connection and the mailbox cache
  std::unique_ptr<Db> w_;
  std::unordered_map<std::string, MailboxRef> cache_;  // "account\0mailbox" → ids
  // Mod-sequence reservations (publish_modseq): raised in this process and not yet flushed, and what was durable
  // before each of those; a flush moves the first into the second.
  std::unordered_map<int64_t, uint64_t> reserved_pending_, reserved_durable_;
  uint64_t cache_version_ = 0;
  int64_t keys_expired_at_ = 0;

  std::mutex rmu_;  // the reader connection
  std::unique_ptr<Db> r_;

  std::mutex publish_mu_;  // one sync/publication at a time
  std::mutex unlink_mu_;
  std::vector<fs::path> unlink_pending_;

  std::mutex watch_mu_;  // watchers_; held while callbacks run, so ~Watch waits for a running one
  std::multimap<int64_t, std::pair<uint64_t, WatchCallback>> watchers_;  // account id → (token, callback)
  uint64_t next_watch_ = 1;
};

}  // namespace axon::store::sqlite
