// The IMAP framer (imap/framer.h): commands, literals of every kind, streaming of APPEND data, limits and how
// the stream stays in sync after a refusal, IDLE and AUTHENTICATE lines; every input also split at every byte
// boundary and fed byte by byte.
#include <gtest/gtest.h>

#include "wire.h"

using namespace axon::imap;
using namespace std::string_literals;
using axon::imap::test::record;
using axon::imap::test::Recording;
using Frames = std::vector<std::string>;

namespace {

// Every split point and byte-by-byte feeding give the same frames as feeding the input whole.
void expect_split_invariant(std::string_view wire, const FramerLimits& limits = {}) {
  const Frames whole = record(wire, 0, limits).frames;
  EXPECT_EQ(record(wire, 1, limits).frames, whole) << wire;
  EXPECT_EQ(record(wire, 3, limits).frames, whole) << wire;
  for (std::size_t i = 0; i <= wire.size(); ++i)
    EXPECT_EQ(record(wire, 0, limits, i).frames, whole) << wire << " @" << i;
}

Frames frames(std::string_view wire, const FramerLimits& limits = {}) {
  expect_split_invariant(wire, limits);
  return record(wire, 0, limits).frames;
}

}  // namespace

TEST(ImapFramer, LinesAndPipelining) {
  EXPECT_EQ(frames("a NOOP\r\n"), (Frames{"C a NOOP"}));
  EXPECT_EQ(frames("a NOOP\r\nb CAPABILITY\r\nc LOGOUT\r\n"), (Frames{"C a NOOP", "C b CAPABILITY", "C c LOGOUT"}));
  EXPECT_EQ(frames("a NOOP\nb NOOP\r\n"), (Frames{"C a NOOP", "C b NOOP"}));  // bare LF tolerated
  EXPECT_EQ(frames("\r\n"), (Frames{"C "}));                                 // the parser answers * BAD
  EXPECT_EQ(frames("a NOOP"), (Frames{}));                                    // incomplete
}

TEST(ImapFramer, SynchronizingLiterals) {
  EXPECT_EQ(frames("a LOGIN {4}\r\nuser {6}\r\nsecret\r\n"), (Frames{"+4", "+6", "C a LOGIN {4}user {6}secret"}));
  Recording r = record("a LOGIN {4}\r\nuser {6}\r\nsecret\r\n");
  ASSERT_EQ(r.commands.size(), 1u);
  const auto& lits = r.commands[0].literals;
  ASSERT_EQ(lits.size(), 2u);
  EXPECT_EQ(r.commands[0].text.substr(lits[0].header, 3), "{4}");
  EXPECT_EQ(r.commands[0].text.substr(lits[0].offset, lits[0].size), "user");
  EXPECT_EQ(r.commands[0].text.substr(lits[1].offset, lits[1].size), "secret");
  EXPECT_FALSE(lits[0].non_sync);
  // Literal octets may hold CR, LF and anything else.
  EXPECT_EQ(frames("a LOGIN {4}\r\n\r\n\r\n x\r\n"), (Frames{"+4", "C a LOGIN {4}\r\n\r\n x"}));
  EXPECT_EQ(frames("a LOGIN {0}\r\n {0}\r\n\r\n"), (Frames{"+0", "+0", "C a LOGIN {0} {0}"}));
}

TEST(ImapFramer, NonSynchronizingLiterals) {
  EXPECT_EQ(frames("a LOGIN {4+}\r\nuser {6+}\r\nsecret\r\nb NOOP\r\n"),
            (Frames{"C a LOGIN {4+}user {6+}secret", "C b NOOP"}));
  Recording r = record("a LOGIN {4+}\r\nuser x\r\n");
  EXPECT_TRUE(r.commands.at(0).literals.at(0).non_sync);
}

