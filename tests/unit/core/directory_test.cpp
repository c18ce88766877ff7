#include <gtest/gtest.h>

#include "store/directory.h"

using namespace axon::store;
using Kind = Resolution::Kind;

namespace {
Directory sample() {
  Directory d;
  d.add_domain("Example.org");
  d.add_account("alice@example.org");
  d.add_account("bob@example.org");
  d.add_alias("team@example.org", {"alice@example.org", "bob@example.org", "alice@example.org"});
  d.add_alias("loop1@example.org", {"loop2@example.org"});
  d.add_alias("loop2@example.org", {"loop1@example.org", "bob@example.org"});
  return d;
}
}  // namespace

TEST(Directory, ExactAccountCaseInsensitive) {
  auto r = sample().resolve("Alice@EXAMPLE.org");
  EXPECT_EQ(r.kind, Kind::local);
  EXPECT_EQ(r.accounts, std::vector<std::string>{"alice@example.org"});
}

TEST(Directory, UnknownUserAndForeignDomain) {
  auto d = sample();
  EXPECT_EQ(d.resolve("carol@example.org").kind, Kind::unknown_user);
  EXPECT_EQ(d.resolve("alice@elsewhere.net").kind, Kind::not_local_domain);
}

TEST(Directory, AliasExpandsDistinctAccounts) {
  auto r = sample().resolve("team@example.org");
  EXPECT_EQ(r.kind, Kind::local);
  EXPECT_EQ(r.accounts, (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
}

TEST(Directory, AliasLoopTerminates) {
  auto r = sample().resolve("loop1@example.org");
  EXPECT_EQ(r.kind, Kind::local);
  EXPECT_EQ(r.accounts, std::vector<std::string>{"bob@example.org"});
}

TEST(Directory, PlusAddressing) {
  auto d = sample();
  EXPECT_EQ(d.resolve("alice+lists@example.org").accounts, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(d.resolve("team+x@example.org").accounts.size(), 2u);
  EXPECT_EQ(d.resolve("carol+x@example.org").kind, Kind::unknown_user);
  EXPECT_EQ(d.resolve("+x@example.org").kind, Kind::unknown_user);
}

TEST(Directory, CatchAll) {
  auto d = sample();
  d.add_alias("@example.org", {"bob@example.org"});
  EXPECT_EQ(d.resolve("anyone@example.org").accounts, std::vector<std::string>{"bob@example.org"});
  // An exact account wins over the catch-all.
  EXPECT_EQ(d.resolve("alice@example.org").accounts, std::vector<std::string>{"alice@example.org"});
}

TEST(Directory, AliasToNothingIsUnknown) {
  Directory d;
  d.add_domain("example.org");
  d.add_alias("ghost@example.org", {"nobody@example.org"});
  EXPECT_EQ(d.resolve("ghost@example.org").kind, Kind::unknown_user);
}
