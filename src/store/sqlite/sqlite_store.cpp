// store::Store on SQLite (WAL) + one file per message: data_dir/axon.db and data_dir/mail/<account id>/<file>.
//
// Connections: a writer (deliveries and directory changes, serialized by wmu_) and a reader (lists, reads,
// directory_version; rmu_; SQLITE_OPEN_READONLY). WAL lets the reader run beside the writer. Both use
// busy_timeout 5 s so the CLI (a second process with its own Store) and the server share the file. Opened
// read-only (the CLI's list commands), the writer is read-only too and nothing is migrated: no write lock at all.
//
// Durability: synchronous=NORMAL, so a COMMIT is not fsynced; sync() makes everything durable. In WAL mode a
// committed transaction lives in axon.db-wal until a checkpoint copies it into axon.db, and with NORMAL SQLite
// syncs the WAL only before a checkpoint and the database after one. `PRAGMA wal_checkpoint(PASSIVE)` is not a
// sync: when a reader pins an old snapshot it may backfill nothing and then fsyncs nothing. So sync() flushes the
// WAL itself: syncfs(2) on the data directory covers the WAL, axon.db and every message file and directory entry
// in one call (see message_files.cpp for the measurement); the fallback fdatasyncs each file and calls xSync on
// the WAL's sqlite3_file (SQLITE_FCNTL_JOURNAL_POINTER) — never a second open()/close() of SQLite's own files,
// which would drop its POSIX locks. Directory changes (rare, often from the CLI) sync before they return.
//
// Delivery (RFC 3501 §2.3.1.1 UIDs, RFC 7162 §3.1 mod-sequences): per batch the message files are written
// first, then one short write transaction inserts the rows; a mailbox's uidnext/highest_modseq are read once per
// batch and written back once, after checking they did not move. A new mailbox starts at highest_modseq 1
// (RFC 7162: HIGHESTMODSEQ is a positive number), so its first message gets modseq 2. Message files are named
// "<mailbox id>.<uid>": a rolled-back batch leaves at most files that the retry overwrites.
//
// Security: sees validated data; addresses are lower-cased (ASCII) before use; every SQL value is bound.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/address.h"
#include "store/sqlite/db.h"
#include "store/sqlite/message_files.h"
#include "store/sqlite/schema.h"
#include "store/store.h"

