// pop3::Session scenarios that a single transcript cannot show: UIDL across sessions and a store reopen, a big
// message streamed in bounded pieces, pipelined listings kept bounded, logins answered on another thread or
// after the session is gone, mail that arrives or vanishes during a session, a message file cut short.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "harness.h"

using namespace axon;
using namespace axon::pop3;
using namespace axon::pop3::test;
namespace fs = std::filesystem;

namespace {

SessionConfig config() {
  SessionConfig c;
  c.hostname = "pop.example.org";
  c.tls_available = true;
  return c;
}

// "n uid" lines of a UIDL listing.
std::vector<std::string> uidl_lines(Driver& d) {
  std::string out = d.send("UIDL\r\n");
  std::vector<std::string> lines;
  std::size_t pos = 0, eol;
  while ((eol = out.find("\r\n", pos)) != std::string::npos) {
    lines.push_back(out.substr(pos, eol - pos));
    pos = eol + 2;
  }
  EXPECT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.front(), "+OK");
  EXPECT_EQ(lines.back(), ".");
  return {lines.begin() + 1, lines.end() - 1};
}

std::string stuffed(std::string_view m) {  // what RETR sends for a CRLF message that ends in CRLF
  std::string out;
  bool start = true;
  for (char c : m) {
    if (start && c == '.') out.push_back('.');
    out.push_back(c);
    start = c == '\n';
  }
  return out + ".\r\n";
}

}  // namespace

TEST(Pop3Session, UidlIsStableAcrossSessionsAndAStoreReopen) {
  Fixture f;
  f.deliver("Subject: a\r\n\r\na\r\n");
  f.deliver("Subject: b\r\n\r\nb\r\n");
  f.deliver("Subject: c\r\n\r\nc\r\n");
  std::vector<std::string> first;
  {
    Driver d(f, config());
    login(d);
    first = uidl_lines(d);
    ASSERT_EQ(first.size(), 3u);
    std::regex form("[1-3] [0-9A-F]{16}");
    for (const auto& l : first) EXPECT_TRUE(std::regex_match(l, form)) << l;
    EXPECT_EQ(d.send("DELE 1\r\nQUIT\r\n"), "+OK Marked to be deleted.\r\n+OK Logging out, messages deleted.\r\n");
  }
  {
    Driver d(f, config());
    login(d);
    auto second = uidl_lines(d);  // b and c are now messages 1 and 2, with the same unique-ids
    ASSERT_EQ(second.size(), 2u);
    EXPECT_EQ(second[0].substr(2), first[1].substr(2));
    EXPECT_EQ(second[1].substr(2), first[2].substr(2));
  }
  f.reopen();  // a restart
  f.deliver("Subject: d\r\n\r\nd\r\n");
  {
    Driver d(f, config());
    login(d);
    auto third = uidl_lines(d);
    ASSERT_EQ(third.size(), 3u);
    EXPECT_EQ(third[0].substr(2), first[1].substr(2));
    EXPECT_EQ(third[1].substr(2), first[2].substr(2));
    for (const auto& old : first) EXPECT_NE(third[2].substr(2), old.substr(2));  // a new id for a new message
  }
}

TEST(Pop3Session, UniqueIdIsDovecotsDefaultForm) {
  EXPECT_EQ(unique_id(1, 1700000000), "000000016553F100");
  EXPECT_EQ(unique_id(0xABCDEF12, 0x1), "ABCDEF1200000001");
}

TEST(Pop3Session, ABigMessageStreamsInBoundedPieces) {
  Fixture f;
  std::string big = "Subject: big\r\n\r\n";
  for (int i = 0; big.size() < (5u << 20); ++i)
    big += (i % 7 == 0 ? ".dot line " : "line ") + std::to_string(i) + " " + std::string(60, 'x') + "\r\n";
  uint32_t uid = f.deliver(big);
  ASSERT_EQ(f.read(uid), big);
  auto cfg = config();
  cfg.output_chunk = 64 * 1024;
  Driver d(f, cfg);
  login(d);
  d.largest_output = 0;
  std::string out = d.send("RETR 1\r\nNOOP\r\n");
  std::string head = "+OK " + std::to_string(big.size()) + " octets\r\n";
  ASSERT_EQ(out.substr(0, head.size()), head);
  EXPECT_TRUE(out.substr(head.size()) == stuffed(big) + "+OK\r\n") << "RETR content differs";
  EXPECT_LE(d.largest_output, 2 * cfg.output_chunk + 8);  // never the whole message at once
  EXPECT_GE(d.write_steps, big.size() / cfg.output_chunk);
}