TEST(ImapFramer, QuotedBraceIsNotALiteral) {
  // "{5}" inside an (unterminated) quoted string at the end of the line is text; the parser refuses the line.
  EXPECT_EQ(frames("a SELECT \"abc {5}\r\nb NOOP\r\n"), (Frames{"C a SELECT \"abc {5}", "C b NOOP"}));
  EXPECT_EQ(frames("a SELECT \"a\\\"b\" {1}\r\nx\r\n"), (Frames{"+1", "C a SELECT \"a\\\"b\" {1}x"}));
  EXPECT_EQ(frames("a LOGIN {}\r\n"), (Frames{"C a LOGIN {}"}));
  EXPECT_EQ(frames("a LOGIN {+}\r\n"), (Frames{"C a LOGIN {+}"}));
}

TEST(ImapFramer, AppendStreamsMessageLiterals) {
  EXPECT_EQ(frames("a APPEND INBOX (\\Seen) {5}\r\nhello\r\n"),
            (Frames{"+5", "B0:5", "Dhello", "E0", "C a APPEND INBOX (\\Seen) {5}"}));
  // The mailbox name may be a literal: it is kept, not streamed.
  EXPECT_EQ(frames("a APPEND {5}\r\nINBOX {3+}\r\nabc\r\n"),
            (Frames{"+5", "B0:3", "Dabc", "E0", "C a APPEND {5}INBOX {3+}"}));
  EXPECT_EQ(frames("a append {5+}\r\nINBOX {0+}\r\n\r\n"), (Frames{"B0:0", "E0", "C a append {5+}INBOX {0+}"}));
  // MULTIAPPEND: each message is streamed with its own index.
  EXPECT_EQ(frames("a APPEND Drafts {3+}\r\none (\\Draft) {3+}\r\ntwo\r\n"),
            (Frames{"B0:3", "Done", "E0", "B1:3", "Dtwo", "E1", "C a APPEND Drafts {3+} (\\Draft) {3+}"}));
  // CATENATE: TEXT literals stream, a URL literal stays in the command.
  EXPECT_EQ(frames("a APPEND Sent CATENATE (URL {9+}\r\n/INBOX/;1 TEXT {4+}\r\nbody)\r\n"),
            (Frames{"B0:4", "Dbody", "E0", "C a APPEND Sent CATENATE (URL {9+}/INBOX/;1 TEXT {4+})"}));
  // literal8 may carry NUL; the end frame says so.
  EXPECT_EQ(frames("a APPEND INBOX ~{3}\r\na\0b\r\n"s),
            (Frames{"+3", "B0:3", "Da\0b"s, "E0!", "C a APPEND INBOX ~{3}"}));
  Recording r = record("a APPEND INBOX {5+}\r\nhello\r\n");
  ASSERT_EQ(r.streamed.size(), 1u);
  EXPECT_EQ(r.streamed[0], (std::vector<std::string>{"hello"}));
  EXPECT_TRUE(r.commands[0].literals[0].streamed);
  // Not APPEND: literals are kept whatever their position.
  EXPECT_EQ(frames("a SEARCH TEXT {5+}\r\nhello\r\n"), (Frames{"C a SEARCH TEXT {5+}hello"}));
}

TEST(ImapFramer, BigAppendStaysBounded) {
  // 8 MiB of message data in 64 KiB reads: handed out as views, the command text stays a few octets.
  const std::size_t size = 8u << 20;
  Framer f;
  std::string head = "a APPEND INBOX {" + std::to_string(size) + "+}\r\n";
  std::string_view in = head;
  Frame fr = f.next(in);
  ASSERT_EQ(fr.kind, FrameKind::literal_begin);
  EXPECT_EQ(fr.literal.size, size);
  std::string chunk(64 * 1024, 'x');
  uint64_t got = 0;
  for (std::size_t sent = 0; sent < size; sent += chunk.size()) {
    std::string_view c = chunk;
    while (true) {
      fr = f.next(c);
      if (fr.kind == FrameKind::need_more || fr.kind == FrameKind::literal_end) break;
      ASSERT_EQ(fr.kind, FrameKind::literal_data);
      got += fr.data.size();
      EXPECT_LE(f.command().text.size(), head.size());
    }
  }
  EXPECT_EQ(got, size);
  EXPECT_EQ(fr.kind, FrameKind::literal_end);  // as soon as the last octet is in, without more input
  std::string tail = "\r\n";
  std::string_view t = tail;
  EXPECT_EQ(f.next(t).kind, FrameKind::command);
}

