// Modified UTF-7 (imap/mutf7.h), UTF-8 checks and mailbox names on the wire (imap/mailbox_name.h).
#include <gtest/gtest.h>

#include "imap/mailbox_name.h"
#include "imap/mutf7.h"

using namespace axon::imap;

TEST(ImapMutf7, Decode) {
  // RFC 3501 §5.1.3 examples.
  EXPECT_EQ(mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  EXPECT_EQ(mutf7_decode("&Jjo-!"), "\xE2\x98\xBA!");
  EXPECT_EQ(mutf7_decode("&U,BTF2XlZyyKng-"), "\xE5\x8F\xB0\xE5\x8C\x97\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  EXPECT_EQ(mutf7_decode("Entw&APw-rfe"), "Entw\xC3\xBCrfe");
  EXPECT_EQ(mutf7_decode("&-"), "&");
  EXPECT_EQ(mutf7_decode("a&-b&-"), "a&b&");
  EXPECT_EQ(mutf7_decode(""), "");
  EXPECT_EQ(mutf7_decode("&2D3eAA-"), "\xF0\x9F\x98\x80");  // surrogate pair: U+1F600
  EXPECT_EQ(mutf7_decode("&AOk-&-"), "\xC3\xA9&");
  const char* bad[] = {"&", "&Jjo", "&Jjo!-", "&U,BTFw-&ZeVnLIqe-" /* RFC 3501: a superfluous shift */,
                       "&AGE-", "&2D0-", "&3gA-", "&AOk-&AOk-", "&AOkA-", "&AOkAA-", "\x01", "\xC3\xA9", "a\tb",
                       "&ImIDkQ/-", "&=-"};
  for (const char* b : bad) EXPECT_FALSE(mutf7_decode(b)) << b;
}

TEST(ImapMutf7, Encode) {
  EXPECT_EQ(mutf7_encode("~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(mutf7_encode("&"), "&-");
  EXPECT_EQ(mutf7_encode("Entw\xC3\xBCrfe"), "Entw&APw-rfe");
  EXPECT_EQ(mutf7_encode("\xF0\x9F\x98\x80"), "&2D3eAA-");
  EXPECT_EQ(mutf7_encode("\xC3\xA9&"), "&AOk-&-");
  EXPECT_EQ(mutf7_encode("a\tb"), "a&AAk-b");
  EXPECT_FALSE(mutf7_encode("\xC3"));
  EXPECT_FALSE(mutf7_encode("\xED\xA0\x80"));  // an encoded surrogate is not UTF-8
  // Round trips.
  const char* names[] = {"INBOX", "Sent Items", "\xD0\x92\xD1\x85\xD0\xBE\xD0\xB4\xD1\x8F\xD1\x89\xD0\xB8\xD0\xB5",
                         "a&b", "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x93\xA7 mail", "~/x&y/\xC3\xA9\xC3\xA9"};
  for (const char* n : names) {
    auto e = mutf7_encode(n);
    ASSERT_TRUE(e) << n;
    EXPECT_EQ(mutf7_decode(*e), n);
  }
}

TEST(ImapMutf7, Utf8) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("\xC3\xA9\xE2\x98\xBA\xF0\x9F\x98\x80"));
  const char* bad[] = {"\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\x80",
                       "\xF0\x9F\x98"};
  for (const char* b : bad) EXPECT_FALSE(valid_utf8(b)) << b;
}

TEST(ImapMailboxName, WireForms) {
  EXPECT_EQ(decode_mailbox_name("inbox", false), "INBOX");
  EXPECT_EQ(decode_mailbox_name("InBoX", true), "INBOX");
  EXPECT_EQ(decode_mailbox_name("INBOX/Sub", false), "INBOX/Sub");
  EXPECT_EQ(decode_mailbox_name("&AOk-t&AOk-", false), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(decode_mailbox_name("&AOk-", true), "&AOk-");  // UTF8=ACCEPT: no mUTF-7
  EXPECT_EQ(decode_mailbox_name("\xC3\xA9", true), "\xC3\xA9");
  EXPECT_FALSE(decode_mailbox_name("\xC3\xA9", false));
  EXPECT_FALSE(decode_mailbox_name("\xC3", true));
  EXPECT_FALSE(decode_mailbox_name("a\x01", true));
  EXPECT_FALSE(decode_mailbox_name("a&AAE-", false));            // U+0001 encoded
  EXPECT_FALSE(decode_mailbox_name("a\xE2\x80\xA8", true));      // U+2028
  EXPECT_FALSE(decode_mailbox_name("a\xC2\x85", true));          // U+0085
  EXPECT_EQ(decode_mailbox_name("", false), "");
  EXPECT_EQ(encode_mailbox_name("\xC3\xA9t\xC3\xA9", false), "&AOk-t&AOk-");
  EXPECT_EQ(encode_mailbox_name("\xC3\xA9t\xC3\xA9", true), "\xC3\xA9t\xC3\xA9");
  EXPECT_TRUE(is_inbox("iNbOx"));
  EXPECT_FALSE(is_inbox("INBOX.x"));
  EXPECT_FALSE(is_inbox("INBO"));
}
