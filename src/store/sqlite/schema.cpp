// Schema and migrations of the embedded store. See schema.h.
// Security: constant SQL only.
#include "store/sqlite/schema.h"

#include <string>

namespace axon::store::sqlite {

namespace {

// Version 1. Notes:
// - AUTOINCREMENT on accounts and mailboxes: ids are never reused, so a stale mail/<account id>/ folder left by a
//   crash during del_account can never be mistaken for a new account's mail.
// - directory_version is bumped by triggers on every domain/account/alias change, in the same transaction, by
//   whichever process makes it (server or CLI); directory_version() reads this one row.
// - messages.delivery_key is UNIQUE (NULLs allowed for messages without a key, e.g. IMAP APPEND): a replayed
//   delivery finds its row instead of storing a second copy.
// - internal_date is milliseconds since the Unix epoch; flags is the store::Flag bitmask; keywords are
//   space-separated IMAP atoms.
constexpr const char* kV1 = R"sql(
CREATE TABLE directory_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO directory_version (id, version) VALUES (1, 1);

CREATE TABLE domains (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL
);

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  address TEXT NOT NULL UNIQUE,
  domain_id INTEGER NOT NULL REFERENCES domains (id),
  password_hash TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE INDEX accounts_domain ON accounts (domain_id);

CREATE TABLE aliases (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL,
  target TEXT NOT NULL,
  domain_id INTEGER NOT NULL REFERENCES domains (id),
  UNIQUE (address, target)
);
CREATE INDEX aliases_domain ON aliases (domain_id);

CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  special_use TEXT NOT NULL DEFAULT '',
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  highest_modseq INTEGER NOT NULL DEFAULT 1,
  subscribed INTEGER NOT NULL DEFAULT 1,
  UNIQUE (account_id, name)
);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  size INTEGER NOT NULL,
  flags INTEGER NOT NULL DEFAULT 0,
  keywords TEXT NOT NULL DEFAULT '',
  file TEXT NOT NULL,
  delivery_key TEXT UNIQUE,
  UNIQUE (mailbox_id, uid)
);

CREATE TRIGGER domains_ins AFTER INSERT ON domains BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER domains_upd AFTER UPDATE ON domains BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER domains_del AFTER DELETE ON domains BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER accounts_ins AFTER INSERT ON accounts BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER accounts_upd AFTER UPDATE ON accounts BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER accounts_del AFTER DELETE ON accounts BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER aliases_ins AFTER INSERT ON aliases BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER aliases_upd AFTER UPDATE ON aliases BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER aliases_del AFTER DELETE ON aliases BEGIN UPDATE directory_version SET version = version + 1; END;
)sql";

// Version 2: messages.fingerprint, what the deliverer knows the content by (the spool record's checksums), so
// that a replayed delivery key can be told from a collision (another message under the same key). 0: unknown.
constexpr const char* kV2 = R"sql(
ALTER TABLE messages ADD COLUMN fingerprint INTEGER NOT NULL DEFAULT 0;
)sql";

// One migration step: from version `from` to `from + 1`. Add a case per new version; never edit an old one.
Result<void> migrate_step(Db& db, int from) {
  switch (from) {
    case 0:
      return db.exec(kV1, "create schema v1");
    case 1:
      return db.exec(kV2, "migrate schema to v2");
    default:
      return core::make_error(core::Errc::permanent, "no migration from schema v" + std::to_string(from));
  }
}

core::Error newer_than_us(int version) {
  return core::make_error(core::Errc::permanent, "database schema v" + std::to_string(version) +
                                                     " is newer than this Axon (v" + std::to_string(kSchemaVersion) +
                                                     ")");
}

}  // namespace

Result<void> check_version(Db& db) {
  Transaction tx(db, "check schema version", false);
  if (!tx.begun()) return tx.begun();
  {
    Stmt q(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'", "check schema version");
    bool has_meta = q.row() && q.i64(0) != 0;
    if (!q.ok()) return q.error();
    if (!has_meta) return core::make_error(core::Errc::not_found, "no Axon store in this database (run axon init)");
  }
  int version = 0;
  {
    Stmt q(db, "SELECT value FROM meta WHERE key = 'schema_version'", "read schema version");
    if (q.row()) version = static_cast<int>(q.i64(0));
    if (!q.ok()) return q.error();
  }
  if (version > kSchemaVersion) return newer_than_us(version);
  if (version < kSchemaVersion)
    return core::make_error(core::Errc::permanent, "database schema v" + std::to_string(version) +
                                                       " is older than this Axon (v" + std::to_string(kSchemaVersion) +
                                                       "): `axon serve` or a changing command migrates it");
  return tx.commit();
}

Result<void> migrate(Db& db) {
  Transaction tx(db, "migrate schema");
  if (!tx.begun()) return tx.begun();
  if (auto r = db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID",
                       "create meta table");
      !r)
    return r;
  int version = 0;
  {
    Stmt q(db, "SELECT value FROM meta WHERE key = 'schema_version'", "read schema version");
    if (q.row()) version = static_cast<int>(q.i64(0));
    if (!q.ok()) return q.error();
  }
  if (version > kSchemaVersion) return newer_than_us(version);
  if (version == kSchemaVersion) return tx.commit();
  for (int v = version; v < kSchemaVersion; ++v) {
    if (auto r = migrate_step(db, v); !r) return r;
  }
  Stmt u(db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", "write schema version");
  if (auto r = u.bind(int64_t{kSchemaVersion}).run(); !r) return r;
  return tx.commit();
}

}  // namespace axon::store::sqlite
