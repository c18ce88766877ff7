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

// Version 3: the store reshaped for readers (IMAP, POP3).
// - Publication (sqlite_store.h): readers see messages below visible_uidnext and report visible_modseq.
// - Counters on the mailbox row, kept by triggers in the same transaction as the change.
// - delivery_keys: idempotency keys with their own lifetime; a key stays spent after its message is expunged
//   (message_id then names a row that is gone), until it expires. messages.delivery_key/fingerprint stay for
//   rows of v1/v2 (copied here) and are NULL/0 for new rows.
// - expunged: tombstones (mailbox, uid, modseq) for QRESYNC's VANISHED (RFC 7162 §3.2.10).
// - subscriptions by name (RFC 9051 §6.3.7); mailboxes.subscribed is no longer used.
// - messages.summary: the MIME summary made at delivery (store/mail_store.h Summarizer).
constexpr const char* kV3 = R"sql(
ALTER TABLE mailboxes ADD COLUMN visible_uidnext INTEGER NOT NULL DEFAULT 1;
ALTER TABLE mailboxes ADD COLUMN visible_modseq INTEGER NOT NULL DEFAULT 1;
ALTER TABLE mailboxes ADD COLUMN messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN unseen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
UPDATE mailboxes SET visible_uidnext = uidnext, visible_modseq = highest_modseq,
  messages = (SELECT count(*) FROM messages m WHERE m.mailbox_id = mailboxes.id),
  unseen = (SELECT count(*) FROM messages m WHERE m.mailbox_id = mailboxes.id AND (m.flags & 1) = 0),
  deleted = (SELECT count(*) FROM messages m WHERE m.mailbox_id = mailboxes.id AND (m.flags & 8) != 0),
  bytes = (SELECT coalesce(sum(m.size), 0) FROM messages m WHERE m.mailbox_id = mailboxes.id);
ALTER TABLE messages ADD COLUMN summary BLOB;
CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);

CREATE TABLE delivery_keys (
  key TEXT PRIMARY KEY,
  message_id INTEGER,
  fingerprint INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX delivery_keys_created ON delivery_keys (created);
INSERT INTO delivery_keys (key, message_id, fingerprint, created)
  SELECT delivery_key, id, fingerprint, internal_date / 1000 FROM messages WHERE delivery_key IS NOT NULL;

CREATE TABLE expunged (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX expunged_modseq ON expunged (mailbox_id, modseq);

CREATE TABLE subscriptions (
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (account_id, name)
) WITHOUT ROWID;
INSERT INTO subscriptions (account_id, name) SELECT account_id, name FROM mailboxes WHERE subscribed = 1;

CREATE TRIGGER messages_counters_ins AFTER INSERT ON messages BEGIN
  UPDATE mailboxes SET messages = messages + 1, unseen = unseen + ((NEW.flags & 1) = 0),
    deleted = deleted + ((NEW.flags & 8) != 0), bytes = bytes + NEW.size WHERE id = NEW.mailbox_id;
END;
CREATE TRIGGER messages_counters_del AFTER DELETE ON messages BEGIN
  UPDATE mailboxes SET messages = messages - 1, unseen = unseen - ((OLD.flags & 1) = 0),
    deleted = deleted - ((OLD.flags & 8) != 0), bytes = bytes - OLD.size WHERE id = OLD.mailbox_id;
END;
CREATE TRIGGER messages_counters_upd AFTER UPDATE OF flags, size, mailbox_id ON messages BEGIN
  UPDATE mailboxes SET messages = messages - 1, unseen = unseen - ((OLD.flags & 1) = 0),
    deleted = deleted - ((OLD.flags & 8) != 0), bytes = bytes - OLD.size WHERE id = OLD.mailbox_id;
  UPDATE mailboxes SET messages = messages + 1, unseen = unseen + ((NEW.flags & 1) = 0),
    deleted = deleted + ((NEW.flags & 8) != 0), bytes = bytes + NEW.size WHERE id = NEW.mailbox_id;
END;
)sql";

// Version 4: mailboxes.modseq_reserved, the highest mod-sequence that flag changes and expunges may take before
// the next reservation is made durable. Those changes are published at once, without a sync of their own; after a
// crash (no clean-shutdown marker) every mailbox's HIGHESTMODSEQ jumps past its reservation and every message
// takes the new value, so a mod-sequence a client saw can never be handed out again for another change, and
// CONDSTORE clients fetch every message's flags once more (store/sqlite/sqlite_store.h).
constexpr const char* kV4 = R"sql(
ALTER TABLE mailboxes ADD COLUMN modseq_reserved INTEGER NOT NULL DEFAULT 0;
)sql";

// One migration step: from version `from` to `from + 1`. Add a case per new version; never edit an old one.
Result<void> migrate_step(Db& db, int from) {
  switch (from) {
    case 0:
      return db.exec(kV1, "create schema v1");
    case 1:
      return db.exec(kV2, "migrate schema to v2");
    case 2:
      return db.exec(kV3, "migrate schema to v3");
    case 3:
      return db.exec(kV4, "migrate schema to v4");
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
