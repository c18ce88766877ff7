// Tests of the read-only open of the embedded store (SqliteOptions::read_only), used by the CLI's list commands
// beside a running server: it creates nothing, reads while another connection holds the write lock, refuses every
// write without touching a file, sees later commits, and checks the schema version instead of migrating.
// Security: none (test code; temp directories only).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "core/clock.h"
#include "store/store.h"
#include "store_reads.h"
#include "temp_dir.h"

using namespace axon;
using namespace axon::store;
namespace fs = std::filesystem;
using axon::test::TempDir;
using core::Errc;

using namespace axon::store::testing;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A second, raw connection to axon.db, as another process would have.
class RawDb {
 public:
  explicit RawDb(const fs::path& file) {
    EXPECT_EQ(sqlite3_open(file.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  void exec(const char* sql) { ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql; }

 private:
  sqlite3* db_ = nullptr;
};

class ReadOnlyStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto w = open_sqlite(SqliteOptions{dir.path(), &clock});
    ASSERT_TRUE(w.ok()) << w.error().detail;
    writer = std::move(*w);
    ASSERT_TRUE(writer->add_domain("example.org"));
    ASSERT_TRUE(writer->add_account("alice@example.org", "$argon2id$alice"));
    std::string t[] = {"alice@example.org"};
    ASSERT_TRUE(writer->add_alias("team@example.org", t));
  }
  Result<std::unique_ptr<Store>> open_ro() {
    SqliteOptions o{dir.path(), &clock};
    o.read_only = true;
    return open_sqlite(o);
  }

  TempDir dir;
  core::FakeClock clock;
  std::unique_ptr<Store> writer;
};

TEST(ReadOnlyStoreOpen, MissingStoreIsNotFoundAndNothingIsCreated) {
  TempDir dir;
  SqliteOptions o{dir.path() / "data"};
  o.read_only = true;
  auto r = open_sqlite(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_NE(r.error().detail.find("axon init"), std::string::npos) << r.error().detail;
  EXPECT_FALSE(fs::exists(dir.path() / "data"));
}

TEST_F(ReadOnlyStore, ReadsWhileAnotherConnectionHoldsTheWriteLock) {
  RawDb other(dir.path() / "axon.db");
  other.exec("BEGIN IMMEDIATE");
  other.exec("UPDATE directory_version SET version = version + 1");
  auto t0 = std::chrono::steady_clock::now();
  auto ro = open_ro();
  ASSERT_TRUE(ro.ok()) << ro.error().detail;
  auto accounts = (*ro)->list_accounts();
  ASSERT_TRUE(accounts.ok()) << accounts.error().detail;
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ((*accounts)[0].address, "alice@example.org");
  EXPECT_TRUE((*ro)->list_domains().ok());
  EXPECT_TRUE((*ro)->list_aliases().ok());
  auto boxes = list_mailboxes(**ro, "alice@example.org");
  ASSERT_TRUE(boxes.ok()) << boxes.error().detail;
  EXPECT_EQ(boxes->size(), 6u);
  EXPECT_TRUE((*ro)->load_directory().ok());
  ro->reset();  // closing takes no lock either
  // A writing open would wait out busy_timeout (5 s) for the lock and fail; reading never waits.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  other.exec("ROLLBACK");
}

TEST_F(ReadOnlyStore, RefusesWritesAndChangesNoFile) {
  ASSERT_TRUE(writer->sync());
  auto db_before = slurp(dir.path() / "axon.db"), wal_before = slurp(dir.path() / "axon.db-wal");
  {
    auto ro = open_ro();
    ASSERT_TRUE(ro.ok()) << ro.error().detail;
    Store& s = **ro;
    auto added = s.add_domain("example.net");
    ASSERT_FALSE(added.ok());
    EXPECT_EQ(added.error().code, Errc::permanent);
    EXPECT_FALSE(s.add_account("bob@example.org", "$argon2id$bob").ok());
    EXPECT_FALSE(s.del_account("alice@example.org").ok());
    EXPECT_FALSE(s.set_password("alice@example.org", "$argon2id$x").ok());
    EXPECT_FALSE(s.del_alias("team@example.org").ok());
    Delivery d;
    d.delivery_key = "Q1/alice@example.org";
    d.account = "alice@example.org";
    d.data = "Subject: x\r\n\r\nx\r\n";
    auto out = s.deliver(std::span<const Delivery>(&d, 1));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_FALSE(out[0].ok());
    EXPECT_TRUE(s.sync().ok());
  }
  EXPECT_EQ(slurp(dir.path() / "axon.db"), db_before);
  EXPECT_EQ(slurp(dir.path() / "axon.db-wal"), wal_before);
  auto accounts = writer->list_accounts();
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(accounts->size(), 1u);
  EXPECT_EQ(list_messages(*writer, "alice@example.org", "INBOX")->size(), 0u);
  for (const auto& e : fs::recursive_directory_iterator(dir.path() / "mail")) EXPECT_FALSE(e.is_regular_file());
}

TEST_F(ReadOnlyStore, SeesLaterCommits) {
  auto ro = open_ro();
  ASSERT_TRUE(ro.ok()) << ro.error().detail;
  auto v = (*ro)->directory_version();
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(writer->add_account("bob@example.org", "$argon2id$bob"));
  EXPECT_EQ((*ro)->list_accounts()->size(), 2u);
  EXPECT_GT(*(*ro)->directory_version(), *v);
  EXPECT_TRUE((*ro)->load_directory()->has_account("bob@example.org"));
}

TEST_F(ReadOnlyStore, ChecksTheSchemaVersionInsteadOfMigrating) {
  writer.reset();
  {
    RawDb raw(dir.path() / "axon.db");
    raw.exec("UPDATE meta SET value = 99 WHERE key = 'schema_version'");
  }
  auto ro = open_ro();
  ASSERT_FALSE(ro.ok());
  EXPECT_EQ(ro.error().code, Errc::permanent);
  EXPECT_NE(ro.error().detail.find("newer"), std::string::npos) << ro.error().detail;
  {
    RawDb raw(dir.path() / "axon.db");
    raw.exec("UPDATE meta SET value = 0 WHERE key = 'schema_version'");
  }
  ro = open_ro();
  ASSERT_FALSE(ro.ok());
  EXPECT_NE(ro.error().detail.find("older"), std::string::npos) << ro.error().detail;
  // Still v0: the read-only open migrated nothing.
  ro = open_ro();
  EXPECT_FALSE(ro.ok());
}

TEST(ReadOnlyStoreOpen, DatabaseWithoutAxonSchemaIsNotFound) {
  TempDir dir;
  { RawDb raw(dir.path() / "axon.db"); }
  SqliteOptions o{dir.path()};
  o.read_only = true;
  auto r = open_sqlite(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_FALSE(fs::exists(dir.path() / "mail"));
}

}  // namespace
