// The SQLite schema of the embedded store and its migrations: `meta.schema_version` names the version in the
// file; migrate() applies one step per version inside one write transaction; check_version() only reads it.
// Security: no untrusted input; constant SQL.
#pragma once

#include "core/error.h"
#include "store/sqlite/db.h"

namespace axon::store::sqlite {

inline constexpr int kSchemaVersion = 4;

// Brings the database to kSchemaVersion. Refuses (Errc::permanent) a file written by a newer Axon.
Result<void> migrate(Db& db);
// For a read-only open: checks that the file is at kSchemaVersion, writing nothing. Errc::permanent when it is
// older (a writing open migrates it) or newer; Errc::not_found when it holds no Axon schema at all.
Result<void> check_version(Db& db);

}  // namespace axon::store::sqlite
