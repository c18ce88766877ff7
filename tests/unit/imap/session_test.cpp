// IMAP session tests without sockets (session_harness.h): states, login, SELECT, FETCH, STORE, COPY/MOVE,
// EXPUNGE, APPEND (literals, LITERAL+, MULTIAPPEND), SEARCH/ESEARCH/SEARCHRES, LIST/STATUS, IDLE woken by a
// delivery, two sessions seeing each other's changes, CONDSTORE/QRESYNC, and bad input.
#include <gtest/gtest.h>

#include "imap/compress.h"
#include "session_harness.h"

using namespace axon;
using namespace axon::imap;
using namespace axon::imap::test;

namespace {

bool has(const std::string& out, const std::string& s) { return out.find(s) != std::string::npos; }

const std::string kMsg1 =
    "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: Hello\r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\nHi Bob.\r\n.dot line\r\n";
const std::string kMsg2 =
    "From: carol@example.net\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: multipart/mixed; "
    "boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n--b1\r\nContent-Type: "
    "application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--\r\n";

TEST(ImapSession, GreetingAndCapabilityBeforeLogin) {
  Harness h;
  EXPECT_TRUE(has(h.greeting, "* OK [CAPABILITY IMAP4rev1 IMAP4rev2"));
  auto out = h.send("a CAPABILITY\r\n");
  EXPECT_TRUE(has(out, "* CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN"));
  EXPECT_TRUE(has(out, "a OK"));
  out = h.send("b SELECT INBOX\r\n");
  EXPECT_TRUE(has(out, "b BAD")) << out;
}

TEST(ImapSession, PlaintextRefusedFromAfarWithoutTls) {
  Harness h(false, "192.0.2.7");
  EXPECT_TRUE(has(h.greeting, "LOGINDISABLED"));
  auto out = h.send("a LOGIN alice@example.org secret\r\n");
  EXPECT_TRUE(has(out, "a NO [PRIVACYREQUIRED]")) << out;
  EXPECT_EQ(h.auth->calls, 0);
  Harness t(true, "192.0.2.7");
  t.login();
}

TEST(ImapSession, ConnectionsPerUserAndAddressAreLimited) {
  Harness h;
  UserConnections users(1);
  h.cfg.user_connections = &users;
  h.login();
  auto second = h.make("127.0.0.1");
  second->start("");
  h.drain(second.get());
  auto out = h.send("l LOGIN alice@example.org secret\r\n", second.get());
  EXPECT_TRUE(has(out, "l NO [LIMIT]")) << out;
  auto elsewhere = h.make("127.0.0.2");  // another address has its own count
  elsewhere->start("");
  h.drain(elsewhere.get());
  h.login(elsewhere.get());
  h.session.reset();  // the first logs out: its slot is free again
  out = h.send("m LOGIN alice@example.org secret\r\n", second.get());
  EXPECT_TRUE(has(out, "m OK")) << out;
}

TEST(ImapSession, LoginFailsWithWrongPasswordAndAuthenticatePlainWorks) {
  Harness h;
  auto out = h.send("a LOGIN alice@example.org wrong\r\n");
  EXPECT_TRUE(has(out, "a NO [AUTHENTICATIONFAILED]")) << out;
  // AUTH=PLAIN with SASL-IR: "\0alice@example.org\0secret"
  out = h.send("b AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==\r\n");
  EXPECT_TRUE(has(out, "b OK [CAPABILITY")) << out;
  EXPECT_EQ(h.session->state(), Session::State::authenticated);
}

TEST(ImapSession, AuthenticatePlainWithContinuation) {
  Harness h;
  auto out = h.send("a AUTHENTICATE PLAIN\r\n");
  EXPECT_EQ(out, "+ \r\n");
  out = h.send("AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==\r\n");
  EXPECT_TRUE(has(out, "a OK")) << out;
}

TEST(ImapSession, SelectFetchStoreExpunge) {
  Harness h;
  h.deliver(kMsg1);
  h.deliver(kMsg2);
  h.login();
  auto out = h.send("s SELECT INBOX\r\n");
  EXPECT_TRUE(has(out, "* 2 EXISTS")) << out;
  EXPECT_TRUE(has(out, "* OK [UIDVALIDITY ")) << out;
  EXPECT_TRUE(has(out, "* OK [UIDNEXT 3]")) << out;
  EXPECT_TRUE(has(out, "s OK [READ-WRITE]")) << out;

  out = h.send("f FETCH 1:* (UID FLAGS RFC822.SIZE)\r\n");
  EXPECT_TRUE(has(out, "* 1 FETCH (UID 1 FLAGS () RFC822.SIZE " + std::to_string(kMsg1.size()) + ")")) << out;
  EXPECT_TRUE(has(out, "f OK")) << out;

  out = h.send("g FETCH 1 BODY[]\r\n");
  EXPECT_TRUE(has(out, "* 1 FETCH (BODY[] {" + std::to_string(kMsg1.size()) + "}\r\n" + kMsg1 + " FLAGS (\\Seen))"))
      << out;
  out = h.send("g2 FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)] BODY[TEXT]<0.3>)\r\n");
  EXPECT_TRUE(has(out, "BODY[HEADER.FIELDS (Subject)] {18}\r\nSubject: Hello\r\n\r\n")) << out;
  EXPECT_TRUE(has(out, "BODY[TEXT]<0> {3}\r\nHi ")) << out;

  out = h.send("e FETCH 1 (ENVELOPE)\r\n");
  EXPECT_TRUE(has(out, "ENVELOPE (\"Tue, 24 Nov 2026 10:00:00 +0000\" \"Hello\" ((\"Alice\" NIL \"alice\" "
                       "\"example.org\"))"))
      << out;
  out = h.send("b FETCH 2 (BODYSTRUCTURE BINARY.PEEK[2] BINARY.SIZE[2])\r\n");
  EXPECT_TRUE(has(out, "BODYSTRUCTURE ((\"text\" \"plain\"")) << out;
  EXPECT_TRUE(has(out, "BINARY[2] ~{4}\r\n" + std::string("\0\1\2\3", 4))) << out;
  EXPECT_TRUE(has(out, "BINARY.SIZE[2] 4")) << out;

  out = h.send("t STORE 2 +FLAGS (\\Deleted $Work)\r\n");
  EXPECT_TRUE(has(out, "* 2 FETCH (FLAGS (\\Deleted $Work))")) << out;
  out = h.send("x EXPUNGE\r\n");
  EXPECT_TRUE(has(out, "* 2 EXPUNGE\r\nx OK")) << out;
  out = h.send("n NOOP\r\n");
  EXPECT_EQ(out, "n OK NOOP completed.\r\n");
}

TEST(ImapSession, AppendWithSynchronizingAndNonSynchronizingLiterals) {
  Harness h;
  h.login();
  std::string m = "Subject: appended\r\n\r\nbody\r\n";
  auto out = h.send("a APPEND INBOX (\\Seen) {" + std::to_string(m.size()) + "}\r\n");
  EXPECT_EQ(out, "+ OK\r\n");
  out = h.send(m + "\r\n");
  EXPECT_TRUE(has(out, "a OK [APPENDUID ")) << out;
  EXPECT_TRUE(has(out, " 1] Append completed.")) << out;
  // MULTIAPPEND with LITERAL+.
  out = h.send("b APPEND INBOX {" + std::to_string(m.size()) + "+}\r\n" + m + " {" + std::to_string(m.size()) +
               "+}\r\n" + m + "\r\n");
  EXPECT_TRUE(has(out, " 2:3] Append completed.")) << out;
  out = h.send("c APPEND Nope {3}\r\n");
  EXPECT_TRUE(has(out, "c NO [TRYCREATE]")) << out;
  out = h.send("d STATUS INBOX (MESSAGES UNSEEN UIDNEXT SIZE)\r\n");
  EXPECT_TRUE(has(out, "* STATUS INBOX (MESSAGES 3 UNSEEN 2 UIDNEXT 4 SIZE " + std::to_string(3 * m.size()) + ")"))
      << out;
}

TEST(ImapSession, CopyMoveAndUidPlus) {
  Harness h;
  h.deliver(kMsg1);
  h.deliver(kMsg2);
  h.login();
  h.send("s SELECT INBOX\r\n");
  auto out = h.send("c COPY 1:2 Archive\r\n");
  EXPECT_TRUE(has(out, "c OK [COPYUID ")) << out;
  EXPECT_TRUE(has(out, " 1:2 1:2] Copy completed.")) << out;
  out = h.send("m UID MOVE 1 Trash\r\n");
  EXPECT_TRUE(has(out, "* OK [COPYUID ")) << out;
  EXPECT_TRUE(has(out, "* 1 EXPUNGE\r\n")) << out;
  EXPECT_TRUE(has(out, "m OK Move completed.")) << out;
  out = h.send("x COPY 1 Nope\r\n");
  EXPECT_TRUE(has(out, "x NO [TRYCREATE]")) << out;
}

TEST(ImapSession, SearchAndEsearchAndSearchres) {
  Harness h;
  h.deliver(kMsg1);
  h.deliver(kMsg2);
  h.login();
  h.send("s SELECT INBOX\r\n");
  auto out = h.send("a SEARCH SUBJECT hello\r\n");
  EXPECT_TRUE(has(out, "* SEARCH 1\r\n")) << out;
  out = h.send("b SEARCH CHARSET UTF-8 SUBJECT {7+}\r\ngrüße\r\n");
  EXPECT_TRUE(has(out, "* SEARCH 2\r\n")) << out;
  out = h.send("c UID SEARCH OR FROM carol BODY \"bob.\"\r\n");
  EXPECT_TRUE(has(out, "* SEARCH 1 2\r\n")) << out;
  out = h.send("d SEARCH RETURN (MIN COUNT SAVE) ALL\r\n");
  EXPECT_TRUE(has(out, "* ESEARCH (TAG \"d\") MIN 1 COUNT 2\r\n")) << out;
  out = h.send("e FETCH $ (UID)\r\n");
  EXPECT_TRUE(has(out, "* 2 FETCH (UID 2)")) << out;
  out = h.send("f SEARCH CHARSET KOI8-R ALL\r\n");
  EXPECT_TRUE(has(out, "f NO [BADCHARSET")) << out;
  out = h.send("g SEARCH SENTON 24-Nov-2026 NOT DELETED\r\n");
  EXPECT_TRUE(has(out, "* SEARCH 1\r\n")) << out;
}

TEST(ImapSession, SortAndThread) {
  Harness h;
  auto mail = [](const std::string& id, const std::string& subject, const std::string& date, const std::string& from,
                 const std::string& refs = "") {
    return "Message-ID: <" + id + "@x>\r\nSubject: " + subject + "\r\nDate: " + date + "\r\nFrom: " + from +
           "\r\n" + (refs.empty() ? "" : "References: " + refs + "\r\n") + "\r\nbody\r\n";
  };
  h.deliver(mail("a", "Plans", "Mon, 23 Nov 2026 10:00:00 +0000", "zed@example.org"));
  h.deliver(mail("b", "Re: Plans", "Mon, 23 Nov 2026 11:00:00 +0000", "amy@example.org", "<a@x>"));
  h.deliver(mail("c", "Lunch", "Sun, 22 Nov 2026 09:00:00 +0000", "bob@example.org"));
  h.deliver(mail("d", "Re: Plans", "Mon, 23 Nov 2026 12:00:00 +0000", "cat@example.org", "<a@x> <b@x>"));
  h.deliver(mail("e", "Fwd: Plans", "Tue, 24 Nov 2026 12:00:00 +0000", "dan@example.org", "<a@x>"));
  h.login();
  h.send("s SELECT INBOX\r\n");
  auto out = h.send("a SORT (DATE) UTF-8 ALL\r\n");
  EXPECT_TRUE(has(out, "* SORT 3 1 2 4 5\r\n")) << out;
  out = h.send("b SORT (REVERSE FROM) UTF-8 ALL\r\n");
  EXPECT_TRUE(has(out, "* SORT 1 5 4 3 2\r\n")) << out;
  out = h.send("c UID SORT (SUBJECT ARRIVAL) UTF-8 NOT SUBJECT lunch\r\n");
  EXPECT_TRUE(has(out, "* SORT 1 2 4 5\r\n")) << out;
  // ORDEREDSUBJECT: by base subject, then date; the first of each is the parent of the rest.
  out = h.send("d THREAD ORDEREDSUBJECT UTF-8 ALL\r\n");
  EXPECT_TRUE(has(out, "* THREAD (3)(1 (2)(4)(5))\r\n")) << out;
  // REFERENCES: 2 and 5 answer 1, 4 answers 2.
  out = h.send("e THREAD REFERENCES UTF-8 ALL\r\n");
  EXPECT_TRUE(has(out, "* THREAD (3)(1 (2 4)(5))\r\n")) << out;
  out = h.send("f THREAD FOO UTF-8 ALL\r\n");
  EXPECT_TRUE(has(out, "f BAD")) << out;
}

TEST(ImapSession, CompressDeflateBothWays) {
  Harness h;
  h.login();
  Deflate client;  // the same codec plays the client's side
  // The OK goes out uncompressed; a NOOP pipelined right after COMPRESS is already compressed.
  std::string pipelined = client.compress("n NOOP\r\n");
  auto out = h.send("c COMPRESS DEFLATE\r\n" + pipelined);
  ASSERT_EQ(out.rfind("c OK DEFLATE active\r\n", 0), 0u) << out;
  std::string rest = out.substr(std::string("c OK DEFLATE active\r\n").size());
  client.feed(rest);
  std::string plain;
  ASSERT_TRUE(client.inflate_some(plain, 65536));
  EXPECT_EQ(plain, "n OK NOOP completed.\r\n");
  out = h.send(client.compress("s SELECT INBOX\r\nz COMPRESS DEFLATE\r\n"));
  client.feed(out);
  plain.clear();
  ASSERT_TRUE(client.inflate_some(plain, 65536));
  EXPECT_TRUE(has(plain, "s OK [READ-WRITE]")) << plain;
  EXPECT_TRUE(has(plain, "z NO [COMPRESSIONACTIVE]")) << plain;
  // Garbage instead of deflate data ends the session.
  out = h.send(std::string("\xff\xff\xff\xff garbage", 12));
  EXPECT_EQ(h.last_step, net::Step::close);
}

TEST(ImapSession, NoAppendDataBeforeLogin) {
  Harness h;
  auto out = h.send("a APPEND INBOX {10}\r\n");
  EXPECT_FALSE(has(out, "+ OK")) << out;
  EXPECT_TRUE(has(out, "a NO [TOOBIG]") || has(out, "a BAD")) << out;
  // A non-synchronizing literal is on its way already: refused, and the connection closed.
  out = h.send("b APPEND INBOX {100000+}\r\n" + std::string(1000, 'x'));
  EXPECT_EQ(h.last_step, net::Step::close) << out;
}

TEST(ImapSession, AStaleAppendNeverLeaksIntoTheNext) {
  Harness h;
  h.login();
  auto out = h.send("a1 APPEND INBOX \"bad-date\" {5+}\r\nhello\r\n");
  EXPECT_TRUE(has(out, "a1 BAD")) << out;
  out = h.send("a2 APPEND INBOX {5+}\r\nworld\r\n");
  EXPECT_TRUE(has(out, "a2 OK")) << out;
  h.send("s SELECT INBOX\r\n");
  out = h.send("f FETCH 1:* BODY.PEEK[]\r\n");
  EXPECT_TRUE(has(out, "* 1 FETCH (BODY[] {5}\r\nworld)")) << out;
  EXPECT_FALSE(has(out, "hello")) << out;
  EXPECT_FALSE(has(out, "* 2 FETCH")) << out;
}

TEST(ImapSession, AFailedMultiappendStoresNothing) {
  Harness h;
  h.login();
  std::string m = "Subject: x\r\n\r\ny\r\n";
  std::string lit = "{" + std::to_string(m.size()) + "+}\r\n" + m;
  auto out = h.send("a APPEND INBOX " + lit + " (\\Bogus) " + lit + "\r\n");
  EXPECT_TRUE(has(out, "a BAD")) << out;
  ASSERT_TRUE(h.store->sync());
  out = h.send("s STATUS INBOX (MESSAGES)\r\n");
  EXPECT_TRUE(has(out, "(MESSAGES 0)")) << out;
}

TEST(ImapSession, ThreadOfAHostileReferenceChainIsBounded) {
  Harness h;
  std::string prev;
  for (int i = 0; i < 600; ++i) {
    std::string id = "<m" + std::to_string(i) + "@x>";
    h.deliver("Message-ID: " + id + "\r\n" + (prev.empty() ? "" : "References: " + prev + "\r\n") +
              "Subject: chain\r\n\r\nx\r\n");
    prev = id;
  }
  h.login();
  h.send("s SELECT INBOX\r\n");
  auto out = h.send("t THREAD REFERENCES UTF-8 ALL\r\n");
  EXPECT_TRUE(has(out, "t OK Thread completed.")) << out.substr(0, 200);
  // Cut at 257 messages (256 levels below the first): the rest starts again, gathered with it by subject.
  EXPECT_TRUE(has(out, "* THREAD ((1 2 3 ")) << out.substr(0, 200);
  EXPECT_TRUE(has(out, " 257)(258 259 ")) << out;
}

TEST(ImapSession, ListLsubStatusNamespace) {
  Harness h;
  h.login();
  auto out = h.send("a LIST \"\" *\r\n");
  EXPECT_TRUE(has(out, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n")) << out;
  EXPECT_TRUE(has(out, "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n")) << out;
  out = h.send("b CREATE Projects/Axon\r\n");
  EXPECT_TRUE(has(out, "b OK")) << out;
  out = h.send("c LIST \"\" %\r\n");
  EXPECT_TRUE(has(out, "* LIST (\\HasChildren) \"/\" Projects\r\n")) << out;
  EXPECT_FALSE(has(out, "Projects/Axon")) << out;
  out = h.send("d LIST \"\" \"\"\r\n");
  EXPECT_TRUE(has(out, "* LIST (\\Noselect) \"/\" \"\"")) << out;
  out = h.send("e NAMESPACE\r\n");
  EXPECT_TRUE(has(out, "* NAMESPACE ((\"\" \"/\")) NIL NIL")) << out;
  out = h.send("f CREATE \"Entw&APw-rfe\"\r\n");  // mUTF-7 for "Entwürfe"
  EXPECT_TRUE(has(out, "f OK")) << out;
  EXPECT_TRUE(h.store->mailbox(*h.store->account_id("alice@example.org"), "Entwürfe").ok());
  out = h.send("g RENAME Projects Work\r\n");
  EXPECT_TRUE(has(out, "g OK")) << out;
  out = h.send("h LIST \"\" Work/*\r\n");
  EXPECT_TRUE(has(out, "\"/\" Work/Axon")) << out;
  out = h.send("i DELETE Work\r\n");
  EXPECT_TRUE(has(out, "i NO [INUSE]")) << out;
  out = h.send("j DELETE INBOX\r\n");
  EXPECT_TRUE(has(out, "j NO")) << out;
  out = h.send("k LIST (SUBSCRIBED) \"\" * RETURN (STATUS (MESSAGES))\r\n");
  EXPECT_TRUE(has(out, "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n* STATUS INBOX (MESSAGES 0)")) << out;
}

TEST(ImapSession, IdleHearsADeliveryAndTwoSessionsSeeEachOther) {
  Harness h;
  h.deliver(kMsg1);
  h.login();
  h.send("s SELECT INBOX\r\n");
  auto other = h.make("127.0.0.1");
  other->start("");
  h.drain(other.get());
  h.login(other.get());
  h.send("s SELECT INBOX\r\n", other.get());

  auto out = h.send("i IDLE\r\n");
  EXPECT_EQ(out, "+ idling\r\n");
  h.deliver(kMsg2);  // the store's sync publishes it and wakes both sessions
  out = h.drain();
  EXPECT_EQ(out, "* 2 EXISTS\r\n");
  out = h.send("DONE\r\n");
  EXPECT_EQ(out, "i OK Idle completed.\r\n");

  // The other session flags and expunges; this one hears it at its next command.
  h.send("t STORE 1 +FLAGS (\\Deleted)\r\n", other.get());
  h.send("x EXPUNGE\r\n", other.get());
  out = h.send("n NOOP\r\n");
  EXPECT_TRUE(has(out, "* 1 EXPUNGE\r\n")) << out;
  EXPECT_TRUE(has(out, "* 2 EXISTS\r\n") || has(out, "n OK")) << out;
  // No EXPUNGE during FETCH (RFC 9051 §7.5.1): held until a command that allows it.
  h.send("t STORE 1 +FLAGS (\\Deleted)\r\n", other.get());
  h.send("x EXPUNGE\r\n", other.get());
  out = h.send("f FETCH 1 FLAGS\r\n");
  EXPECT_FALSE(has(out, "EXPUNGE")) << out;
  out = h.send("n NOOP\r\n");
  EXPECT_TRUE(has(out, "* 1 EXPUNGE")) << out;
}

TEST(ImapSession, CondstoreAndQresync) {
  Harness h;
  h.deliver(kMsg1);
  h.deliver(kMsg2);
  h.login();
  auto out = h.send("e ENABLE QRESYNC\r\n");
  EXPECT_TRUE(has(out, "* ENABLED QRESYNC")) << out;
  out = h.send("s SELECT INBOX\r\n");
  EXPECT_TRUE(has(out, "* OK [HIGHESTMODSEQ ")) << out;
  auto mb = *h.store->mailbox(*h.store->account_id("alice@example.org"), "INBOX");
  uint64_t modseq = mb.highest_modseq;
  out = h.send("t STORE 1 (UNCHANGEDSINCE " + std::to_string(modseq) + ") +FLAGS (\\Flagged)\r\n");
  EXPECT_TRUE(has(out, "* 1 FETCH (UID 1 FLAGS (\\Flagged) MODSEQ (")) << out;
  out = h.send("u STORE 1 (UNCHANGEDSINCE " + std::to_string(modseq) + ") +FLAGS (\\Seen)\r\n");
  EXPECT_TRUE(has(out, "u OK [MODIFIED 1]")) << out;
  out = h.send("x UID STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  out = h.send("y EXPUNGE\r\n");
  EXPECT_TRUE(has(out, "* VANISHED 2\r\n")) << out;
  out = h.send("z UNSELECT\r\n");
  out = h.send("q SELECT INBOX (QRESYNC (" + std::to_string(mb.uidvalidity) + " " + std::to_string(modseq) + "))\r\n");
  EXPECT_TRUE(has(out, "* VANISHED (EARLIER) 2\r\n")) << out;
  EXPECT_TRUE(has(out, "* 1 FETCH (UID 1 FLAGS (\\Flagged) MODSEQ (")) << out;
  out = h.send("f UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + std::to_string(modseq) + " VANISHED)\r\n");
  EXPECT_TRUE(has(out, "* VANISHED (EARLIER) 2\r\n")) << out;
  EXPECT_TRUE(has(out, "MODSEQ (")) << out;
}

TEST(ImapSession, BadInputGetsBadNeverACrash) {
  Harness h;
  h.login();
  h.send("s SELECT INBOX\r\n");
  for (const char* line : {"a FETCH 1:* (FLAGS\r\n", "b FROB\r\n", "c FETCH 0 FLAGS\r\n", "d STORE 99 +FLAGS (x)\r\n",
                           "e SEARCH (((((\r\n", "f FETCH 1 BODY[1.2.3.4.5.6.7.8.9.10.11.12]\r\n", "\r\n",
                           "g LIST\r\n", "h UID FETCH 1:* FLAGS\r\n"}) {
    auto out = h.send(line);
    EXPECT_FALSE(out.empty()) << line;
  }
  auto out = h.send("z LOGOUT\r\n");
  EXPECT_TRUE(has(out, "* BYE")) << out;
  EXPECT_EQ(h.last_step, net::Step::close);
}

TEST(ImapSession, BigFetchIsStreamedInPieces) {
  Harness h;
  std::string big = "Subject: big\r\n\r\n";
  while (big.size() < 3u << 20) big += std::string(998, 'x') + "\r\n";
  h.deliver(big);
  h.login();
  h.send("s SELECT INBOX\r\n");
  h.session->receive("f FETCH 1 BODY.PEEK[]\r\n");
  std::size_t largest = 0, total = 0;
  for (int i = 0; i < 1000; ++i) {
    auto o = h.session->take_output();
    largest = std::max(largest, o.size());
    total += o.size();
    if (h.session->next_step() != net::Step::write_more) break;
  }
  EXPECT_GT(total, big.size());
  EXPECT_LE(largest, 600u * 1024);
  auto out = h.send("p UID FETCH 1 BODY.PEEK[]<1048576.1048576>\r\n");
  EXPECT_TRUE(has(out, "BODY[]<1048576> {1048576}\r\n")) << out.substr(0, 200);
}

}  // namespace
