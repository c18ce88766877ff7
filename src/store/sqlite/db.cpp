// SQLite connection wrapper: pragmas, statement cache, error mapping. See db.h.
// Security: values are always bound parameters; SQL text is constant.
#include "store/sqlite/db.h"

#include <sqlite3.h>

namespace axon::store::sqlite {

using core::Errc;

core::Error sqlite_error(sqlite3* db, int rc, std::string_view op) {
  Errc code = Errc::permanent;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      code = Errc::temporary;
      break;
    case SQLITE_CANTOPEN:
      code = Errc::unavailable;
      break;
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) code = Errc::exists;
      break;
    default:
      break;
  }
  std::string detail(op);
  detail += ": ";
  // errmsg describes the most recent failure on this connection, which is this one when rc came from it.
  detail += (db && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  detail += " (sqlite " + std::to_string(rc) + ")";
  return core::make_error(code, std::move(detail));
}

Result<std::unique_ptr<Db>> Db::open(const std::filesystem::path& path, bool read_only) {
  sqlite3* raw = nullptr;
  // NOMUTEX: each connection is guarded by its own std::mutex in the store. A read-only connection opens an
  // existing file with SQLITE_OPEN_READONLY: it can take no write lock, so it never waits behind (or blocks) the
  // writer; in WAL mode it still shares the -shm index with the writer and sees every commit.
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    auto e = sqlite_error(raw, rc, "open " + path.string());
    sqlite3_close_v2(raw);
    return e;
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_extended_result_codes(raw, 1);
  // The CLI and the server share the file: wait up to 5 s for the other's write lock.
  sqlite3_busy_timeout(raw, 5000);
  if (auto r = db->exec("PRAGMA foreign_keys = ON", "enable foreign keys"); !r) return r.error();
  if (!read_only) {
    // journal_mode is persistent in the file; setting it needs no other connection mid-transaction.
    core::Error err;
    auto* s = db->prepare("PRAGMA journal_mode = WAL", "set WAL mode", err);
    if (!s) return err;
    rc = sqlite3_step(s);
    std::string mode = rc == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(s, 0)) : "";
    sqlite3_reset(s);
    if (rc != SQLITE_ROW) return sqlite_error(raw, rc, "set WAL mode");
    if (mode != "wal") return core::make_error(Errc::unavailable, "set WAL mode: database stays in " + mode);
  }
  // NORMAL in WAL mode: commits are not fsynced; Store::sync() makes them durable (see sqlite_store.cpp).
  if (auto r = db->exec("PRAGMA synchronous = NORMAL", "set synchronous"); !r) return r.error();
  if (read_only) {
    if (auto r = db->exec("PRAGMA query_only = ON", "set query_only"); !r) return r.error();
    // The last connection to close checkpoints the WAL into axon.db, a write: never this one.
    sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  }
  return db;
}

Db::~Db() {
  for (auto& [sql, s] : cache_) sqlite3_finalize(s);
  sqlite3_close_v2(db_);
}

Result<void> Db::exec(const char* sql, std::string_view op) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, op);
  return {};
}

sqlite3_stmt* Db::prepare(const char* sql, std::string_view op, core::Error& err) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) {
    err = sqlite_error(db_, rc, std::string("prepare for ") + std::string(op));
    sqlite3_finalize(s);
    return nullptr;
  }
  cache_.emplace(sql, s);
  return s;
}

int64_t Db::changes() const { return sqlite3_changes64(db_); }

Stmt::Stmt(Db& db, const char* sql, std::string_view op) : db_(db), op_(op) {
  s_ = db.prepare(sql, op, err_);
  ok_ = s_ != nullptr;
}

Stmt::~Stmt() {
  if (s_) {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
}

void Stmt::fail(int rc) {
  if (!ok_) return;
  ok_ = false;
  err_ = sqlite_error(db_.handle(), rc, op_);
}

Stmt& Stmt::bind(int64_t v) {
  if (ok_) {
    int rc = sqlite3_bind_int64(s_, next_++, v);
    if (rc != SQLITE_OK) fail(rc);
  }
  return *this;
}

Stmt& Stmt::bind(std::string_view v) {
  if (ok_) {
    int rc = sqlite3_bind_text64(s_, next_++, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) fail(rc);
  }
  return *this;
}

Stmt& Stmt::bind_null() {
  if (ok_) {
    int rc = sqlite3_bind_null(s_, next_++);
    if (rc != SQLITE_OK) fail(rc);
  }
  return *this;
}

bool Stmt::row() {
  if (!ok_) return false;
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) fail(rc);
  return false;
}

Result<void> Stmt::run() {
  while (row()) {
  }
  if (!ok_) return err_;
  return {};
}

int64_t Stmt::i64(int col) const { return sqlite3_column_int64(s_, col); }

std::string Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

Transaction::Transaction(Db& db, std::string_view op, bool immediate) : db_(db), op_(op) {
  begun_ = db_.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN", op_);
  open_ = begun_.ok();
}

Transaction::~Transaction() {
  if (open_) db_.exec("ROLLBACK", op_);
}

Result<void> Transaction::commit() {
  auto r = db_.exec("COMMIT", op_);
  // A failed COMMIT (e.g. SQLITE_BUSY) leaves the transaction open; the destructor rolls it back.
  if (r) open_ = false;
  return r;
}

}  // namespace axon::store::sqlite
