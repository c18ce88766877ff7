#include <gtest/gtest.h>

#include "core/address.h"
#include "core/clock.h"

using namespace axon::core;

TEST(Address, ParsesDotStringAndLowercasesDomain) {
  auto a = parse_mailbox("John.Doe@Example.ORG");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->local, "John.Doe");
  EXPECT_EQ(a->domain, "example.org");
  EXPECT_EQ(a->key(), "john.doe@example.org");
}

TEST(Address, QuotedLocalPart) {
  auto a = parse_mailbox("\"john smith\"@example.org");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->local, "\"john smith\"");
  EXPECT_FALSE(parse_mailbox("\"unterminated@example.org"));
}

TEST(Address, RejectsMalformed) {
  for (const char* s : {"", "@example.org", "user@", "user", "a..b@example.org", ".a@example.org",
                        "a.@example.org", "user@-bad.org", "user@bad-.org", "us er@example.org",
                        "user@exa mple.org", "user@example..org"})
    EXPECT_FALSE(parse_mailbox(s)) << s;
}

TEST(Address, LengthLimits) {
  std::string local(64, 'a');
  EXPECT_TRUE(parse_mailbox(local + "@example.org"));
  EXPECT_FALSE(parse_mailbox(local + "a@example.org"));
  std::string label(64, 'b');
  EXPECT_FALSE(parse_mailbox("a@" + label + ".org"));
}

TEST(Address, Utf8OnlyWithSmtputf8) {
  std::string s = "j\xC3\xB6rg@example.org";
  EXPECT_FALSE(parse_mailbox(s));
  EXPECT_TRUE(parse_mailbox(s, true));
  EXPECT_FALSE(parse_mailbox("j\xC3@example.org", true));          // truncated sequence
  EXPECT_FALSE(parse_mailbox("j\xC0\xAF@example.org", true));      // overlong
  EXPECT_FALSE(parse_mailbox("j\xED\xA0\x80@example.org", true));  // surrogate
}

TEST(Address, AddressLiterals) {
  EXPECT_TRUE(parse_mailbox("postmaster@[127.0.0.1]"));
  EXPECT_TRUE(parse_mailbox("postmaster@[IPv6:::1]"));
  EXPECT_FALSE(parse_mailbox("postmaster@[127.0.0.1"));
  EXPECT_FALSE(parse_mailbox("postmaster@[]"));
}

TEST(Clock, Rfc5322Date) {
  EXPECT_EQ(rfc5322_date(TimePoint{std::chrono::seconds(1700000000)}), "Tue, 14 Nov 2023 22:13:20 +0000");
}
