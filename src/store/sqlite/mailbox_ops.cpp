// The embedded store's mailboxes: lookups by id and name, create, delete, rename, subscriptions. See
// sqlite_store.h. Names are UTF-8 with '/' as the hierarchy separator; the protocol validated them.
#include "store/sqlite/sqlite_store.h"

namespace axon::store::sqlite {

using core::Errc;
using core::make_error;

namespace {

constexpr const char* kMailboxColumns =
    "SELECT id, account_id, name, special_use, uidvalidity, visible_uidnext, visible_modseq, messages, unseen, "
    "deleted, bytes FROM mailboxes ";

}  // namespace

Result<MailboxInfo> SqliteStore::read_mailbox(Stmt& q) {
  MailboxInfo mi;
  mi.id = MailboxId{q.i64(0)};
  mi.account = AccountId{q.i64(1)};
  mi.name = q.text(2);
  mi.special_use = q.text(3);
  mi.uidvalidity = static_cast<uint32_t>(q.i64(4));
  mi.uidnext = static_cast<uint32_t>(q.i64(5));
  mi.highest_modseq = static_cast<uint64_t>(q.i64(6));
  mi.messages = static_cast<uint64_t>(q.i64(7));
  mi.unseen = static_cast<uint64_t>(q.i64(8));
  mi.deleted = static_cast<uint64_t>(q.i64(9));
  mi.bytes = static_cast<uint64_t>(q.i64(10));
  return mi;
}

Result<AccountId> SqliteStore::account_id(std::string_view address_in) {
  std::string address = core::to_lower_ascii(address_in);
  std::lock_guard l(rmu_);
  Stmt q(*r_, "SELECT id FROM accounts WHERE address = ?", "find account");
  if (q.bind(address).row()) return AccountId{q.i64(0)};
  if (!q.ok()) return q.error();
  return make_error(Errc::not_found, "account " + address + " not found");
}

Result<std::string> SqliteStore::account_address(AccountId account) {
  std::lock_guard l(rmu_);
  Stmt q(*r_, "SELECT address FROM accounts WHERE id = ?", "find account");
  if (q.bind(account.value).row()) return q.text(0);
  if (!q.ok()) return q.error();
  return make_error(Errc::not_found, "account not found");
}

Result<std::vector<MailboxInfo>> SqliteStore::mailboxes(AccountId account) {
  static const std::string sql = std::string(kMailboxColumns) + "WHERE account_id = ? ORDER BY name";
  std::lock_guard l(rmu_);
  std::vector<MailboxInfo> out;
  Stmt q(*r_, sql.c_str(), "list mailboxes");
  q.bind(account.value);
  while (q.row()) out.push_back(*read_mailbox(q));
  if (!q.ok()) return q.error();
  return out;
}

Result<MailboxInfo> SqliteStore::mailbox(AccountId account, std::string_view name) {
  static const std::string sql = std::string(kMailboxColumns) + "WHERE account_id = ? AND name = ?";
  std::lock_guard l(rmu_);
  Stmt q(*r_, sql.c_str(), "find mailbox");
  if (q.bind(account.value).bind(mailbox_name(name)).row()) return read_mailbox(q);
  if (!q.ok()) return q.error();
  return make_error(Errc::not_found, "mailbox " + std::string(name) + " not found");
}

Result<MailboxInfo> SqliteStore::mailbox(MailboxId id) {
  static const std::string sql = std::string(kMailboxColumns) + "WHERE id = ?";
  std::lock_guard l(rmu_);
  Stmt q(*r_, sql.c_str(), "find mailbox");
  if (q.bind(id.value).row()) return read_mailbox(q);
  if (!q.ok()) return q.error();
  return make_error(Errc::not_found, "mailbox not found");
}

Result<MailboxId> SqliteStore::create_mailbox(AccountId account, std::string_view name_in,
                                              std::string_view special_use) {
  std::string name = mailbox_name(name_in);
  if (name.empty()) return make_error(Errc::invalid, "empty mailbox name");
  int64_t id = 0;
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "create mailbox");
    if (!tx.begun()) return tx.begun().error();
    {
      Stmt q(*w_, "SELECT 1 FROM mailboxes WHERE account_id = ? AND name = ?", "create mailbox");
      bool exists = q.bind(account.value).bind(name).row();
      if (!q.ok()) return q.error();
      if (exists) return make_error(Errc::exists, "mailbox " + name + " exists");
    }
    if (auto r = insert_mailbox(account.value, name, special_use, false); !r) {
      if (r.error().code == Errc::permanent) return make_error(Errc::not_found, "account not found");
      return r.error();
    }
    id = sqlite3_last_insert_rowid(w_->handle());
    if (auto r = tx.commit(); !r) return r.error();
  }
  syncer_.db_written();
  return MailboxId{id};
}

