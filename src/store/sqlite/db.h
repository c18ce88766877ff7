// A thin RAII layer over one SQLite connection: open with Axon's pragmas, prepared statements cached per
// connection, and every SQLite failure turned into a core::Error that names the operation.
// Security: sees only validated data from the store; all values are bound, never spliced into SQL text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace axon::store::sqlite {

using core::Result;

// SQLITE_BUSY/LOCKED/IOERR/FULL/NOMEM -> temporary, CANTOPEN -> unavailable, unique -> exists, else permanent.
core::Error sqlite_error(sqlite3* db, int rc, std::string_view op);

class Db {
 public:
  // Opens the database with foreign keys, busy_timeout and synchronous=NORMAL. Writable: created when missing,
  // switched to WAL. Read-only: an existing file, SQLITE_OPEN_READONLY + query_only, no checkpoint on close.
  static Result<std::unique_ptr<Db>> open(const std::filesystem::path& path, bool read_only);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs SQL text without results (pragmas, BEGIN/COMMIT, schema).
  Result<void> exec(const char* sql, std::string_view op);
  // The cached prepared statement for `sql` (keyed by the literal's address); nullptr and `err` on failure.
  sqlite3_stmt* prepare(const char* sql, std::string_view op, core::Error& err);
  int64_t changes() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// One use of a cached statement: bind in order, step, read columns; reset (and unbind) on destruction so no
// read transaction stays open.
class Stmt {
 public:
  Stmt(Db& db, const char* sql, std::string_view op);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int64_t v);
  Stmt& bind(std::string_view v);  // copied (SQLITE_TRANSIENT): temporaries are safe
  Stmt& bind_null();

  // Steps once: true when a row is available; false when done or failed (see ok()/error()).
  bool row();
  // Steps to completion; for statements without results.
  Result<void> run();
  bool ok() const { return ok_; }
  const core::Error& error() const { return err_; }

  int64_t i64(int col) const;
  std::string text(int col) const;
  bool is_null(int col) const;

 private:
  void fail(int rc);
  Db& db_;
  sqlite3_stmt* s_ = nullptr;
  std::string_view op_;
  int next_ = 1;
  bool ok_ = true;
  core::Error err_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed.
class Transaction {
 public:
  Transaction(Db& db, std::string_view op, bool immediate = true);
  ~Transaction();
  const Result<void>& begun() const { return begun_; }
  Result<void> commit();

 private:
  Db& db_;
  std::string_view op_;
  Result<void> begun_;
  bool open_ = false;
};

}  // namespace axon::store::sqlite