namespace axon::store {
namespace sqlite {
namespace {

using core::Errc;
using core::Error;
using core::make_error;
namespace fs = std::filesystem;

struct SpecialMailbox {
  const char* name;
  const char* special_use;
};
// RFC 6154 §2 special-use attributes for the mailboxes every account starts with.
constexpr SpecialMailbox kInitialMailboxes[] = {
    {"INBOX", ""},        {"Sent", "\\Sent"}, {"Drafts", "\\Drafts"},
    {"Trash", "\\Trash"}, {"Junk", "\\Junk"}, {"Archive", "\\Archive"},
};

// RFC 3501 §5.1: INBOX is case-insensitive; other names are kept as given.
std::string mailbox_name(std::string_view name) {
  if (core::iequals(name, "INBOX")) return "INBOX";
  return std::string(name);
}

int64_t unix_seconds(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
int64_t unix_millis(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "local@domain" or "@domain" (catch-all, when allowed) → the domain part; empty when malformed.
std::string domain_of(std::string_view address, bool allow_empty_local) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 == address.size()) return {};
  if (at == 0 && !allow_empty_local) return {};
  return std::string(address.substr(at + 1));
}

std::vector<std::string> split_keywords(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(fs::path data_dir, const core::Clock* clock)
      : data_dir_(std::move(data_dir)), mail_dir_(data_dir_ / "mail"), clock_(clock ? clock : &system_clock_) {}

  ~SqliteStore() override { (void)sync(); }

  // Read-only (SqliteOptions::read_only): no file or folder is created, the schema version is checked instead of
  // migrated, and both connections are SQLITE_OPEN_READONLY, so no write lock is ever asked for and a write
  // method fails (SQLITE_READONLY, Errc::permanent) before it touches anything. sync() has nothing to flush.
  Result<void> open_read_only() {
    auto db_path = data_dir_ / "axon.db";
    std::error_code ec;
    if (!fs::is_regular_file(db_path, ec))
      return make_error(Errc::not_found, "no store at " + db_path.string() + " (run axon init)");
    for (auto* conn : {&w_, &r_}) {
      auto c = Db::open(db_path, true);
      if (!c) return c.error();
      *conn = std::move(*c);
    }
    read_only_ = true;
    return check_version(*r_);
  }

  Result<void> open() {
    std::error_code ec;
    fs::create_directories(mail_dir_, ec);
    if (ec) return make_error(Errc::unavailable, "create " + mail_dir_.string() + ": " + ec.message());
    // Password hashes live in axon.db: create it 0600 before SQLite does (SQLite's default is 0644 & ~umask);
    // SQLite gives its -wal and -shm files the database file's mode.
    auto db_path = data_dir_ / "axon.db";
    if (int fd = ::open(db_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600); fd >= 0) {
      ::close(fd);
    } else {
      return make_error(Errc::unavailable, "create " + db_path.string() + ": " + std::strerror(errno));
    }
    fs::permissions(mail_dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (auto r = syncer_.open(data_dir_); !r) return r;
    auto w = Db::open(db_path, false);
    if (!w) return w.error();
    w_ = std::move(*w);
    if (auto r = migrate(*w_); !r) return r;
    auto rd = Db::open(db_path, true);
    if (!rd) return rd.error();
    r_ = std::move(*rd);
    return {};
  }

  // -- directory --

  Result<void> add_domain(std::string_view domain_in) override {
    std::string domain = core::to_lower_ascii(domain_in);
    if (!core::valid_domain(domain, true)) return make_error(Errc::invalid, "add domain: bad domain name");
    {
      std::lock_guard l(wmu_);
      Stmt q(*w_, "INSERT INTO domains (name, created) VALUES (?, ?)", "add domain");
      auto r = q.bind(domain).bind(unix_seconds(clock_->now())).run();
      if (!r) {
        if (r.error().code == Errc::exists) return make_error(Errc::exists, "domain " + domain + " exists");
        return r;
      }
    }
    return directory_changed();
  }

  Result<void> del_domain(std::string_view domain_in) override {
    std::string domain = core::to_lower_ascii(domain_in);
    {
      std::lock_guard l(wmu_);
      Transaction tx(*w_, "delete domain");
      if (!tx.begun()) return tx.begun();
      auto id = lookup_id("SELECT id FROM domains WHERE name = ?", domain, "delete domain");
      if (!id) return id.error();
      if (*id == 0) return make_error(Errc::not_found, "domain " + domain + " not found");
      for (const char* sql : {"SELECT EXISTS (SELECT 1 FROM accounts WHERE domain_id = ?)",
                              "SELECT EXISTS (SELECT 1 FROM aliases WHERE domain_id = ?)"}) {
        Stmt q(*w_, sql, "delete domain: check use");
        bool used = q.bind(*id).row() && q.i64(0) != 0;
        if (!q.ok()) return q.error();
        if (used) return make_error(Errc::in_use, "domain " + domain + " still has accounts or aliases");
      }
      Stmt d(*w_, "DELETE FROM domains WHERE id = ?", "delete domain");
      if (auto r = d.bind(*id).run(); !r) return r;
      if (auto r = tx.commit(); !r) return r;
    }
    return directory_changed();
  }

  Result<std::vector<std::string>> list_domains() override {
    std::lock_guard l(rmu_);
    std::vector<std::string> out;
    Stmt q(*r_, "SELECT name FROM domains ORDER BY name", "list domains");
    while (q.row()) out.push_back(q.text(0));
    if (!q.ok()) return q.error();
    return out;
  }

  Result<void> add_account(std::string_view address_in, std::string_view password_hash) override {
    std::string address = core::to_lower_ascii(address_in);
    std::string domain = domain_of(address, false);
    if (domain.empty()) return make_error(Errc::invalid, "add account: address must be local@domain");
    int64_t account_id = 0;
    {
      std::lock_guard l(wmu_);
      Transaction tx(*w_, "add account");
      if (!tx.begun()) return tx.begun();
      auto domain_id = lookup_id("SELECT id FROM domains WHERE name = ?", domain, "add account");
      if (!domain_id) return domain_id.error();
      if (*domain_id == 0) return make_error(Errc::not_found, "domain " + domain + " not found");
      auto existing = lookup_id("SELECT id FROM accounts WHERE address = ?", address, "add account");
      if (!existing) return existing.error();
      if (*existing != 0) return make_error(Errc::exists, "account " + address + " exists");
      int64_t now = unix_seconds(clock_->now());
      {
        Stmt q(*w_, "INSERT INTO accounts (address, domain_id, password_hash, created) VALUES (?, ?, ?, ?)",
               "add account");
        if (auto r = q.bind(address).bind(*domain_id).bind(password_hash).bind(now).run(); !r) return r;
      }
      account_id = sqlite3_last_insert_rowid(w_->handle());
      for (const auto& mb : kInitialMailboxes) {
        if (auto r = create_mailbox(account_id, mb.name, mb.special_use); !r) return r;
      }
      if (auto r = tx.commit(); !r) return r;
    }
    std::error_code ec;
    fs::create_directories(mail_dir_ / std::to_string(account_id), ec);  // else created on first delivery
    return directory_changed();
  }

  Result<void> del_account(std::string_view address_in) override {
    std::string address = core::to_lower_ascii(address_in);
    int64_t id = 0;
    {
      std::lock_guard l(wmu_);
      Transaction tx(*w_, "delete account");
      if (!tx.begun()) return tx.begun();
      auto found = lookup_id("SELECT id FROM accounts WHERE address = ?", address, "delete account");
      if (!found) return found.error();
      if (*found == 0) return make_error(Errc::not_found, "account " + address + " not found");
      id = *found;
      // Mailboxes and messages go with it (ON DELETE CASCADE).
      Stmt d(*w_, "DELETE FROM accounts WHERE id = ?", "delete account");
      if (auto r = d.bind(id).run(); !r) return r;
      if (auto r = tx.commit(); !r) return r;
      cache_.clear();
    }
    // Rows first, files second: a crash in between leaves an orphan folder, never a row without its file.
    // Account ids are never reused (AUTOINCREMENT), so the orphan cannot leak into a new account.
    std::error_code ec;
    fs::remove_all(mail_dir_ / std::to_string(id), ec);
    auto synced = directory_changed();
    if (ec) return make_error(Errc::temporary, "delete account: rows removed, message files remain: " + ec.message());
    return synced;
  }

  Result<void> set_password(std::string_view address_in, std::string_view password_hash) override {
    std::string address = core::to_lower_ascii(address_in);
    {
      std::lock_guard l(wmu_);
      Stmt q(*w_, "UPDATE accounts SET password_hash = ? WHERE address = ?", "set password");
      if (auto r = q.bind(password_hash).bind(address).run(); !r) return r;
      if (w_->changes() == 0) return make_error(Errc::not_found, "account " + address + " not found");
    }
    return directory_changed();
  }

  Result<AccountInfo> get_account(std::string_view address_in) override {
    std::string address = core::to_lower_ascii(address_in);
    std::lock_guard l(rmu_);
    Stmt q(*r_, "SELECT id, address, password_hash FROM accounts WHERE address = ?", "get account");
    if (q.bind(address).row()) return AccountInfo{q.i64(0), q.text(1), q.text(2)};
    if (!q.ok()) return q.error();
    return make_error(Errc::not_found, "account " + address + " not found");
  }

  Result<std::vector<AccountInfo>> list_accounts() override {
    std::lock_guard l(rmu_);
    std::vector<AccountInfo> out;
    Stmt q(*r_, "SELECT id, address, password_hash FROM accounts ORDER BY address", "list accounts");
    while (q.row()) out.push_back(AccountInfo{q.i64(0), q.text(1), q.text(2)});
    if (!q.ok()) return q.error();
    return out;
  }

  Result<void> add_alias(std::string_view address_in, std::span<const std::string> targets) override {
    std::string address = core::to_lower_ascii(address_in);
    std::string domain = domain_of(address, true);
    if (domain.empty()) return make_error(Errc::invalid, "add alias: address must be local@domain or @domain");
    if (targets.empty()) return make_error(Errc::invalid, "add alias: no targets");
    for (const auto& t : targets) {
      if (t.empty() || t.find('@') == std::string::npos)
        return make_error(Errc::invalid, "add alias: target must be local@domain");
    }
    {
      std::lock_guard l(wmu_);
      Transaction tx(*w_, "add alias");
      if (!tx.begun()) return tx.begun();
      auto domain_id = lookup_id("SELECT id FROM domains WHERE name = ?", domain, "add alias");
      if (!domain_id) return domain_id.error();
      if (*domain_id == 0) return make_error(Errc::not_found, "domain " + domain + " not found");
      auto account = lookup_id("SELECT id FROM accounts WHERE address = ?", address, "add alias");
      if (!account) return account.error();
      // The directory resolves accounts before aliases: such an alias would never be used.
      if (*account != 0) return make_error(Errc::exists, "an account has the address " + address);
      for (const auto& t : targets) {
        Stmt q(*w_, "INSERT OR IGNORE INTO aliases (address, target, domain_id) VALUES (?, ?, ?)", "add alias");
        if (auto r = q.bind(address).bind(core::to_lower_ascii(t)).bind(*domain_id).run(); !r) return r;
      }
      if (auto r = tx.commit(); !r) return r;
    }
    return directory_changed();
  }

  Result<void> del_alias(std::string_view address_in) override {
    std::string address = core::to_lower_ascii(address_in);
    {
      std::lock_guard l(wmu_);
      Stmt q(*w_, "DELETE FROM aliases WHERE address = ?", "delete alias");
      if (auto r = q.bind(address).run(); !r) return r;
      if (w_->changes() == 0) return make_error(Errc::not_found, "alias " + address + " not found");
    }
    return directory_changed();
  }

  Result<std::vector<AliasInfo>> list_aliases() override {
    std::lock_guard l(rmu_);
    return read_aliases();
  }

  Result<Directory> load_directory() override {
    std::lock_guard l(rmu_);
    // One read transaction: a consistent snapshot even while the CLI changes things.
    Transaction tx(*r_, "load directory", false);
    if (!tx.begun()) return tx.begun().error();
    Directory d;
    {
      Stmt q(*r_, "SELECT name FROM domains", "load directory: domains");
      while (q.row()) d.add_domain(q.text(0));
      if (!q.ok()) return q.error();
    }
    {
      // In creation order: a domain's first account is its default postmaster (store/directory.h).
      Stmt q(*r_, "SELECT address FROM accounts ORDER BY id", "load directory: accounts");
      while (q.row()) d.add_account(q.text(0));
      if (!q.ok()) return q.error();
    }
    auto aliases = read_aliases();
    if (!aliases) return aliases.error();
    for (auto& a : *aliases) d.add_alias(std::move(a.address), std::move(a.targets));
    if (auto r = tx.commit(); !r) return r.error();
    return d;
  }

  Result<uint64_t> directory_version() override {
    std::lock_guard l(rmu_);
    Stmt q(*r_, "SELECT version FROM directory_version WHERE id = 1", "read directory version");
    if (q.row()) return static_cast<uint64_t>(q.i64(0));
    if (!q.ok()) return q.error();
    return make_error(Errc::permanent, "read directory version: row missing");
  }

  // -- mail --

  // Three steps, so that the database's write lock is never held while message data is written: plan with reads
  // only (duplicates, mailboxes, UIDs from the counters), write the files, then one short write transaction that
  // checks the counters did not move meanwhile (else the whole batch is retried) and inserts the rows.
  std::vector<Result<DeliveryOutcome>> deliver(std::span<const Delivery> batch) override {
    std::vector<Result<DeliveryOutcome>> out(batch.size(), Result<DeliveryOutcome>(DeliveryOutcome{}));
    if (batch.empty()) return out;
    if (read_only_) {  // refused before any message file is written
      out.assign(batch.size(), Result<DeliveryOutcome>(make_error(Errc::permanent, "deliver: the store is read-only")));
      return out;
    }
    std::lock_guard l(wmu_);
    // A storage failure is never the message's fault: every batch-level error is temporary, so the queue
    // retries instead of bouncing (the detail keeps SQLite's own code).
    auto fail_all = [&](Error e) {
      cache_.clear();
      e.code = Errc::temporary;
      out.assign(batch.size(), Result<DeliveryOutcome>(e));
      return out;
    };
    std::vector<Plan> plan(batch.size());
    std::unordered_map<int64_t, Counters> before, after;  // mailbox id → counters as read / after this batch
    std::unordered_map<std::string_view, std::size_t> keys;  // delivery key → first delivery with it in this batch
    {
      // One read transaction for the whole plan (one snapshot, one shared lock), ended before the files are
      // written; the write transaction checks below that the counters read here did not move.
      Transaction rtx(*w_, "deliver: plan", false);
      if (!rtx.begun()) return fail_all(rtx.begun().error());
      if (auto r = check_cache_version(); !r) return fail_all(r.error());
      for (std::size_t i = 0; i < batch.size(); ++i) {
        std::optional<Error> fatal;
        plan_one(batch, i, plan[i], out[i], before, after, keys, fatal);
        if (fatal) return fail_all(*fatal);
      }
      if (auto r = rtx.commit(); !r) return fail_all(r.error());
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Plan& p = plan[i];
      if (p.kind != Plan::insert && p.kind != Plan::rewrite) continue;
      const Delivery& d = batch[i];
      FileContent c{d.prefix, d.data, d.data_fd, d.data_offset, d.data_size};
      if (auto r = write_message_file(p.path, c); !r) {
        out[i] = file_error(r.error());
        p.kind = Plan::failed;
        continue;
      }
      syncer_.written(p.path);
    }

    Transaction tx(*w_, "deliver");
    if (!tx.begun()) return fail_all(tx.begun().error());
    for (const auto& [mailbox_id, c] : before) {
      Stmt q(*w_, "SELECT uidnext, highest_modseq FROM mailboxes WHERE id = ?", "deliver: check mailbox");
      bool same = q.bind(mailbox_id).row() && static_cast<uint32_t>(q.i64(0)) == c.uidnext &&
                  static_cast<uint64_t>(q.i64(1)) == c.modseq;
      if (!q.ok()) return fail_all(q.error());
      if (!same) return fail_all(make_error(Errc::temporary, "deliver: a mailbox changed meanwhile"));
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Plan& p = plan[i];
      const Delivery& d = batch[i];
      if (p.kind == Plan::rewrite && p.fix_size) {
        Stmt u(*w_, "UPDATE messages SET size = ? WHERE id = ?", "deliver: fix size");
        if (auto r = u.bind(static_cast<int64_t>(d.size())).bind(p.row_id).run(); !r) return fail_all(r.error());
      }
      if (p.kind != Plan::insert) continue;
      Stmt q(*w_,
             "INSERT INTO messages (mailbox_id, uid, modseq, internal_date, size, flags, keywords, file, "
             "delivery_key, fingerprint) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)",
             "deliver: insert message");
      q.bind(p.mailbox_id).bind(int64_t{p.uid}).bind(static_cast<int64_t>(p.modseq));
      auto internal_date = d.internal_date == core::TimePoint{} ? clock_->now() : d.internal_date;
      q.bind(unix_millis(internal_date)).bind(static_cast<int64_t>(d.size())).bind(int64_t{d.flags}).bind(p.file);
      if (d.delivery_key.empty()) {
        q.bind_null();
      } else {
        q.bind(d.delivery_key);
      }
      q.bind(static_cast<int64_t>(d.fingerprint));
      if (auto r = q.run(); !r) return fail_all(r.error());
      out[i] = DeliveryOutcome{false, p.uid};
    }
    for (const auto& [mailbox_id, c] : after) {
      Stmt q(*w_, "UPDATE mailboxes SET uidnext = ?, highest_modseq = ? WHERE id = ?", "deliver: update mailbox");
      if (auto r = q.bind(int64_t{c.uidnext}).bind(static_cast<int64_t>(c.modseq)).bind(mailbox_id).run(); !r)
        return fail_all(r.error());
    }
    if (auto r = tx.commit(); !r) return fail_all(r.error());
    syncer_.db_written();
    // Repeats of a key within the batch share the first one's outcome.
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (plan[i].kind != Plan::repeat) continue;
      const auto& first = out[plan[i].same_as];
      out[i] = first.ok() ? Result<DeliveryOutcome>(DeliveryOutcome{true, first->uid}) : first;
    }
    return out;
  }

  Result<void> sync() override {
    return syncer_.sync([this]() -> Result<void> {
      std::lock_guard l(wmu_);
      sqlite3_file* wal = nullptr;
      int rc = sqlite3_file_control(w_->handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
      if (rc != SQLITE_OK) return sqlite_error(w_->handle(), rc, "sync: find WAL");
      if (!wal || !wal->pMethods) return {};  // no WAL open: everything is in axon.db, synced at checkpoint
      rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
      if (rc != SQLITE_OK) return sqlite_error(nullptr, rc, "sync: fsync WAL");
      return {};
    });
  }

  Result<std::vector<MailboxInfo>> list_mailboxes(std::string_view account_in) override {
    std::string account = core::to_lower_ascii(account_in);
    std::lock_guard l(rmu_);
    Transaction tx(*r_, "list mailboxes", false);
    if (!tx.begun()) return tx.begun().error();
    auto id = reader_account_id(account, "list mailboxes");
    if (!id) return id.error();
    std::vector<MailboxInfo> out;
    Stmt q(*r_,
           "SELECT mb.name, mb.special_use, mb.uidvalidity, mb.uidnext, mb.highest_modseq, count(m.id), "
           "coalesce(sum(m.id IS NOT NULL AND (m.flags & 1) = 0), 0), coalesce(sum(m.size), 0) "
           "FROM mailboxes mb LEFT JOIN messages m ON m.mailbox_id = mb.id "
           "WHERE mb.account_id = ? GROUP BY mb.id ORDER BY mb.id",
           "list mailboxes");
    q.bind(*id);
    while (q.row()) {
      MailboxInfo mi;
      mi.name = q.text(0);
      mi.special_use = q.text(1);
      mi.uidvalidity = static_cast<uint32_t>(q.i64(2));
      mi.uidnext = static_cast<uint32_t>(q.i64(3));
      mi.highest_modseq = static_cast<uint64_t>(q.i64(4));
      mi.messages = static_cast<uint64_t>(q.i64(5));
      mi.unseen = static_cast<uint64_t>(q.i64(6));
      mi.bytes = static_cast<uint64_t>(q.i64(7));
      out.push_back(std::move(mi));
    }
    if (!q.ok()) return q.error();
    return out;
  }

  Result<std::vector<MessageInfo>> list_messages(std::string_view account_in, std::string_view mailbox) override {
    std::string account = core::to_lower_ascii(account_in);
    std::lock_guard l(rmu_);
    Transaction tx(*r_, "list messages", false);
    if (!tx.begun()) return tx.begun().error();
    auto mb = reader_mailbox_id(account, mailbox_name(mailbox), "list messages");
    if (!mb) return mb.error();
    std::vector<MessageInfo> out;
    Stmt q(*r_,
           "SELECT id, uid, modseq, internal_date, size, flags, keywords FROM messages "
           "WHERE mailbox_id = ? ORDER BY uid",
           "list messages");
    q.bind(*mb);
    while (q.row()) {
      MessageInfo m;
      m.id = q.i64(0);
      m.uid = static_cast<uint32_t>(q.i64(1));
      m.modseq = static_cast<uint64_t>(q.i64(2));
      m.internal_date = core::TimePoint(std::chrono::duration_cast<core::TimePoint::duration>(
          std::chrono::milliseconds(q.i64(3))));
      m.size = static_cast<uint64_t>(q.i64(4));
      m.flags = static_cast<uint32_t>(q.i64(5));
      m.keywords = split_keywords(q.text(6));
      out.push_back(std::move(m));
    }
    if (!q.ok()) return q.error();
    return out;
  }

  Result<std::string> read_message(std::string_view account_in, std::string_view mailbox, uint32_t uid) override {
    std::string account = core::to_lower_ascii(account_in);
    fs::path path;
    {
      std::lock_guard l(rmu_);
      Stmt q(*r_,
             "SELECT a.id, m.file FROM accounts a JOIN mailboxes mb ON mb.account_id = a.id "
             "JOIN messages m ON m.mailbox_id = mb.id WHERE a.address = ? AND mb.name = ? AND m.uid = ?",
             "read message");
      if (q.bind(account).bind(mailbox_name(mailbox)).bind(int64_t{uid}).row()) {
        path = mail_dir_ / std::to_string(q.i64(0)) / q.text(1);
      } else {
        if (!q.ok()) return q.error();
        return make_error(Errc::not_found, "message " + std::to_string(uid) + " not found");
      }
    }
    auto r = read_message_file(path);
    if (!r && r.error().code == Errc::not_found) {
      // The row exists but the file is gone (lost in a crash before sync; the spool's replay rewrites it).
      return make_error(Errc::temporary, r.error().detail);
    }
    return r;
  }

 private:
  struct MailboxRef {
    int64_t account_id = 0;
    int64_t mailbox_id = 0;
  };
  struct Counters {
    uint32_t uidnext = 1;
    uint64_t modseq = 1;
  };
  // What deliver() does with one item.
  struct Plan {
    enum Kind { failed, insert, duplicate, rewrite, repeat } kind = failed;
    int64_t mailbox_id = 0, row_id = 0;
    uint32_t uid = 0;
    uint64_t modseq = 0;
    std::string file;
    fs::path path;
    bool fix_size = false;      // rewrite: the row's size is wrong too
    std::size_t same_as = 0;    // repeat: the index of the first delivery with this key
  };

  // Writer helpers; wmu_ held.

  Result<int64_t> lookup_id(const char* sql, std::string_view key, std::string_view op) {
    Stmt q(*w_, sql, op);
    if (q.bind(key).row()) return q.i64(0);
    if (!q.ok()) return q.error();
    return int64_t{0};
  }

  // UIDVALIDITY (RFC 3501 §2.3.1.1) from the clock, strictly increasing over the whole database (meta
  // 'uidvalidity_last'), so a mailbox deleted and re-created, even under a re-created account, never repeats one.
  Result<void> create_mailbox(int64_t account_id, const char* name, const char* special_use) {
    int64_t last = 0;
    {
      Stmt q(*w_, "SELECT value FROM meta WHERE key = 'uidvalidity_last'", "create mailbox: uidvalidity");
      if (q.row()) last = q.i64(0);
      if (!q.ok()) return q.error();
    }
    int64_t uidvalidity = std::max(unix_seconds(clock_->now()), last + 1);
    if (uidvalidity <= 0 || uidvalidity > int64_t{UINT32_MAX})
      return make_error(Errc::permanent, "create mailbox: uidvalidity out of range");
    {
      Stmt q(*w_, "INSERT OR REPLACE INTO meta (key, value) VALUES ('uidvalidity_last', ?)",
             "create mailbox: uidvalidity");
      if (auto r = q.bind(uidvalidity).run(); !r) return r;
    }
    Stmt q(*w_,
           "INSERT INTO mailboxes (account_id, name, special_use, uidvalidity, uidnext, highest_modseq, subscribed) "
           "VALUES (?, ?, ?, ?, 1, 1, 1)",
           "create mailbox");
    return q.bind(account_id).bind(name).bind(special_use).bind(uidvalidity).run();
  }

  // Directory changes are rare: make them durable before returning (the CLI exits right after).
  Result<void> directory_changed() {
    {
      std::lock_guard l(wmu_);
      cache_.clear();
    }
    syncer_.db_written();
    return sync();
  }

  Result<void> check_cache_version() {
    Stmt q(*w_, "SELECT version FROM directory_version WHERE id = 1", "deliver: directory version");
    if (!q.row()) return q.ok() ? Result<void>(make_error(Errc::permanent, "deliver: no directory version"))
                                : Result<void>(q.error());
    auto v = static_cast<uint64_t>(q.i64(0));
    if (v != cache_version_) {
      cache_.clear();
      cache_version_ = v;
    }
    return {};
  }

  // Decides what to do with one delivery, reading only. An SQLite failure sets `fatal` (the batch is given up);
  // other errors concern this item only (in `result`).
  void plan_one(std::span<const Delivery> batch, std::size_t index, Plan& p, Result<DeliveryOutcome>& result,
                std::unordered_map<int64_t, Counters>& before, std::unordered_map<int64_t, Counters>& after,
                std::unordered_map<std::string_view, std::size_t>& keys, std::optional<Error>& fatal) {
    const Delivery& d = batch[index];
    p.kind = Plan::failed;
    const uint64_t size = d.size();
    if (!d.delivery_key.empty()) {
      if (auto it = keys.find(d.delivery_key); it != keys.end()) {
        uint64_t first = batch[it->second].fingerprint;
        if (first != 0 && d.fingerprint != 0 && first != d.fingerprint) {  // two messages, one key
          result = make_error(Errc::exists, "delivery key " + d.delivery_key + " holds another message");
          return;
        }
        p.kind = Plan::repeat;
        p.same_as = it->second;
        return;
      }
      keys.emplace(d.delivery_key, index);
      Stmt q(*w_,
             "SELECT m.id, m.uid, m.size, m.file, mb.account_id, m.fingerprint FROM messages m "
             "JOIN mailboxes mb ON mb.id = m.mailbox_id WHERE m.delivery_key = ?",
             "deliver: find key");
      if (q.bind(d.delivery_key).row()) {
        auto stored_fp = static_cast<uint64_t>(q.i64(5));
        if (stored_fp != 0 && d.fingerprint != 0 && stored_fp != d.fingerprint) {
          // Another message under a key that must be unique: never a silent drop or an overwrite.
          result = make_error(Errc::exists, "delivery key " + d.delivery_key + " holds another message");
          return;
        }
        p.row_id = q.i64(0);
        auto uid = static_cast<uint32_t>(q.i64(1));
        auto stored = static_cast<uint64_t>(q.i64(2));
        p.path = mail_dir_ / std::to_string(q.i64(4)) / q.text(3);
        result = DeliveryOutcome{true, uid};
        // The row committed but the file was lost or cut short (crash before sync): write it again.
        p.fix_size = stored != size;
        p.kind = (p.fix_size || !message_file_ok(p.path, stored)) ? Plan::rewrite : Plan::duplicate;
        return;
      }
      if (!q.ok()) {
        fatal = q.error();
        return;
      }
    }
    auto ref = mailbox_ref(d.account, mailbox_name(d.mailbox), fatal);
    if (!ref) {
      result = ref.error();
      return;
    }
    auto it = after.find(ref->mailbox_id);
    if (it == after.end()) {
      Stmt q(*w_, "SELECT uidnext, highest_modseq FROM mailboxes WHERE id = ?", "deliver: read mailbox");
      if (!q.bind(ref->mailbox_id).row()) {
        if (!q.ok()) {
          fatal = q.error();
          return;
        }
        cache_.clear();
        result = make_error(Errc::not_found, "mailbox vanished");
        return;
      }
      Counters c{static_cast<uint32_t>(q.i64(0)), static_cast<uint64_t>(q.i64(1))};
      before.emplace(ref->mailbox_id, c);
      it = after.emplace(ref->mailbox_id, c).first;
    }
    Counters& c = it->second;
    // RFC 3501 §2.3.1.1: UIDs are 32-bit and strictly ascending; at the end a new UIDVALIDITY would be needed.
    if (c.uidnext == UINT32_MAX) {
      result = make_error(Errc::limit, "mailbox has used all 32-bit UIDs");
      return;
    }
    p.kind = Plan::insert;
    p.mailbox_id = ref->mailbox_id;
    p.uid = c.uidnext++;
    p.modseq = ++c.modseq;
    p.file = std::to_string(ref->mailbox_id) + "." + std::to_string(p.uid);
    p.path = mail_dir_ / std::to_string(ref->account_id) / p.file;
  }

  // A file error concerns one item (the batch goes on); a missing directory or file is an I/O problem here.
  static Error file_error(Error e) {
    if (e.code == Errc::not_found) e.code = Errc::temporary;
    e.detail = "message file: " + e.detail;
    return e;
  }

  Result<MailboxRef> mailbox_ref(std::string_view account_in, const std::string& mailbox,
                                 std::optional<Error>& fatal) {
    auto abort = [&](const Error& e) -> Result<MailboxRef> {
      fatal = e;
      return e;
    };
    std::string account = core::to_lower_ascii(account_in);
    std::string key = account;
    key += '\0';
    key += mailbox;
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    Stmt q(*w_,
           "SELECT a.id, mb.id FROM accounts a JOIN mailboxes mb ON mb.account_id = a.id "
           "WHERE a.address = ? AND mb.name = ?",
           "deliver: find mailbox");
    if (q.bind(account).bind(mailbox).row()) {
      MailboxRef ref{q.i64(0), q.i64(1)};
      cache_.emplace(std::move(key), ref);
      return ref;
    }
    if (!q.ok()) return abort(q.error());
    auto acc = lookup_id("SELECT id FROM accounts WHERE address = ?", account, "deliver: find account");
    if (!acc) return abort(acc.error());
    if (*acc == 0) return make_error(Errc::not_found, "account " + account + " not found");
    return make_error(Errc::not_found, "mailbox " + mailbox + " of " + account + " not found");
  }

  // Reader helpers; rmu_ held.

  Result<int64_t> reader_account_id(const std::string& account, std::string_view op) {
    Stmt q(*r_, "SELECT id FROM accounts WHERE address = ?", op);
    if (q.bind(account).row()) return q.i64(0);
    if (!q.ok()) return q.error();
    return make_error(Errc::not_found, "account " + account + " not found");
  }

  Result<int64_t> reader_mailbox_id(const std::string& account, const std::string& mailbox, std::string_view op) {
    auto acc = reader_account_id(account, op);
    if (!acc) return acc.error();
    Stmt q(*r_, "SELECT id FROM mailboxes WHERE account_id = ? AND name = ?", op);
    if (q.bind(*acc).bind(mailbox).row()) return q.i64(0);
    if (!q.ok()) return q.error();
    return make_error(Errc::not_found, "mailbox " + mailbox + " of " + account + " not found");
  }

  Result<std::vector<AliasInfo>> read_aliases() {
    std::vector<AliasInfo> out;
    Stmt q(*r_, "SELECT address, target FROM aliases ORDER BY address, id", "list aliases");
    while (q.row()) {
      std::string address = q.text(0);
      if (out.empty() || out.back().address != address) out.push_back(AliasInfo{std::move(address), {}});
      out.back().targets.push_back(q.text(1));
    }
    if (!q.ok()) return q.error();
    return out;
  }

  fs::path data_dir_;
  fs::path mail_dir_;
  core::SystemClock system_clock_;
  const core::Clock* clock_;
  FileSyncer syncer_;
  bool read_only_ = false;  // open_read_only(): every write is refused, sync() has nothing to flush

  std::mutex wmu_;  // the writer connection and the mailbox cache
  std::unique_ptr<Db> w_;
  std::unordered_map<std::string, MailboxRef> cache_;  // "account\0mailbox" → ids
  uint64_t cache_version_ = 0;

  std::mutex rmu_;  // the reader connection
  std::unique_ptr<Db> r_;
};

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& opts) {
  if (opts.data_dir.empty()) return core::make_error(core::Errc::invalid, "open store: no data directory");
  auto s = std::make_unique<sqlite::SqliteStore>(opts.data_dir, opts.clock);
  if (auto r = opts.read_only ? s->open_read_only() : s->open(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(s));
}

}  // namespace axon::store