TEST(ImapFramer, StopsAtTheEndOfEachFrame) {
  // Octets after a command stay in the input: the session may switch to TLS or COMPRESS there.
  Framer f;
  std::string wire = "a STARTTLS\r\n\x16\x03\x01";
  std::string_view in = wire;
  EXPECT_EQ(f.next(in).kind, FrameKind::command);
  EXPECT_EQ(in, "\x16\x03\x01");
}

TEST(ImapFramer, RefuseLiteralAfterContinuation) {
  Framer f;
  std::string wire = "a APPEND Nonexistent {10}\r\n";
  std::string_view in = wire;
  Frame fr = f.next(in);
  ASSERT_EQ(fr.kind, FrameKind::continuation);
  EXPECT_TRUE(fr.literal.streamed);
  EXPECT_EQ(append_mailbox(f.command()), "Nonexistent");
  f.refuse_literal();  // the session answers "a NO [TRYCREATE]"; the client does not send the literal
  std::string next = "b NOOP\r\n";
  in = next;
  EXPECT_EQ(f.next(in).kind, FrameKind::command);
  EXPECT_EQ(f.command().text, "b NOOP");
}

TEST(ImapFramer, LineTooLong) {
  FramerLimits l;
  l.max_line = 16;
  EXPECT_EQ(frames("a NOOP 1234567890\r\nb NOOP\r\n", l), (Frames{"Rline_too_long a", "C b NOOP"}));
  EXPECT_EQ(frames("a NOOP 123456789\r\nb NOOP\r\n", l), (Frames{"C a NOOP 123456789", "C b NOOP"}));  // 16: fits
  EXPECT_EQ(frames("a NOOP 123456789\nb NOOP\r\n", l), (Frames{"C a NOOP 123456789", "C b NOOP"}));
  EXPECT_EQ(frames("a NOOP 1234567890\nb NOOP\r\n", l), (Frames{"Rline_too_long a", "C b NOOP"}));
  // Ending with a synchronizing literal: the client waits for "+", gets BAD, sends nothing more for it.
  EXPECT_EQ(frames("a LOGIN 1234567890123 {5}\r\nb NOOP\r\n", l), (Frames{"Rline_too_long a", "C b NOOP"}));
  // Ending with a non-synchronizing literal: its octets are on the way: fatal, and all else is ignored.
  EXPECT_EQ(frames("a LOGIN 1234567890123 {5+}\r\nhello\r\nb NOOP\r\n", l), (Frames{"Rline_too_long a!"}));
  // A later line of the command.
  EXPECT_EQ(frames("a LOGIN {3}\r\nabc 12345678901234567\r\nb NOOP\r\n", l),
            (Frames{"+3", "Rline_too_long a", "C b NOOP"}));
  // No tag to be read: "* BAD".
  EXPECT_EQ(frames("12345678901234567890\r\n", l), (Frames{"Rline_too_long "}));
  // The tag is read from the octets within the limit only, however the input is split (found by fuzzing: fed
  // whole, the space after a long tag was in the same chunk; byte by byte it was not).
  EXPECT_EQ(frames("abcdefghijklmnopq NOOP 1\r\n", l), (Frames{"Rline_too_long "}));
  EXPECT_EQ(frames("abcdefghijklmnop NOOP 12\r\n", l), (Frames{"Rline_too_long abcdefghijklmnop"}));
}