TEST(Pop3Session, PipelinedListingsStayBounded) {
  Fixture f;
  for (int i = 0; i < 300; ++i) f.deliver("Subject: " + std::to_string(i) + "\r\n\r\nx\r\n");
  auto cfg = config();
  cfg.output_chunk = 4096;
  Driver d(f, cfg);
  login(d);
  std::string burst;
  for (int i = 0; i < 1000; ++i) burst += "LIST\r\n";  // 6000 octets of input, about 3 MB of answers
  d.largest_output = 0;
  std::string out = d.send(burst);
  EXPECT_LE(d.largest_output, 2 * cfg.output_chunk);
  std::size_t ends = 0;
  for (std::size_t p = 0; (p = out.find("\r\n.\r\n", p)) != std::string::npos; ++p) ++ends;
  EXPECT_EQ(ends, 1000u);
}

TEST(Pop3Session, LoginAnsweredOnAnotherThread) {
  Fixture f;
  f.deliver("Subject: t\r\n\r\nbody\r\n");
  f.auth.hold = true;
  Driver d(f, config());
  EXPECT_EQ(d.send("USER alice@example.org\r\nPASS secret\r\nSTAT\r\n"), "+OK\r\n");
  EXPECT_EQ(d.step, net::Step::wait);
  std::thread t([&] { f.auth.release(); });  // the Authenticator's worker
  std::string out = d.wait_and_pump();
  t.join();
  EXPECT_EQ(out, "+OK Logged in.\r\n+OK 1 20\r\n");
}

TEST(Pop3Session, ALoginAnswerAfterTheSessionIsGoneIsDropped) {
  Fixture f;
  f.auth.hold = true;
  {
    Driver d(f, config());
    d.send("USER alice@example.org\r\nPASS secret\r\n");
    EXPECT_EQ(d.step, net::Step::wait);
  }
  f.auth.release();  // calls the Wake of a session that no longer exists: nothing happens
  SUCCEED();
}

TEST(Pop3Session, TheSnapshotIsFixedAtLogin) {
  Fixture f;
  f.deliver("Subject: 1\r\n\r\none\r\n");
  Driver d(f, config());
  login(d);
  f.deliver("Subject: 2\r\n\r\ntwo\r\n");  // arrives during the session
  EXPECT_EQ(d.send("STAT\r\n"), "+OK 1 19\r\n");
  EXPECT_EQ(d.send("RETR 2\r\n"), "-ERR There's no message 2.\r\n");
  EXPECT_EQ(d.send("QUIT\r\n"), "+OK Logging out.\r\n");
  Driver d2(f, config());
  login(d2);
  EXPECT_EQ(d2.send("STAT\r\n"), "+OK 2 38\r\n");
}

TEST(Pop3Session, AMessageExpungedElsewhereIsReportedAndTheRestGoesOn) {
  Fixture f;
  uint32_t a = f.deliver("Subject: 1\r\n\r\none\r\n");
  f.deliver("Subject: 2\r\n\r\ntwo\r\n");
  Driver d(f, config());
  login(d);
  // Another client (IMAP) expunges message 1.
  auto mb = f.raw->mailbox(*f.raw->account_id("alice@example.org"), "INBOX");
  std::vector<uint32_t> uids{a};
  ASSERT_TRUE(f.raw->set_flags(mb->id, uids, store::FlagChange{store::FlagOp::add, store::deleted, {}, {}}));
  ASSERT_TRUE(f.raw->expunge(mb->id, std::nullopt));
  ASSERT_TRUE(f.raw->sync());
  EXPECT_EQ(d.send("RETR 1\r\n"), "-ERR Message has been removed by another session.\r\n");
  EXPECT_EQ(d.send("DELE 1\r\nDELE 2\r\nQUIT\r\n"),
            "+OK Marked to be deleted.\r\n+OK Marked to be deleted.\r\n+OK Logging out, messages deleted.\r\n");
  EXPECT_TRUE(f.inbox().empty());
}

