// LIST/LSUB (with LIST-EXTENDED, SPECIAL-USE, LIST-STATUS) and APPEND (MULTIAPPEND, CATENATE, literal8, UTF8).
#include <gtest/gtest.h>

#include "wire.h"

using namespace axon::imap;
using test::bad;
using test::ok;

TEST(ImapList, Basic) {
  auto l = std::get<List>(ok("A101 LIST \"\" \"\"").args);
  EXPECT_EQ(l.reference, "");
  EXPECT_EQ(l.patterns, (std::vector<std::string>{""}));
  EXPECT_FALSE(l.extended);
  l = std::get<List>(ok("A102 LIST #news.comp.mail.misc \"\"").args);
  EXPECT_EQ(l.reference, "#news.comp.mail.misc");
  l = std::get<List>(ok("A202 LIST ~/Mail/ %").args);
  EXPECT_EQ(l.reference, "~/Mail/");
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"%"}));
  l = std::get<List>(ok("a LIST \"\" INBOX.*]").args);
  EXPECT_EQ(l.patterns[0], "INBOX.*]");
  l = std::get<List>(ok("a LIST \"\" &AOk-*").args);  // patterns are decoded like names
  EXPECT_EQ(l.patterns[0], "\xC3\xA9*");
  l = std::get<List>(ok("a LIST \"\" {1+}\r\n*").args);
  EXPECT_EQ(l.patterns[0], "*");
  EXPECT_EQ(bad("a LIST \"\""), "Missing argument");
  EXPECT_EQ(bad("a LIST \"\" ("), "Missing mailbox pattern");
  EXPECT_EQ(bad("a LIST \"\" &-&"), "Invalid mailbox name");
}

TEST(ImapList, Extended) {
  // RFC 5258 §5 examples
  auto l = std::get<List>(ok("A02 LIST (SUBSCRIBED) \"\" \"*\"").args);
  EXPECT_TRUE(l.extended);
  EXPECT_TRUE(l.selection.subscribed);
  l = std::get<List>(ok("A03 LIST () \"\" \"%\" RETURN (CHILDREN)").args);
  EXPECT_TRUE(l.extended);
  EXPECT_TRUE(l.ret.children);
  l = std::get<List>(ok("A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)").args);
  EXPECT_TRUE(l.selection.remote);
  l = std::get<List>(ok("A05 LIST (REMOTE SUBSCRIBED) \"/\" \"*\"").args);
  EXPECT_EQ(l.reference, "/");
  l = std::get<List>(ok("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)").args);
  EXPECT_TRUE(l.selection.recursive_match);
  l = std::get<List>(ok("BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")").args);
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"INBOX", "Drafts", "Sent/%"}));
  EXPECT_TRUE(l.extended);
  l = std::get<List>(ok("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))").args);  // RFC 5819
  EXPECT_TRUE(l.ret.status);
  EXPECT_EQ(l.ret.status_items, (std::vector<StatusItem>{StatusItem::messages, StatusItem::unseen}));
  l = std::get<List>(ok("t1 LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE subscribed)").args);  // RFC 6154
  EXPECT_TRUE(l.selection.special_use);
  EXPECT_TRUE(l.ret.special_use);
  EXPECT_TRUE(l.ret.subscribed);
  l = std::get<List>(ok("a LIST \"\" % RETURN ()").args);
  EXPECT_TRUE(l.extended);
  EXPECT_EQ(bad("a LIST (RECURSIVEMATCH) \"\" %"), "RECURSIVEMATCH needs a base option");
  EXPECT_EQ(bad("a LIST (REMOTE RECURSIVEMATCH) \"\" %"), "RECURSIVEMATCH needs a base option");
  EXPECT_EQ(bad("a LIST (FOO) \"\" %"), "Unknown LIST selection option");
  EXPECT_EQ(bad("a LIST \"\" % RETURN (FOO)"), "Unknown LIST return option");
  EXPECT_EQ(bad("a LIST \"\" % RETURN (STATUS (MESSAGES) STATUS (UNSEEN))"), "Duplicate STATUS return option");
  EXPECT_EQ(bad("a LIST \"\" % FOO (CHILDREN)"), "Expected RETURN");
  EXPECT_EQ(bad("a LIST \"\" (% *"), "Invalid pattern list");
  EXPECT_EQ(bad("a LIST (SUBSCRIBED \"\" %"), "Missing selection option");
}

TEST(ImapList, Lsub) {
  auto l = std::get<Lsub>(ok("A002 LSUB \"#news.\" \"comp.mail.*\"").args);
  EXPECT_EQ(l.reference, "#news.");
  EXPECT_EQ(l.pattern, "comp.mail.*");
  EXPECT_EQ(bad("a LSUB x"), "Missing argument");
}

