// store::Store::load_directory feeds accounts in creation order, so a domain's default postmaster (its first
// account, store/directory.h) is the oldest account, not the first in alphabetical order.
// Security: none (test code; temp directories only).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

#include "store/store.h"

using namespace axon::store;
namespace fs = std::filesystem;

TEST(StoreLoadDirectory, AccountsInCreationOrderForThePostmasterDefault) {
  std::random_device rd;
  fs::path dir = fs::temp_directory_path() / ("axon-dirload-test-" + std::to_string(rd()) + std::to_string(rd()));
  {
    auto s = open_sqlite(SqliteOptions{dir});
    ASSERT_TRUE(s.ok()) << s.error().detail;
    ASSERT_TRUE((*s)->add_domain("example.org"));
    ASSERT_TRUE((*s)->add_account("zed@example.org", "$argon2id$z"));
    ASSERT_TRUE((*s)->add_account("amy@example.org", "$argon2id$a"));
    auto d = (*s)->load_directory();
    ASSERT_TRUE(d.ok()) << d.error().detail;
    EXPECT_EQ(d->resolve("postmaster@example.org").accounts, std::vector<std::string>{"zed@example.org"});
    EXPECT_EQ(d->resolve("Postmaster").accounts, std::vector<std::string>{"zed@example.org"});
  }
  fs::remove_all(dir);
}
