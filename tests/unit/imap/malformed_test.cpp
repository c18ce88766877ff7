// Malformed commands: each one is BAD with a reason (never a crash, never accepted), whole and byte by byte.
#include <gtest/gtest.h>

#include "wire.h"

using namespace axon::imap;
using test::bad;
using test::Recording;

TEST(ImapMalformed, SequenceSets) {
  const std::pair<const char*, const char*> cases[] = {
      {"a FETCH 0 FLAGS", "Invalid sequence set: numbers start at 1"},
      {"a FETCH 0:1 FLAGS", "Invalid sequence set: numbers start at 1"},
      {"a FETCH 01 FLAGS", "Invalid sequence set: numbers start at 1"},
      {"a FETCH 1: FLAGS", "Invalid sequence set: empty element"},
      {"a FETCH :1 FLAGS", "Invalid sequence set: empty element"},
      {"a FETCH *: FLAGS", "Invalid sequence set: empty element"},
      {"a FETCH 1,,2 FLAGS", "Invalid sequence set: empty element"},
      {"a FETCH 1, FLAGS", "Invalid sequence set: empty element"},
      {"a FETCH ,1 FLAGS", "Invalid sequence set: empty element"},
      {"a FETCH 1:2:3 FLAGS", "Invalid sequence set"},
      {"a FETCH 4294967296 FLAGS", "Invalid sequence set: number too big"},
      {"a FETCH 1:99999999999999999999999 FLAGS", "Invalid sequence set: number too big"},
      {"a FETCH ** FLAGS", "Invalid sequence set"},
      {"a FETCH $$ FLAGS", "Invalid sequence set"},
      {"a FETCH $:1 FLAGS", "Invalid sequence set"},
      {"a UID EXPUNGE 1:*x", "Extra characters after the command"},
  };
  for (const auto& [line, reason] : cases) EXPECT_EQ(bad(line), reason) << line;
}

TEST(ImapMalformed, Parentheses) {
  const std::pair<const char*, const char*> cases[] = {
      {"a FETCH 1 (FLAGS", "Invalid FETCH item list"},
      {"a FETCH 1 FLAGS)", "Extra characters after the command"},
      {"a FETCH 1 ((FLAGS))", "Invalid FETCH item"},
      {"a SEARCH ((SEEN)", "Invalid search key list"},
      {"a SEARCH (SEEN))", "Extra characters after the command"},
      {"a SEARCH )", "Missing search key"},
      {"a STATUS x (MESSAGES", "Invalid list of status items"},
      {"a STORE 1 FLAGS (\\Seen (x))", "Invalid flag"},
      {"a LIST ((SUBSCRIBED)) \"\" %", "Missing selection option"},
      {"a SELECT x (QRESYNC (1 2)", "Invalid SELECT parameters"},
      {"a ID (\"a\" \"b\"", "Invalid ID parameters"},
  };
  for (const auto& [line, reason] : cases) EXPECT_EQ(bad(line), reason) << line;
}

TEST(ImapMalformed, Numbers) {
  EXPECT_EQ(bad("a FETCH 1 BODY[]<99999999999999999999.1>"), "Number too big");
  EXPECT_EQ(bad("a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)"), "Number too big");
  EXPECT_EQ(bad("a SELECT x (QRESYNC (4294967296 1))"), "Number too big");
  EXPECT_EQ(bad("a SETQUOTA x (STORAGE 99999999999999999999)"), "Number too big");
  EXPECT_EQ(bad("a SEARCH LARGER -1"), "Invalid size");
}

TEST(ImapMalformed, MailboxNames) {
  const char* cases[] = {
      "a SELECT &",            // unterminated shift
      "a SELECT &Jjo",         // no "-"
      "a SELECT &Jjo!",        // "!" in base64
      "a SELECT &AGE-",        // encodes "a"
      "a SELECT &2D0-",        // lone high surrogate
      "a SELECT &3gA-",        // lone low surrogate
      "a SELECT &AOk-&AOk-",   // two shifts in a row
      "a SELECT &AOkA-",       // non-zero leftover bits
      "a SELECT &AOkAA-",      // 14 bits left over: a base64 character too many
      "a SELECT \"a\\\\b\xFF\"",  // 8-bit without UTF8=ACCEPT
      "a CREATE \"\x7F\"",
      "a RENAME INBOX &-&",
  };
  for (const char* line : cases) EXPECT_EQ(bad(line), "Invalid mailbox name") << line;
}

TEST(ImapMalformed, StringsAndLiterals) {
  EXPECT_EQ(bad("a LOGIN \"abc"), "Unterminated quoted string");
  EXPECT_EQ(bad("a LOGIN \"a\\b\" x"), "Invalid escape in quoted string");
  EXPECT_EQ(bad("a LOGIN \"a\\"), "Invalid escape in quoted string");
  EXPECT_EQ(bad("a LOGIN x{3}y"), "Expected a space");        // "{" is no atom char
  EXPECT_EQ(bad("a LOGIN x {3+}\r\nabc{1+}\r\nd"), "Extra characters after the command");
  EXPECT_EQ(bad("a LOGIN x \"y\"z"), "Extra characters after the command");
  EXPECT_EQ(bad("a LOGIN x y\tz"), "Extra characters after the command");
  EXPECT_EQ(bad("a SELECT \"abc {5}"), "Unterminated quoted string");
}

// A few thousand generated garbage commands: every one gives a result, none crashes.
TEST(ImapMalformed, Garbage) {
  const char* pieces[] = {"(", ")", " ", "\"", "\\", "{", "}", "[", "]", "<", ">", "*", "%", "$", ":", ",", "1",
                          "0", "FETCH", "UID", "BODY", "SEARCH", "NOT", "OR", "{2+}\r\nab", "~{1+}\r\nx", "\xC3",
                          "&", "-", "HEADER.FIELDS", ".", "APPEND", "INBOX", "FLAGS", "+", "RETURN"};
  const std::size_t n = sizeof pieces / sizeof pieces[0];
  uint32_t seed = 12345;
  for (int i = 0; i < 3000; ++i) {
    std::string line = "t ";
    for (int k = 0; k < 8; ++k) {
      seed = seed * 1103515245u + 12345u;
      line += pieces[(seed >> 16) % n];
    }
    Recording r = test::record(line + "\r\n");
    for (const auto& cmd : r.commands) {
      Parsed p = parse_command(cmd);
      if (!p.ok()) {
        EXPECT_FALSE(p.error().reason.empty()) << line;
      }
    }
  }
}