TEST(ImapAppend, Simple) {
  // RFC 9051 §6.3.12 example.
  Parsed p = test::parse_wire(
      "A003 APPEND saved-messages (\\Seen) {326}\r\n" + std::string(326, 'm') + "\r\n");
  ASSERT_TRUE(p.ok()) << p.error().reason;
  auto a = std::get<Append>(p->args);
  EXPECT_EQ(a.mailbox, "saved-messages");
  ASSERT_EQ(a.messages.size(), 1u);
  EXPECT_EQ(a.messages[0].flags, (std::vector<std::string>{"\\Seen"}));
  EXPECT_FALSE(a.messages[0].internal_date);
  ASSERT_EQ(a.messages[0].parts.size(), 1u);
  EXPECT_EQ(a.messages[0].parts[0].kind, AppendPart::Kind::text);
  EXPECT_EQ(a.messages[0].parts[0].size, 326u);
  EXPECT_EQ(a.messages[0].parts[0].stream_index, 0u);

  a = std::get<Append>(ok("a APPEND INBOX \"17-Jul-1996 02:44:25 -0700\" {1+}\r\nx").args);
  ASSERT_TRUE(a.messages[0].internal_date);
  EXPECT_EQ(a.messages[0].internal_date->unix_seconds, 837596665);
  EXPECT_EQ(a.messages[0].internal_date->zone_minutes, -420);
  a = std::get<Append>(ok("a APPEND INBOX () \" 7-Jul-1996 02:44:25 +0000\" ~{1+}\r\nx").args);
  EXPECT_TRUE(a.messages[0].flags.empty());
  EXPECT_TRUE(a.messages[0].parts[0].binary);
  a = std::get<Append>(ok("a APPEND {5+}\r\ninbox {1+}\r\nx").args);
  EXPECT_EQ(a.mailbox, "INBOX");
}

TEST(ImapAppend, MultiappendCatenateUtf8) {
  // RFC 3502 §7 style: two messages.
  auto a = std::get<Append>(
      ok("A003 APPEND saved-messages (\\Seen) {3+}\r\none (\\Seen \\Draft) \"17-Jul-1996 02:44:25 -0700\" {3+}\r\ntwo")
          .args);
  ASSERT_EQ(a.messages.size(), 2u);
  EXPECT_EQ(a.messages[1].flags.size(), 2u);
  EXPECT_EQ(a.messages[1].parts[0].stream_index, 1u);
  // RFC 4469 §5 example (shortened).
  a = std::get<Append>(
      ok("A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;"
         "section=HEADER\" TEXT {42+}\r\n" + std::string(42, 't') +
         " URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\" URL {10+}\r\n/a;UID=1/; TEXT ~{2+}\r\nzz)")
          .args);
  ASSERT_EQ(a.messages.size(), 1u);
  const auto& m = a.messages[0];
  EXPECT_TRUE(m.catenate);
  ASSERT_EQ(m.parts.size(), 5u);
  EXPECT_EQ(m.parts[0].kind, AppendPart::Kind::url);
  EXPECT_EQ(m.parts[0].url, "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER");
  EXPECT_EQ(m.parts[1].kind, AppendPart::Kind::text);
  EXPECT_EQ(m.parts[1].size, 42u);
  EXPECT_EQ(m.parts[3].url, "/a;UID=1/;");
  EXPECT_EQ(m.parts[4].stream_index, 1u);
  EXPECT_TRUE(m.parts[4].binary);
  // RFC 6855 §4
  a = std::get<Append>(ok("a APPEND INBOX UTF8 (~{3+}\r\nabc)").args);
  EXPECT_TRUE(a.messages[0].utf8);
  EXPECT_EQ(bad("a APPEND INBOX UTF8 ({3+}\r\nabc)"), "UTF8 needs literal8");
}

TEST(ImapAppend, Malformed) {
  EXPECT_EQ(bad("a APPEND INBOX"), "Missing argument");
  EXPECT_EQ(bad("a APPEND INBOX (\\Seen)"), "Missing argument");
  EXPECT_EQ(bad("a APPEND INBOX \"hello\""), "Invalid date-time");
  EXPECT_EQ(bad("a APPEND INBOX \"31-Feb-2020 00:00:00 +0000\" {1+}\r\nx"), "Invalid date-time");
  EXPECT_EQ(bad("a APPEND INBOX (\\Seen {1+}\r\nx"), "Invalid flag");
  EXPECT_EQ(bad("a APPEND INBOX hello"), "Message literal expected");
  EXPECT_EQ(bad("a APPEND INBOX {1+}\r\nx junk"), "Message literal expected");
  EXPECT_EQ(bad("a APPEND INBOX CATENATE (FOO {1+}\r\nx)"), "Unknown CATENATE part");
  EXPECT_EQ(bad("a APPEND INBOX CATENATE ()"), "Missing CATENATE part");
  EXPECT_EQ(bad("a APPEND INBOX CATENATE (TEXT \"x\")"), "Message literal expected");
  EXPECT_EQ(bad("a APPEND INBOX {1+}\r\nx "), "Missing message");
}
