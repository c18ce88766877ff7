// Response formatting (imap/format.h).
#include <gtest/gtest.h>

#include "imap/format.h"

using namespace axon::imap;

TEST(ImapFormat, Strings) {
  EXPECT_EQ(imap_string("hello"), "\"hello\"");
  EXPECT_EQ(imap_string(""), "\"\"");
  EXPECT_EQ(imap_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(imap_string("two\r\nlines"), "{10}\r\ntwo\r\nlines");
  EXPECT_EQ(imap_string("caf\xC3\xA9"), "{5}\r\ncaf\xC3\xA9");           // 8-bit: literal in IMAP4rev1
  EXPECT_EQ(imap_string("caf\xC3\xA9", true), "\"caf\xC3\xA9\"");        // quoted UTF-8 in IMAP4rev2
  EXPECT_EQ(imap_string("caf\xC3", true), "{4}\r\ncaf\xC3");             // not UTF-8: literal
  EXPECT_EQ(imap_string(std::string(kMaxQuoted, 'x')), "\"" + std::string(kMaxQuoted, 'x') + "\"");
  EXPECT_EQ(imap_string(std::string(kMaxQuoted + 1, 'x')).substr(0, 8), "{1025}\r\n");
  EXPECT_EQ(imap_string(std::string("a\0b", 3)), std::string("{3}\r\na\0b", 8));
  std::string out;
  append_nstring(out, std::nullopt);
  out += ' ';
  append_nstring(out, std::string_view("x"));
  EXPECT_EQ(out, "NIL \"x\"");
}

TEST(ImapFormat, Astrings) {
  EXPECT_EQ(imap_astring("INBOX"), "INBOX");
  EXPECT_EQ(imap_astring("Sent]"), "Sent]");
  EXPECT_EQ(imap_astring("Sent Items"), "\"Sent Items\"");
  EXPECT_EQ(imap_astring(""), "\"\"");
  EXPECT_EQ(imap_astring("nil"), "\"nil\"");
  EXPECT_EQ(imap_astring("a*"), "\"a*\"");
  EXPECT_EQ(imap_astring("a%"), "\"a%\"");
  EXPECT_EQ(imap_astring("(x)"), "\"(x)\"");
  EXPECT_EQ(imap_astring("{5}"), "\"{5}\"");
  std::string out;
  append_mailbox(out, "Entw\xC3\xBCrfe");
  EXPECT_EQ(out, "Entw&APw-rfe");
  out.clear();
  append_mailbox(out, "Entw\xC3\xBCrfe", true);
  EXPECT_EQ(out, "\"Entw\xC3\xBCrfe\"");
}

TEST(ImapFormat, FlagLists) {
  const std::vector<std::string> flags = {"\\Seen", "\\Answered", "$Forwarded"};
  EXPECT_EQ(flag_list(flags), "(\\Seen \\Answered $Forwarded)");
  EXPECT_EQ(flag_list(std::vector<std::string>{}), "()");
}

