// The embedded store: opening, crash recovery, sync and publication, watches. See sqlite_store.h.
#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/sqlite/schema.h"

namespace axon::store {

namespace sqlite {

using core::Errc;
using core::make_error;

int64_t unix_seconds(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
int64_t unix_millis(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
core::TimePoint from_millis(int64_t ms) {
  return core::TimePoint(std::chrono::duration_cast<core::TimePoint::duration>(std::chrono::milliseconds(ms)));
}

std::string mailbox_name(std::string_view name) {
  if (core::iequals(name, "INBOX")) return "INBOX";
  return std::string(name);
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

std::string join_keywords(const std::vector<std::string>& k) {
  std::string out;
  for (const auto& w : k) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

SqliteStore::SqliteStore(const SqliteOptions& opts)
    : data_dir_(opts.data_dir),
      mail_dir_(data_dir_ / "mail"),
      clock_(opts.clock ? opts.clock : &system_clock_),
      summarizer_(opts.summarizer),
      key_expiry_(opts.key_expiry),
      owner_(opts.owner) {}

SqliteStore::~SqliteStore() {
  if (sync() && owner_ && open_ok_ && !read_only_ && w_) {
    // Everything is durable: the next open need not distrust the mod-sequences (see recover()).
    if (int fd = ::open((data_dir_ / "clean").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  }
}

Result<void> SqliteStore::open_read_only() {
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

Result<void> SqliteStore::open() {
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
  if (owner_) {
    // The clean-shutdown marker goes first (durably): from now on a crash must be noticed at the next open.
    auto marker = data_dir_ / "clean";
    bool clean = fs::exists(marker, ec);
    if (clean) {
      fs::remove(marker, ec);
      if (ec) return make_error(Errc::unavailable, "remove " + marker.string() + ": " + ec.message());
      if (int dfd = ::open(data_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        int rc = ::fsync(dfd);
        ::close(dfd);
        if (rc != 0) return make_error(Errc::unavailable, "fsync " + data_dir_.string());
      }
    }
    if (auto r = recover(clean); !r) return r;
    expire_keys();
  }
  open_ok_ = true;
  return {};
}

// After a crash, rows committed after the last sync may be on disk while their files are not (or are short).
// Such a row never was published; it is removed with its delivery key, so the spool's replay stores the message
// again. Everything left is on disk now and gets published. Only the owner (the serving process) recovers and
// publishes: another process (the CLI) would see the server's rows in flight.
Result<void> SqliteStore::recover(bool clean) {
  std::lock_guard l(wmu_);
  Transaction tx(*w_, "recover");
  if (!tx.begun()) return tx.begun();
  std::vector<std::pair<int64_t, fs::path>> lost;  // message id, file
  {
    Stmt q(*w_,
           "SELECT m.id, mb.account_id, m.file, m.size FROM mailboxes mb JOIN messages m ON m.mailbox_id = mb.id "
           "WHERE mb.visible_uidnext < mb.uidnext AND m.uid >= mb.visible_uidnext",
           "recover: unpublished messages");
    while (q.row()) {
      fs::path p = account_dir(q.i64(1)) / q.text(2);
      if (!message_file_ok(p, static_cast<uint64_t>(q.i64(3)))) lost.emplace_back(q.i64(0), p);
    }
    if (!q.ok()) return q.error();
  }
  for (const auto& [id, path] : lost) {
    Stmt k(*w_, "DELETE FROM delivery_keys WHERE message_id = ?", "recover: forget key");
    if (auto r = k.bind(id).run(); !r) return r;
    Stmt d(*w_, "DELETE FROM messages WHERE id = ?", "recover: remove lost message");
    if (auto r = d.bind(id).run(); !r) return r;
  }
  if (!clean) {
    // Flag changes and expunges after the last sync may be lost, with mod-sequences a client has seen: jump past
    // every reservation, and give every message the new value so that CONDSTORE clients fetch all flags again.
    for (const char* sql :
         {"UPDATE mailboxes SET highest_modseq = max(highest_modseq, modseq_reserved) + 1, modseq_reserved = 0",
          "UPDATE messages SET modseq = (SELECT highest_modseq FROM mailboxes mb WHERE mb.id = messages.mailbox_id)"}) {
      Stmt b(*w_, sql, "recover: mod-sequences after a crash");
      if (auto r = b.run(); !r) return r;
    }
  }
  Stmt p(*w_,
         "UPDATE mailboxes SET visible_uidnext = uidnext, visible_modseq = highest_modseq "
         "WHERE visible_uidnext != uidnext OR visible_modseq != highest_modseq",
         "recover: publish");
  if (auto r = p.run(); !r) return r;
  if (auto r = tx.commit(); !r) return r;
  syncer_.db_written();
  return {};
}

void SqliteStore::expire_keys() {
  if (read_only_) return;
  int64_t now = unix_seconds(clock_->now());
  std::lock_guard l(wmu_);
  if (keys_expired_at_ != 0 && now - keys_expired_at_ < 3600) return;
  keys_expired_at_ = now;
  // Only spent keys expire: a key whose message is still there keeps deduplicating.
  Stmt q(*w_,
         "DELETE FROM delivery_keys WHERE created < ? AND "
         "(message_id IS NULL OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = delivery_keys.message_id))",
         "expire delivery keys");
  if (q.bind(now - key_expiry_.count()).run()) syncer_.db_written();
}

Result<void> SqliteStore::sync() {
  if (read_only_ || !w_) return {};
  std::lock_guard pl(publish_mu_);
  // What is committed now is what this flush covers: read it first.
  struct Pub {
    int64_t id, account;
    int64_t uidnext, modseq;
  };
  std::vector<Pub> pubs;
  std::unordered_map<int64_t, uint64_t> reserved;
  {
    std::lock_guard l(wmu_);
    Stmt q(*w_,
           "SELECT id, account_id, uidnext, highest_modseq FROM mailboxes "
           "WHERE visible_uidnext != uidnext OR visible_modseq != highest_modseq",
           "sync: changed mailboxes");
    while (q.row()) pubs.push_back(Pub{q.i64(0), q.i64(1), q.i64(2), q.i64(3)});
    if (!q.ok()) return q.error();
    reserved = reserved_pending_;  // what this flush makes durable
    // Whatever is to be published is flushed first, even if its writer has not registered it with the syncer yet.
    if (!pubs.empty()) syncer_.db_written();
  }
  std::vector<fs::path> unlinks;
  {
    std::lock_guard l(unlink_mu_);
    unlinks.swap(unlink_pending_);
  }
  auto r = syncer_.sync([this]() -> Result<void> {
    std::lock_guard l(wmu_);
    sqlite3_file* wal = nullptr;
    int rc = sqlite3_file_control(w_->handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
    if (rc != SQLITE_OK) return sqlite_error(w_->handle(), rc, "sync: find WAL");
    if (!wal || !wal->pMethods) return {};  // no WAL open: everything is in axon.db, synced at checkpoint
    rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
    if (rc != SQLITE_OK) return sqlite_error(nullptr, rc, "sync: fsync WAL");
    return {};
  });
  if (!r) return r;
  if (!reserved.empty()) {
    std::lock_guard l(wmu_);
    for (const auto& [id, v] : reserved) {
      reserved_durable_[id] = std::max(reserved_durable_[id], v);
      auto it = reserved_pending_.find(id);
      if (it != reserved_pending_.end() && it->second <= v) reserved_pending_.erase(it);
    }
  }
  for (const auto& p : unlinks) ::unlink(p.c_str());  // their rows' removal is durable now
  if (owner_) expire_keys();  // at most hourly
  if (!owner_ || pubs.empty()) return {};
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "sync: publish");
    if (!tx.begun()) return tx.begun();
    for (const auto& p : pubs) {
      Stmt u(*w_,
             "UPDATE mailboxes SET visible_uidnext = max(visible_uidnext, ?), "
             "visible_modseq = max(visible_modseq, ?) WHERE id = ?",
             "sync: publish");
      if (auto ur = u.bind(p.uidnext).bind(p.modseq).bind(p.id).run(); !ur) return ur;
    }
    if (auto cr = tx.commit(); !cr) return cr;
    // Not marked db_written: the publication need not be durable (recover() redoes it).
  }
  for (const auto& p : pubs) notify(p.account, p.id);
  return {};
}

void SqliteStore::notify(int64_t account, int64_t mailbox) {
  std::lock_guard l(watch_mu_);
  auto [b, e] = watchers_.equal_range(account);
  for (auto it = b; it != e; ++it) it->second.second(MailboxChange{AccountId{account}, MailboxId{mailbox}});
}

void SqliteStore::unlink_after_sync(fs::path path) {
  std::lock_guard l(unlink_mu_);
  unlink_pending_.push_back(std::move(path));
}

class WatchHandle final : public Watch {
 public:
  WatchHandle(SqliteStore& s, int64_t account, uint64_t token) : s_(s), account_(account), token_(token) {}
  ~WatchHandle() override {
    std::lock_guard l(s_.watch_mu_);
    auto [b, e] = s_.watchers_.equal_range(account_);
    for (auto it = b; it != e; ++it) {
      if (it->second.first == token_) {
        s_.watchers_.erase(it);
        break;
      }
    }
  }

 private:
  SqliteStore& s_;
  int64_t account_;
  uint64_t token_;
};

std::unique_ptr<Watch> SqliteStore::watch(AccountId account, WatchCallback callback) {
  std::lock_guard l(watch_mu_);
  uint64_t token = next_watch_++;
  watchers_.emplace(account.value, std::make_pair(token, std::move(callback)));
  return std::make_unique<WatchHandle>(*this, account.value, token);
}

std::string SqliteStore::make_summary(const fs::path& path, uint64_t size) {
  if (!summarizer_) return {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string s = summarizer_->summarize(fd, 0, size);
  ::close(fd);
  return s;
}

}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& opts) {
  if (opts.data_dir.empty()) return core::make_error(core::Errc::invalid, "open store: no data directory");
  auto s = std::make_unique<sqlite::SqliteStore>(opts);
  if (auto r = opts.read_only ? s->open_read_only() : s->open(); !r) return r.error();
  return std::unique_ptr<Store>(std::move(s));
}

}  // namespace axon::store