TEST(ImapFramer, CommandTooBig) {
  FramerLimits l;
  l.max_command = 32;
  EXPECT_EQ(frames("a LOGIN {30}\r\nb NOOP\r\n", l), (Frames{"Rcommand_too_big a", "C b NOOP"}));
  EXPECT_EQ(frames("a LOGIN {30+}\r\n123456789012345678901234567890 x\r\nb NOOP\r\n", l),
            (Frames{"Rcommand_too_big a!"}));
  EXPECT_EQ(frames("a LOGIN {10}\r\n0123456789 {10}\r\nb NOOP\r\n", l),
            (Frames{"+10", "Rcommand_too_big a", "C b NOOP"}));
  EXPECT_EQ(frames("a LOGIN {10}\r\n0123456789 xxxxxxxxxxxxxxxxxx\r\nb NOOP\r\n", l),
            (Frames{"+10", "Rcommand_too_big a", "C b NOOP"}));
  // APPEND message data does not count.
  EXPECT_EQ(frames("a APPEND INBOX {40+}\r\n0123456789012345678901234567890123456789\r\n", l)[0], "B0:40");
  // A huge announced size is refused, not overflowed.
  EXPECT_EQ(frames("a LOGIN {99999999999999999999999}\r\nb NOOP\r\n", l), (Frames{"Rcommand_too_big a", "C b NOOP"}));
}

TEST(ImapFramer, MessageTooBig) {
  FramerLimits l;
  l.max_message_literal = 10;
  EXPECT_EQ(frames("a APPEND INBOX {10+}\r\n0123456789\r\n", l),
            (Frames{"B0:10", "D0123456789", "E0", "C a APPEND INBOX {10+}"}));
  EXPECT_EQ(frames("a APPEND INBOX {11}\r\nb NOOP\r\n", l), (Frames{"Rmessage_too_big a", "C b NOOP"}));
  EXPECT_EQ(frames("a APPEND INBOX {11+}\r\n01234567890\r\nb NOOP\r\n", l), (Frames{"Rmessage_too_big a!"}));
  // The second message of a MULTIAPPEND: the first one's data is void (the session drops it on "R").
  EXPECT_EQ(frames("a APPEND INBOX {1+}\r\nx {11}\r\nb NOOP\r\n", l),
            (Frames{"B0:1", "Dx", "E0", "Rmessage_too_big a", "C b NOOP"}));
}

TEST(ImapFramer, TooManyLiterals) {
  FramerLimits l;
  l.max_literals = 2;
  EXPECT_EQ(frames("a LOGIN {1}\r\nx {1}\r\ny\r\n", l), (Frames{"+1", "+1", "C a LOGIN {1}x {1}y"}));
  EXPECT_EQ(frames("a X {1}\r\nx {1}\r\ny {1}\r\nb NOOP\r\n", l),
            (Frames{"+1", "+1", "Rtoo_many_literals a", "C b NOOP"}));
  EXPECT_EQ(frames("a X {1+}\r\nx {1+}\r\ny {1+}\r\nz\r\n", l), (Frames{"Rtoo_many_literals a!"}));
}

TEST(ImapFramer, LiteralMinus) {
  FramerLimits l;
  l.literal_plus = false;
  std::string ok = "a LOGIN {4096+}\r\n" + std::string(4096, 'x') + "\r\n";
  EXPECT_EQ(frames(ok, l).size(), 1u);
  std::string big = "a LOGIN {4097+}\r\n" + std::string(4097, 'x') + "\r\nb NOOP\r\n";
  EXPECT_EQ(record(big, 0, l).frames, (Frames{"Rliteral_minus a!"}));
  // Synchronizing literals are not limited by LITERAL-.
  EXPECT_EQ(record("a LOGIN {5000}\r\n", 0, l).frames, (Frames{"+5000"}));
  // The same non-synchronizing literal is fine with LITERAL+.
  EXPECT_EQ(record(big).frames.size(), 2u);
}