TEST(Pop3Session, QuitExpungesOnlyTheMarkedMessages) {
  Fixture f;
  for (int i = 1; i <= 4; ++i) f.deliver("Subject: " + std::to_string(i) + "\r\n\r\nx\r\n");
  // An IMAP client flagged message 3 \Deleted without expunging: POP3's QUIT must not expunge it.
  auto mb = f.raw->mailbox(*f.raw->account_id("alice@example.org"), "INBOX");
  std::vector<uint32_t> three{3};
  ASSERT_TRUE(f.raw->set_flags(mb->id, three, store::FlagChange{store::FlagOp::add, store::deleted, {}, {}}));
  ASSERT_TRUE(f.raw->sync());
  Driver d(f, config());
  login(d);
  d.send("DELE 2\r\nDELE 4\r\n");
  EXPECT_EQ(d.send("QUIT\r\n"), "+OK Logging out, messages deleted.\r\n");
  std::vector<uint32_t> left;
  for (const auto& m : f.inbox()) left.push_back(m.uid);
  EXPECT_EQ(left, (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(f.sync.requests, 1u);
}

TEST(Pop3Session, SeenIsSetAtQuitNotAtRetr) {
  Fixture f;
  f.deliver("Subject: 1\r\n\r\none\r\n");
  f.deliver("Subject: 2\r\n\r\ntwo\r\n");
  Driver d(f, config());
  login(d);
  d.send("RETR 1\r\nRETR 2\r\n");
  for (const auto& m : f.inbox()) EXPECT_EQ(m.flags & store::seen, 0u);  // nothing written yet
  EXPECT_EQ(d.send("QUIT\r\n"), "+OK Logging out.\r\n");
  for (const auto& m : f.inbox()) EXPECT_EQ(m.flags, store::seen);
  EXPECT_EQ(f.sync.requests, 1u);
}

TEST(Pop3Session, AMessageFileCutShortEndsTheConnectionWithoutTheTerminator) {
  Fixture f;
  std::string m = "Subject: cut\r\n\r\n" + std::string(100000, 'x') + "\r\n";
  f.deliver(m);
  for (const auto& e : fs::recursive_directory_iterator(f.dir.path() / "mail"))
    if (e.is_regular_file()) fs::resize_file(e.path(), 5000);
  auto cfg = config();
  cfg.output_chunk = 4096;
  Driver d(f, cfg);
  login(d);
  std::string out = d.send("RETR 1\r\n");
  EXPECT_EQ(d.step, net::Step::close);
  EXPECT_EQ(out.rfind("+OK ", 0), 0u);
  EXPECT_EQ(out.find("\r\n.\r\n"), std::string::npos);  // the client never sees a complete message
  EXPECT_EQ(f.inbox().size(), 1u);
}

TEST(Pop3Session, StlsDropsWhatWasPipelinedBehindIt) {
  Fixture f;
  Driver d(f, config(), remote_peer());
  EXPECT_EQ(d.send("STLS\r\nUSER alice@example.org\r\nPASS secret\r\n"), "+OK Begin TLS negotiation now.\r\n");
  EXPECT_EQ(d.step, net::Step::start_tls);
  d.session().receive("STAT\r\n");  // bytes the driver would never read before the handshake: dropped
  d.session().tls_ready(kTlsDescription);
  EXPECT_EQ(d.pump(), "");
  EXPECT_TRUE(f.auth.usernames.empty());
  EXPECT_EQ(d.send("PASS secret\r\n"), "-ERR No username given.\r\n");
}

TEST(Pop3Session, TlsFailureCloses) {
  Fixture f;
  Driver d(f, config(), remote_peer());
  d.send("STLS\r\n");
  d.session().tls_failed();
  EXPECT_EQ(d.pump(), "");
  EXPECT_EQ(d.step, net::Step::close);
}

TEST(Pop3Session, TheLoopbackPeerAndThisHostsAddressMaySendPasswords) {
  Fixture f;
  for (net::Peer p : {loopback_peer(), net::Peer{"::1", 1, "::1", 110, 3},
                      net::Peer{"198.51.100.25", 1, "198.51.100.25", 110, 4}}) {
    Driver d(f, config(), p);
    login(d);
  }
  Driver remote(f, config(), remote_peer());
  EXPECT_EQ(remote.send("USER alice@example.org\r\n").rfind("-ERR [AUTH] Plaintext", 0), 0u);
}

TEST(Pop3Session, TooMuchHeldInputCloses) {
  Fixture f;
  f.auth.hold = true;
  Driver d(f, config());
  d.send("USER alice@example.org\r\nPASS secret\r\n");
  ASSERT_EQ(d.step, net::Step::wait);
  std::string junk(64 * 1024, 'x');
  junk += "\r\n";
  std::string out;
  for (int i = 0; i < 20 && d.step != net::Step::close; ++i) out += d.send(junk);  // a caller ignoring Step::wait
  EXPECT_EQ(d.step, net::Step::close);
  EXPECT_NE(out.find("-ERR Too much pipelined input."), std::string::npos);
}