Result<void> SqliteStore::delete_mailbox(MailboxId id) {
  int64_t account = 0;
  std::vector<fs::path> files;
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "delete mailbox");
    if (!tx.begun()) return tx.begun();
    {
      Stmt q(*w_, "SELECT account_id, name FROM mailboxes WHERE id = ?", "delete mailbox");
      if (!q.bind(id.value).row()) {
        if (!q.ok()) return q.error();
        return make_error(Errc::not_found, "mailbox not found");
      }
      if (q.text(1) == "INBOX") return make_error(Errc::invalid, "INBOX cannot be deleted");
      account = q.i64(0);
    }
    {
      Stmt q(*w_, "SELECT file FROM messages WHERE mailbox_id = ?", "delete mailbox: files");
      q.bind(id.value);
      while (q.row()) files.push_back(account_dir(account) / q.text(0));
      if (!q.ok()) return q.error();
    }
    Stmt d(*w_, "DELETE FROM mailboxes WHERE id = ?", "delete mailbox");  // messages, tombstones cascade
    if (auto r = d.bind(id.value).run(); !r) return r;
    if (auto r = tx.commit(); !r) return r;
    cache_.clear();
  }
  syncer_.db_written();
  for (auto& f : files) unlink_after_sync(std::move(f));
  return {};
}

Result<void> SqliteStore::rename_mailbox(MailboxId id, std::string_view new_name_in) {
  std::string to = mailbox_name(new_name_in);
  if (to.empty()) return make_error(Errc::invalid, "empty mailbox name");
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "rename mailbox");
    if (!tx.begun()) return tx.begun();
    int64_t account = 0;
    std::string from;
    {
      Stmt q(*w_, "SELECT account_id, name FROM mailboxes WHERE id = ?", "rename mailbox");
      if (!q.bind(id.value).row()) {
        if (!q.ok()) return q.error();
        return make_error(Errc::not_found, "mailbox not found");
      }
      account = q.i64(0);
      from = q.text(1);
    }
    if (to == "INBOX" || to.starts_with(from + "/")) return make_error(Errc::invalid, "cannot rename to " + to);
    {
      Stmt q(*w_, "SELECT 1 FROM mailboxes WHERE account_id = ? AND name = ?", "rename mailbox");
      bool exists = q.bind(account).bind(to).row();
      if (!q.ok()) return q.error();
      if (exists) return make_error(Errc::exists, "mailbox " + to + " exists");
    }
    if (from == "INBOX") {
      // RFC 9051 §6.3.6: the messages move to a new mailbox; INBOX stays, empty. Its inferiors do not move.
      if (auto r = insert_mailbox(account, to, "", false); !r) return r;
      int64_t dest = sqlite3_last_insert_rowid(w_->handle());
      std::vector<uint32_t> uids;
      {
        Stmt q(*w_, "SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid", "rename INBOX");
        q.bind(id.value);
        while (q.row()) uids.push_back(static_cast<uint32_t>(q.i64(0)));
        if (!q.ok()) return q.error();
      }
      CopyResult moved;
      std::vector<fs::path> links;
      if (auto r = copy_rows(id.value, uids, dest, true, moved, links); !r) return r;
      if (auto r = tx.commit(); !r) return r;
      cache_.clear();
      syncer_.db_written();
      return {};
    }
    Stmt u(*w_,
           "UPDATE mailboxes SET name = ? || substr(name, length(?) + 1) WHERE account_id = ? AND "
           "(name = ? OR substr(name, 1, length(?) + 1) = ? || '/')",
           "rename mailbox");
    if (auto r = u.bind(to).bind(from).bind(account).bind(from).bind(from).bind(from).run(); !r) return r;
    if (auto r = tx.commit(); !r) return r;
    cache_.clear();
  }
  syncer_.db_written();
  return {};
}

Result<void> SqliteStore::subscribe(AccountId account, std::string_view name_in, bool on) {
  std::string name = mailbox_name(name_in);
  {
    std::lock_guard l(wmu_);
    Stmt q(*w_,
           on ? "INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)"
              : "DELETE FROM subscriptions WHERE account_id = ? AND name = ?",
           "subscribe");
    if (auto r = q.bind(account.value).bind(name).run(); !r) return r;
  }
  syncer_.db_written();
  return {};
}

Result<std::vector<std::string>> SqliteStore::subscriptions(AccountId account) {
  std::lock_guard l(rmu_);
  std::vector<std::string> out;
  Stmt q(*r_, "SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name", "list subscriptions");
  q.bind(account.value);
  while (q.row()) out.push_back(q.text(0));
  if (!q.ok()) return q.error();
  return out;
}

}  // namespace axon::store::sqlite
