// Address lists as ENVELOPE shows them: the RFC 5322 Appendix A examples, groups, comments, broken input; and the
// first-address helper for SORT.
#include <gtest/gtest.h>

#include "mime/address.h"

using namespace axon::mime;

namespace {

Address mb(std::optional<std::string> name, std::string mailbox, std::string host) {
  return Address{std::move(name), std::move(mailbox), std::move(host)};
}
Address group_start(std::string name) { return Address{std::nullopt, std::move(name), std::nullopt}; }
Address group_end() { return Address{}; }

TEST(MimeAddress, Rfc5322AppendixA) {
  // A.1.1
  EXPECT_EQ(parse_address_list("John Doe <jdoe@machine.example>"),
            (std::vector<Address>{mb("John Doe", "jdoe", "machine.example")}));
  EXPECT_EQ(parse_address_list("\"Joe Q. Public\" <john.q.public@example.com>"),
            (std::vector<Address>{mb("Joe Q. Public", "john.q.public", "example.com")}));
  // A.1.2
  EXPECT_EQ(parse_address_list("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"),
            (std::vector<Address>{mb("Mary Smith", "mary", "x.test"), mb(std::nullopt, "jdoe", "example.org"),
                                  mb("Who?", "one", "y.test")}));
  EXPECT_EQ(parse_address_list("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"),
            (std::vector<Address>{mb(std::nullopt, "boss", "nil.test"),
                                  mb("Giant; \"Big\" Box", "sysservices", "example.net")}));
  // A.1.3: groups
  EXPECT_EQ(parse_address_list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"),
            (std::vector<Address>{group_start("A Group"), mb("Ed Jones", "c", "a.test"),
                                  mb(std::nullopt, "joe", "where.test"), mb("John", "jdoe", "one.test"),
                                  group_end()}));
  EXPECT_EQ(parse_address_list("Undisclosed recipients:;"),
            (std::vector<Address>{group_start("Undisclosed recipients"), group_end()}));
  // A.5: white space and comments
  EXPECT_EQ(parse_address_list("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
            (std::vector<Address>{mb("Pete", "pete", "silly.test")}));
  EXPECT_EQ(parse_address_list("A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
                               "         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)"),
            (std::vector<Address>{group_start("A Group"), mb("Chris Jones", "c", "public.example"),
                                  mb(std::nullopt, "joe", "example.org"), mb("John", "jdoe", "one.test"),
                                  group_end()}));
}

TEST(MimeAddress, CommentNamesAndObsoleteForms) {
  EXPECT_EQ(parse_address_list("user@example.com (Full Name)"),
            (std::vector<Address>{mb("Full Name", "user", "example.com")}));
  // RFC 5322 §4.4 obs-route: parsed and ignored.
  EXPECT_EQ(parse_address_list("<@a.test,@b.test:user@c.test>"), (std::vector<Address>{mb(std::nullopt, "user", "c.test")}));
  // obs-local-part and an address literal.
  EXPECT_EQ(parse_address_list("first . last@[192.0.2.1]"), (std::vector<Address>{mb(std::nullopt, "first.last", "[192.0.2.1]")}));
  EXPECT_EQ(parse_address_list("\"quoted local\"@example.org"), (std::vector<Address>{mb(std::nullopt, "quoted local", "example.org")}));
  // Encoded words stay as they are; the phrase's words are joined by one space.
  EXPECT_EQ(parse_address_list("=?utf-8?q?J=C3=BCrgen?=   Mayer <j@x.de>"),
            (std::vector<Address>{mb("=?utf-8?q?J=C3=BCrgen?= Mayer", "j", "x.de")}));
}

TEST(MimeAddress, BrokenInputKeepsEveryAddress) {
  // Like Dovecot: never a NIL host on a mailbox (that would read as a group marker).
  EXPECT_EQ(parse_address_list("foo"), (std::vector<Address>{mb(std::nullopt, "foo", "MISSING_DOMAIN")}));
  EXPECT_EQ(parse_address_list("@bar"), (std::vector<Address>{mb(std::nullopt, "MISSING_MAILBOX", "bar")}));
  EXPECT_EQ(parse_address_list("<>"), (std::vector<Address>{mb(std::nullopt, "MISSING_MAILBOX", "MISSING_DOMAIN")}));
  EXPECT_EQ(parse_address_list("Name <user@host"), (std::vector<Address>{mb("Name", "user", "SYNTAX_ERROR")}));
  EXPECT_EQ(parse_address_list("foo bar baz"),
            (std::vector<Address>{mb("foo bar baz", "MISSING_MAILBOX", "MISSING_DOMAIN")}));
  EXPECT_EQ(parse_address_list("a@b.c,"), (std::vector<Address>{mb(std::nullopt, "a", "b.c")}));
  EXPECT_TRUE(parse_address_list("").empty());
  EXPECT_TRUE(parse_address_list("  (only a comment)  ").empty());
  // An unterminated group still ends.
  EXPECT_EQ(parse_address_list("g: a@b.c"),
            (std::vector<Address>{group_start("g"), mb(std::nullopt, "a", "b.c"), group_end()}));
}

TEST(MimeAddress, GarbageTerminates) {
  std::string junk;
  for (int i = 0; i < 2000; ++i) junk += "<@,:;\"(\\)[]"[i % 12];
  (void)parse_address_list(junk);
  (void)parse_address_list(std::string(5000, '('));
  (void)parse_address_list(std::string(5000, ','));
}

TEST(MimeAddress, FirstAddressForSort) {
  // RFC 5256 §3: FROM sorts on the first mailbox; RFC 5957: DISPLAYFROM on its display name, else the addr-spec.
  auto a = first_address("Group: =?utf-8?q?J=C3=BCrgen?= <j@x.de>, b@y;, c@z");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->mailbox, "j");
  EXPECT_EQ(a->host, "x.de");
  EXPECT_EQ(a->display, "J\xc3\xbcrgen");
  EXPECT_EQ(display_sort_key("Group: =?utf-8?q?J=C3=BCrgen?= <j@x.de>;"), "J\xc3\xbcrgen");
  EXPECT_EQ(display_sort_key("plain@example.org"), "plain@example.org");
  EXPECT_EQ(display_sort_key("undisclosed-recipients:;"), "");
  EXPECT_FALSE(first_address("undisclosed-recipients:;"));
}

}  // namespace
