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

// RFC 5321 §4.5.1 (postmaster MUST be accepted), §4.1.1.3 (<Postmaster> without a domain), RFC 2142 §2 (abuse).

TEST(DirectoryRoles, PostmasterAndAbuseReachTheDomainsFirstAccount) {
  auto d = sample();
  d.add_domain("example.net");
  d.add_account("dave@example.net");
  d.add_account("carol@example.net");
  for (const char* a : {"postmaster@example.org", "PostMaster@EXAMPLE.org", "abuse@example.org", "ABUSE@example.org"})
    EXPECT_EQ(d.resolve(a).accounts, std::vector<std::string>{"alice@example.org"}) << a;
  EXPECT_EQ(d.resolve("postmaster@example.net").accounts, std::vector<std::string>{"dave@example.net"});
  EXPECT_EQ(d.resolve("abuse@example.net").kind, Kind::local);
  EXPECT_EQ(d.resolve("postmaster+bounces@example.org").accounts, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(d.resolve("postmasters@example.org").kind, Kind::unknown_user);
  EXPECT_EQ(d.resolve("postmaster@elsewhere.net").kind, Kind::not_local_domain);
}

TEST(DirectoryRoles, BarePostmasterReachesTheFirstAccount) {
  auto d = sample();
  EXPECT_EQ(d.resolve("Postmaster").accounts, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(d.resolve("POSTMASTER").kind, Kind::local);
  EXPECT_EQ(d.resolve("abuse").kind, Kind::unknown_user);  // only postmaster may come without a domain
  EXPECT_EQ(d.resolve("alice").kind, Kind::unknown_user);
}

TEST(DirectoryRoles, ConfiguredPostmasterTakesTheDefault) {
  auto d = sample();
  d.add_domain("example.net");
  d.add_account("carol@example.net");
  for (const char* a : {"postmaster@example.org", "abuse@example.org", "postmaster@example.net", "Postmaster"})
    EXPECT_EQ(d.resolve(a, '+', "Bob@Example.org").accounts, std::vector<std::string>{"bob@example.org"}) << a;
  // An alias as the postmaster; one that names nobody leaves the domain's first account in charge.
  EXPECT_EQ(d.resolve("abuse@example.org", '+', "team@example.org").accounts,
            (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
  EXPECT_EQ(d.resolve("abuse@example.net", '+', "gone@example.org").accounts,
            std::vector<std::string>{"carol@example.net"});
  // The configured postmaster changes nothing else.
  EXPECT_EQ(d.resolve("carol@example.org", '+', "bob@example.org").kind, Kind::unknown_user);
}

TEST(DirectoryRoles, AnAliasOrAccountOfThatNameOverrides) {
  auto d = sample();
  d.add_alias("abuse@example.org", {"bob@example.org"});
  d.add_account("postmaster@example.org");
  EXPECT_EQ(d.resolve("abuse@example.org", '+', "alice@example.org").accounts,
            std::vector<std::string>{"bob@example.org"});
  EXPECT_EQ(d.resolve("Postmaster@example.org", '+', "alice@example.org").accounts,
            std::vector<std::string>{"postmaster@example.org"});
  // An alias that reaches nobody does not make the role unreachable.
  Directory e = sample();
  e.add_alias("abuse@example.org", {"gone@example.org"});
  EXPECT_EQ(e.resolve("abuse@example.org").accounts, std::vector<std::string>{"alice@example.org"});
}

TEST(DirectoryRoles, TheCatchAllDoesNotTakeTheRoles) {
  auto d = sample();
  d.add_alias("@example.org", {"bob@example.org"});
  EXPECT_EQ(d.resolve("postmaster@example.org").accounts, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(d.resolve("abuse@example.org").accounts, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(d.resolve("anyone@example.org").accounts, std::vector<std::string>{"bob@example.org"});
}

TEST(DirectoryRoles, ADomainWithoutAccountsUsesTheFirstAccountOfAnyDomain) {
  auto d = sample();
  d.add_domain("example.net");
  EXPECT_EQ(d.resolve("postmaster@example.net").accounts, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(d.resolve("abuse@example.net").accounts, std::vector<std::string>{"alice@example.org"});
  EXPECT_EQ(d.resolve("bob@example.net").kind, Kind::unknown_user);
}

TEST(DirectoryRoles, NoAccountAtAllIsUnknown) {
  Directory d;
  d.add_domain("example.org");
  EXPECT_EQ(d.resolve("postmaster@example.org").kind, Kind::unknown_user);
  EXPECT_EQ(d.resolve("Postmaster").kind, Kind::unknown_user);
  EXPECT_EQ(d.resolve("postmaster@example.org", '+', "alice@example.org").kind, Kind::unknown_user);
}
