// store::Store — a backend: the directory (store/directory_store.h) and the mail (store/mail_store.h) of one
// installation. Each protocol and the queue take only the part they need (MailDelivery, MailStore,
// DirectoryStore); the embedded backend (sqlite/) and later PostgreSQL implement all of it.
// Thread-safety: each method may be called from any thread; implementations serialize writes internally.
#pragma once

#include <filesystem>
#include <memory>

#include "core/clock.h"
#include "core/error.h"
#include "store/directory_store.h"
#include "store/mail_store.h"

namespace axon::store {

class Store : public DirectoryStore, public MailStore {};

struct SqliteOptions {
  std::filesystem::path data_dir;  // holds axon.db and mail/
  const core::Clock* clock = nullptr;  // for uidvalidity and created times; system clock when null
  // Reading only: an existing store at the current schema version (checked, not migrated); creates nothing and
  // takes no write lock, so it never waits behind a busy server. Every write method fails (Errc::permanent).
  bool read_only = false;
  // The serving process: recovers after a crash at open and publishes at sync() (store/mail_store.h). Other
  // processes (the CLI) must not: they would publish the server's changes before the server made them durable.
  bool owner = true;
  // Makes each stored message's summary at delivery and APPEND; may be null (readers then make it lazily).
  std::shared_ptr<Summarizer> summarizer;
  // How long a spent delivery key (its message expunged) keeps refusing a replay.
  std::chrono::seconds key_expiry{std::chrono::hours(24 * 7)};
};

// The embedded backend: SQLite (WAL) for metadata, one file per message under data_dir/mail/.
Result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& opts);

}  // namespace axon::store