TEST(ImapFramer, SetLimitsAppliesToTheNextLiteral) {
  FramerLimits small;
  small.max_message_literal = 1;
  Framer f(small);
  std::string a = "a APPEND INBOX {5}\r\n";
  std::string_view in = a;
  EXPECT_EQ(f.next(in).kind, FrameKind::refused);
  FramerLimits big;
  f.set_limits(big);
  std::string b = "b APPEND INBOX {5}\r\n";
  in = b;
  EXPECT_EQ(f.next(in).kind, FrameKind::continuation);
}

TEST(ImapFramer, IdleAndAuthenticateLines) {
  EXPECT_EQ(frames("a IDLE\r\nDONE\r\nb NOOP\r\n"), (Frames{"C a IDLE", "I", "C b NOOP"}));
  EXPECT_EQ(frames("a IDLE\r\ndone\r\n"), (Frames{"C a IDLE", "I"}));
  EXPECT_EQ(frames("a IDLE\r\nb NOOP\r\nc NOOP\r\n"), (Frames{"C a IDLE", "ib NOOP", "C c NOOP"}));
  // In IDLE mode "{5}" is no literal.
  EXPECT_EQ(frames("a IDLE\r\nx {5}\r\n"), (Frames{"C a IDLE", "ix {5}"}));
  EXPECT_EQ(frames("a AUTHENTICATE PLAIN\r\nAGZvbwBiYXI=\r\nb NOOP\r\n"),
            (Frames{"C a AUTHENTICATE PLAIN", "AAGZvbwBiYXI=", "C b NOOP"}));
  EXPECT_EQ(frames("a AUTHENTICATE PLAIN\r\n*\r\n"), (Frames{"C a AUTHENTICATE PLAIN", "X"}));
  EXPECT_EQ(frames("a AUTHENTICATE PLAIN\r\n\r\n"), (Frames{"C a AUTHENTICATE PLAIN", "A"}));
  FramerLimits l;
  l.max_line = 24;
  EXPECT_EQ(frames("a AUTHENTICATE PLAIN\r\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA {5+}\r\nb NOOP\r\n", l),
            (Frames{"C a AUTHENTICATE PLAIN", "Rline_too_long ", "C b NOOP"}));
}

TEST(ImapFramer, ClosedAfterFatalRefusal) {
  FramerLimits l;
  l.max_message_literal = 1;
  Framer f(l);
  std::string wire = "a APPEND INBOX {2+}\r\nxx\r\nb NOOP\r\n";
  std::string_view in = wire;
  Frame fr = f.next(in);
  EXPECT_EQ(fr.kind, FrameKind::refused);
  EXPECT_TRUE(fr.fatal);
  EXPECT_EQ(fr.tag, "a");
  EXPECT_TRUE(f.closed());
  EXPECT_EQ(f.next(in).kind, FrameKind::need_more);
  EXPECT_TRUE(in.empty());
}

TEST(ImapFramer, SplitAtEveryByte) {
  const char* wires[] = {
      "a LOGIN {4}\r\nuser {6+}\r\nsecret\r\nb NOOP\r\n",
      "a APPEND INBOX (\\Seen) \" 5-Nov-2026 10:00:00 +0000\" {12}\r\nHello\r\nWorld\r\n",
      "a APPEND X {1+}\r\n1 {2+}\r\n22 CATENATE (URL \"/a\" TEXT {3+}\r\n333)\r\nb IDLE\r\nDONE\r\n",
      "x IDLE\r\nDONE\nc AUTHENTICATE X\r\n=\r\n",
  };
  for (const char* w : wires) expect_split_invariant(w);
  FramerLimits l;
  l.max_line = 12;
  l.max_command = 40;
  l.max_message_literal = 4;
  expect_split_invariant("a NOOP 12345678901234\r\nb APPEND I {5}\r\nc LOGIN {3}\r\nabc {30}\r\nd NOOP\r\n", l);
}
