// mime::Parser: offsets, line counts and structure on small awkward messages; the same Summary for every way of
// cutting the input (STYLE.md: parsers twice); the limits; garbage never breaks it.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "mime/header_fields.h"
#include "mime/serialize.h"
#include "util.h"

namespace fs = std::filesystem;
using namespace std::string_literals;
using namespace axon::mime;
using namespace axon::mime::test;

namespace {

// What the parser promises for any input (deserialize() checks the same).
void check_part(const Part& p, uint64_t from, uint64_t limit) {
  ASSERT_LE(from, p.header_start);
  ASSERT_LE(p.header_start, p.body_start);
  ASSERT_LE(p.body_start, p.body_end);
  ASSERT_LE(p.body_end, limit);
  ASSERT_LE(p.body_lines, p.body_size());
  if (p.kind == PartKind::leaf) {
    ASSERT_TRUE(p.children.empty());
  }
  if (p.kind == PartKind::message) {
    ASSERT_EQ(p.children.size(), 1u);
    ASSERT_EQ(p.children[0].header_start, p.body_start);
    ASSERT_EQ(p.children[0].body_end, p.body_end);
    ASSERT_TRUE(p.children[0].envelope.has_value());
  }
  uint64_t prev = p.body_start;
  for (const auto& c : p.children) {
    check_part(c, prev, p.body_end);
    prev = c.body_end;
  }
}

void check_invariants(const Summary& s, std::size_t size) {
  ASSERT_EQ(s.size, size);
  ASSERT_EQ(s.root.header_start, 0u);
  ASSERT_EQ(s.root.body_end, size);
  ASSERT_TRUE(s.root.envelope.has_value());
  check_part(s.root, 0, size);
}

const std::string kMultipart = crlf(
    "From: a@example.org\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\n"
    "\n"
    "preamble\n"
    "--b\n"
    "Content-Type: text/plain\n"
    "\n"
    "one\n"
    "two\n"
    "--b\n"
    "\n"
    "three\n"
    "--b--\n"
    "epilogue\n");

TEST(MimeParser, SimpleMessageOffsets) {
  const std::string m = crlf("Subject: hi\nFrom: a@b.c\n\nline 1\nline 2\n");
  Summary s = parse(m);
  check_invariants(s, m.size());
  EXPECT_EQ(s.root.kind, PartKind::leaf);
  EXPECT_EQ(slice(m, s.root.header_start, s.root.body_start), crlf("Subject: hi\nFrom: a@b.c\n\n"));
  EXPECT_EQ(slice(m, s.root.body_start, s.root.body_end), crlf("line 1\nline 2\n"));
  EXPECT_EQ(s.root.body_lines, 2u);
  EXPECT_EQ(s.root.envelope->subject, "hi");
  EXPECT_EQ(s.root.envelope->from, "a@b.c");
  EXPECT_FALSE(s.root.envelope->to);
  EXPECT_FALSE(s.truncated);
}

TEST(MimeParser, MultipartOffsetsFollowRfc2046) {
  Summary s = parse(kMultipart);
  check_invariants(s, kMultipart.size());
  ASSERT_EQ(s.root.kind, PartKind::multipart);
  EXPECT_EQ(s.root.type, "multipart");
  EXPECT_EQ(s.root.subtype, "mixed");
  ASSERT_EQ(s.root.children.size(), 2u);
  const Part& a = s.root.children[0];
  const Part& b = s.root.children[1];
  // The header starts after the boundary line; the body ends before the CRLF preceding the next boundary.
  EXPECT_EQ(slice(kMultipart, a.header_start, a.body_start), crlf("Content-Type: text/plain\n\n"));
  EXPECT_EQ(slice(kMultipart, a.body_start, a.body_end), crlf("one\ntwo"));
  EXPECT_EQ(a.body_lines, 1u);
  EXPECT_EQ(slice(kMultipart, b.header_start, b.body_start), "\r\n");
  EXPECT_EQ(slice(kMultipart, b.body_start, b.body_end), "three");
  EXPECT_EQ(b.body_lines, 0u);
  EXPECT_TRUE(b.type.empty());  // no Content-Type: text/plain
  // The multipart's body is everything after its header, preamble and epilogue included.
  EXPECT_EQ(slice(kMultipart, s.root.body_start, s.root.body_end).substr(0, 8), "preamble");
  EXPECT_EQ(s.root.body_end, kMultipart.size());
}

TEST(MimeParser, BareLfLineEnds) {
  const std::string m =
      "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\na\nb\n--x--\n";
  Summary s = parse(m);
  check_invariants(s, m.size());
  ASSERT_EQ(s.root.children.size(), 1u);
  const Part& p = s.root.children[0];
  EXPECT_EQ(slice(m, p.header_start, p.body_start), "Content-Type: text/plain\n\n");
  EXPECT_EQ(slice(m, p.body_start, p.body_end), "a\nb");
  EXPECT_EQ(p.body_lines, 1u);
}

TEST(MimeParser, NestedCloseThenOuterBoundary) {
  const std::string m = crlf(
      "Content-Type: multipart/mixed; boundary=outer\n\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=inner\n\n"
      "--inner\n\nx\n"
      "--inner--\n"
      "--outer\n\ny\n"
      "--outer--\n");
  Summary s = parse(m);
  check_invariants(s, m.size());
  ASSERT_EQ(s.root.children.size(), 2u);
  const Part& alt = s.root.children[0];
  ASSERT_EQ(alt.kind, PartKind::multipart);
  ASSERT_EQ(alt.children.size(), 1u);
  EXPECT_EQ(slice(m, alt.children[0].body_start, alt.children[0].body_end), "x");
  // The inner multipart ends right after its close delimiter: the CRLF belongs to the outer boundary.
  EXPECT_EQ(slice(m, alt.body_start, alt.body_end), crlf("--inner\n\nx\n--inner--"));
  EXPECT_EQ(slice(m, s.root.children[1].body_start, s.root.children[1].body_end), "y");
}

TEST(MimeParser, OuterBoundaryEndsInnerParts) {
  const std::string m = crlf(
      "Content-Type: multipart/mixed; boundary=o\n\n"
      "--o\n"
      "Content-Type: multipart/related; boundary=i\n\n"
      "--i\n\nfirst\n"
      "--o\n\nsecond\n"
      "--o--\n");
  Summary s = parse(m);
  check_invariants(s, m.size());
  ASSERT_EQ(s.root.children.size(), 2u);
  ASSERT_EQ(s.root.children[0].children.size(), 1u);
  EXPECT_EQ(slice(m, s.root.children[0].children[0].body_start, s.root.children[0].children[0].body_end), "first");
  EXPECT_EQ(slice(m, s.root.children[1].body_start, s.root.children[1].body_end), "second");
}

TEST(MimeParser, LongestOpenBoundaryWins) {
  const std::string m = crlf(
      "Content-Type: multipart/mixed; boundary=\"foo\"\n\n"
      "--foo\n"
      "Content-Type: multipart/alternative; boundary=\"foo-bar\"\n\n"
      "--foo-bar\n\nx\n"
      "--foo-bar\n\ny\n"
      "--foo-bar--\n"
      "--foo\n\nz\n"
      "--foo--\n");
  Summary s = parse(m);
  ASSERT_EQ(s.root.children.size(), 2u);
  EXPECT_EQ(s.root.children[0].children.size(), 2u);
  EXPECT_EQ(slice(m, s.root.children[1].body_start, s.root.children[1].body_end), "z");
}

TEST(MimeParser, BoundaryLinePaddingAndPrefix) {
  // RFC 2046 §5.1.1 transport padding after the boundary; like Dovecot, a longer line that starts with the
  // boundary counts too.
  const std::string m = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b   \n\none\n--bogus\n\ntwo\n--b--  \n");
  Summary s = parse(m);
  ASSERT_EQ(s.root.children.size(), 2u);
  EXPECT_EQ(slice(m, s.root.children[0].body_start, s.root.children[0].body_end), "one");
  EXPECT_EQ(slice(m, s.root.children[1].body_start, s.root.children[1].body_end), "two");
}

TEST(MimeParser, BoundaryOnFirstBodyLineGivesEmptyBody) {
  const std::string m = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n--b--\n");
  Summary s = parse(m);
  check_invariants(s, m.size());
  ASSERT_EQ(s.root.children.size(), 1u);
  const Part& p = s.root.children[0];
  EXPECT_EQ(p.body_start, p.body_end);
  EXPECT_EQ(slice(m, p.header_start, p.body_start), crlf("Content-Type: text/plain\n\n"));
}

TEST(MimeParser, BoundaryEndsAHeader) {
  const std::string m = crlf(
      "Content-Type: multipart/mixed; boundary=h\n\n"
      "--h\nContent-Type: text/plain\n"
      "--h\nContent-Type: message/rfc822\n"
      "--h--\n");
  Summary s = parse(m);
  check_invariants(s, m.size());
  ASSERT_EQ(s.root.children.size(), 2u);
  const Part& a = s.root.children[0];
  EXPECT_EQ(slice(m, a.header_start, a.body_start), "Content-Type: text/plain");
  EXPECT_EQ(a.body_size(), 0u);
  const Part& b = s.root.children[1];
  EXPECT_EQ(b.kind, PartKind::message);  // with an empty enclosed message
  ASSERT_EQ(b.children.size(), 1u);
  EXPECT_EQ(b.children[0].header_size(), 0u);
}

TEST(MimeParser, MessageRfc822IsParsedInside) {
  const std::string inner = crlf("From: in@example.org\nSubject: inner\nContent-Type: text/plain\n\nhello\n");
  const std::string m = crlf(
      "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: message/rfc822\n\n") + inner +
      crlf("--a--\n");
  Summary s = parse(m);
  check_invariants(s, m.size());
  const Part& r = s.root.children.at(0);
  ASSERT_EQ(r.kind, PartKind::message);
  const Part& msg = r.children.at(0);
  EXPECT_EQ(msg.envelope->subject, "inner");
  EXPECT_EQ(msg.envelope->from, "in@example.org");
  EXPECT_EQ(slice(m, r.body_start, r.body_end) + "\r\n", inner);
  EXPECT_EQ(slice(m, msg.body_start, msg.body_end), "hello");
  EXPECT_EQ(r.body_lines, 4u);  // the inner header's lines count too
  // Envelope fields of body parts that are not messages are not kept.
  EXPECT_FALSE(s.root.children[0].envelope.has_value());
}

TEST(MimeParser, TopLevelMessageRfc822AndGlobal) {
  for (const char* sub : {"rfc822", "global", "RFC822"}) {
    const std::string m = crlf(std::string("MIME-Version: 1.0\nContent-Type: message/") + sub +
                               "\n\nSubject: wrapped\n\nbody\n");
    Summary s = parse(m);
    check_invariants(s, m.size());
    ASSERT_EQ(s.root.kind, PartKind::message) << sub;
    EXPECT_EQ(s.root.children[0].envelope->subject, "wrapped");
  }
}

TEST(MimeParser, NoSeparatorMeansAllHeader) {
  for (std::string m : {crlf("From: a@b.c\nSubject: x\nno colon here\nnor here"), crlf("From: a@b.c\n"),
                        std::string("Subject: x"), std::string()}) {
    Summary s = parse(m);
    check_invariants(s, m.size());
    EXPECT_EQ(s.root.body_start, m.size());
    EXPECT_EQ(s.root.body_lines, 0u);
  }
  EXPECT_EQ(parse("Subject: x").root.envelope->subject, "x");
}

TEST(MimeParser, CrCrLfIsNotABlankLine) {
  const std::string m = "Subject: x\r\r\n\r\r\nbody\r\r\n";
  Summary s = parse(m);
  check_invariants(s, m.size());
  EXPECT_EQ(s.root.body_start, m.size());  // "\r\r\n" is a line holding a CR, not an empty one
}

TEST(MimeParser, MalformedOrMissingBoundaryIsTextPlain) {
  for (const char* ct : {"multipart/mixed", "multipart/mixed; boundary=\"\"", "multipart/mixed; charset=x", "text",
                         "text/", "/plain", ";", ""}) {
    const std::string m = crlf(std::string("MIME-Version: 1.0\nContent-Type: ") + ct + "\n\n--x\n\nbody\n--x--\n");
    Summary s = parse(m);
    check_invariants(s, m.size());
    EXPECT_EQ(s.root.kind, PartKind::leaf) << ct;
    EXPECT_TRUE(s.root.type.empty()) << ct;
    EXPECT_TRUE(s.root.params.empty()) << ct;
  }
}

TEST(MimeParser, UnclosedBoundariesEndAtTheEnd) {
  const std::string m = crlf("Content-Type: multipart/mixed; boundary=b1\n\n--b1\n"
                             "Content-Type: multipart/related; boundary=b2\n\n--b2\n\nfirst\n--b2\n\nlast\n");
  Summary s = parse(m);
  check_invariants(s, m.size());
  const Part& rel = s.root.children.at(0);
  ASSERT_EQ(rel.children.size(), 2u);
  EXPECT_EQ(slice(m, rel.children[1].body_start, rel.children[1].body_end), "last\r\n");
  EXPECT_EQ(rel.body_end, m.size());
}

TEST(MimeParser, MultipartWithoutParts) {
  const std::string m = crlf("Content-Type: multipart/mixed; boundary=z\n\njust a preamble\n--z--\n");
  Summary s = parse(m);
  EXPECT_EQ(s.root.kind, PartKind::multipart);
  EXPECT_TRUE(s.root.children.empty());
}

TEST(MimeParser, DigestDefaultsToMessageRfc822) {
  const std::string m = crlf("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody\n"
                             "--d\nContent-Type: text/plain\n\ntext\n--d--\n");
  Summary s = parse(m);
  ASSERT_EQ(s.root.children.size(), 2u);
  EXPECT_EQ(s.root.children[0].kind, PartKind::message);
  EXPECT_EQ(s.root.children[0].type, "message");
  EXPECT_EQ(s.root.children[0].children[0].envelope->subject, "one");
  EXPECT_EQ(s.root.children[1].kind, PartKind::leaf);
}

TEST(MimeParser, ContentFieldsNeedMime) {
  // RFC 2045 §4: without MIME-Version the Content-* fields mean nothing (Dovecot: a Content-Type is enough).
  Summary a = parse(crlf("Content-Transfer-Encoding: base64\nContent-Description: d\n\nx\n"));
  EXPECT_FALSE(a.root.encoding);
  EXPECT_FALSE(a.root.description);
  Summary b = parse(crlf("Content-Transfer-Encoding: base64\nContent-Type: text/html\n\nx\n"));
  EXPECT_EQ(b.root.encoding, "base64");
  EXPECT_EQ(b.root.subtype, "html");
  Summary c = parse(crlf("MIME-Version: 1.0\nContent-Transfer-Encoding: base64\n\nx\n"));
  EXPECT_EQ(c.root.encoding, "base64");
  // Body parts of a multipart are MIME without it.
  Summary d = parse(crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-ID: <i>\n\nx\n--b--\n"));
  EXPECT_EQ(d.root.children.at(0).id, "<i>");
}

TEST(MimeParser, ContentFields) {
  const std::string m = crlf(
      "MIME-Version: 1.0\n"
      "Content-Type: Application/PDF; name=\"a b.pdf\"; x=y\n"
      "Content-Type: text/plain\n"
      "Content-Transfer-Encoding:  Base64 (comment)\n"
      "Content-ID: <id@x>\n"
      "Content-Description: The\n"
      "\tdescription\n"
      "Content-Disposition: attachment;\n filename*=utf-8''%E2%82%AC.pdf\n"
      "Content-Language: en-US, de\n"
      "Content-Location: http://example.org/a\n"
      "Content-MD5: Q2hlY2s=\n"
      "\n"
      "JVBERi0=\n");
  Summary s = parse(m);
  const Part& p = s.root;
  EXPECT_EQ(p.type, "Application");  // the first Content-Type counts, case as given
  EXPECT_EQ(p.subtype, "PDF");
  EXPECT_EQ(p.params, (std::vector<Param>{{"name", "a b.pdf"}, {"x", "y"}}));
  EXPECT_EQ(p.encoding, "Base64");
  EXPECT_EQ(p.id, "<id@x>");
  EXPECT_EQ(p.description, "The description");  // unfolded; the TAB starting the line became a space
  EXPECT_EQ(p.disposition, "attachment");
  EXPECT_EQ(p.disposition_params, (std::vector<Param>{{"filename*", "utf-8''%E2%82%AC.pdf"}}));
  EXPECT_EQ(p.language, (std::vector<std::string>{"en-US", "de"}));
  EXPECT_EQ(p.location, "http://example.org/a");
  EXPECT_EQ(p.md5, "Q2hlY2s=");
}

TEST(MimeParser, EnvelopeFields) {
  const std::string m = crlf(
      "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
      "Subject: first\n"
      "subject:   last\n"
      "From: A <a@example.org>,\n  B <b@example.org>\n"
      "Sender:\n"
      "Reply-To: r@example.org\n"
      "To: t@example.org\n"
      "CC: c@example.org\n"
      "Bcc: d@example.org\n"
      "In-Reply-To: <p@x>\n"
      "Message-Id: <m@x>\n"
      "X-Other: ignored\n"
      "\n");
  const Summary s = parse(m);
  const Envelope& e = *s.root.envelope;
  EXPECT_EQ(e.date, "Mon, 1 Jan 2024 00:00:00 +0000");
  EXPECT_EQ(e.subject, "last");  // the last occurrence, like Dovecot
  EXPECT_EQ(e.from, "A <a@example.org>,  B <b@example.org>");
  EXPECT_EQ(e.sender, "");
  EXPECT_EQ(e.reply_to, "r@example.org");
  EXPECT_EQ(e.to, "t@example.org");
  EXPECT_EQ(e.cc, "c@example.org");
  EXPECT_EQ(e.bcc, "d@example.org");
  EXPECT_EQ(e.in_reply_to, "<p@x>");
  EXPECT_EQ(e.message_id, "<m@x>");
  // A value of only white space loses just its first character.
  EXPECT_EQ(parse("Subject:   \r\n\r\n").root.envelope->subject, "  ");
}

TEST(MimeParser, EightBitAndNulInHeaders) {
  const std::string m = "Subject: Gr\xc3\xbc\xc3\x9f" "e \xe9\0x\r\n\r\n"s;
  EXPECT_EQ(parse(m).root.envelope->subject, "Gr\xc3\xbc\xc3\x9f" "e \xe9\0x"s);
}

TEST(MimeParser, NameWithSpaceBeforeColon) {
  EXPECT_EQ(parse("Subject : spaced\r\n\r\n").root.envelope->subject, "spaced");
}

// ---- Limits --------------------------------------------------------------------------------------------------

std::string nested(int depth) {
  std::string head, tail;
  for (int i = 0; i < depth; ++i) {
    head += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" + std::to_string(i) + "\n";
    tail = "--b" + std::to_string(i) + "--\n" + tail;
  }
  return crlf(head + "\nleaf\n" + tail);
}

int depth_of(const Part& p) {
  int d = 0;
  for (const auto& c : p.children) d = std::max(d, depth_of(c));
  return d + 1;
}

TEST(MimeParserLimits, Depth) {
  const std::string m = nested(10);
  Summary full = parse(m);
  EXPECT_EQ(depth_of(full.root), 11);
  EXPECT_FALSE(full.truncated);
  Limits l;
  l.max_depth = 4;
  Summary cut = parse(m, l);
  check_invariants(cut, m.size());
  EXPECT_EQ(depth_of(cut.root), 4);
  EXPECT_TRUE(cut.truncated);
  const Part* p = &cut.root;
  while (!p->children.empty()) p = &p->children[0];
  EXPECT_EQ(p->type, "application");  // the container past the limit is opaque
  EXPECT_EQ(p->subtype, "octet-stream");
  // Nested messages count the same way.
  std::string msgs;
  for (int i = 0; i < 10; ++i) msgs += "Content-Type: message/rfc822\n\n";
  Summary m2 = parse(crlf(msgs + "x\n"), l);
  check_invariants(m2, crlf(msgs + "x\n").size());
  EXPECT_EQ(depth_of(m2.root), 4);
}

TEST(MimeParserLimits, DeepNestingDefault) {
  const std::string m = nested(300);
  Summary s = parse(m);
  check_invariants(s, m.size());
  EXPECT_EQ(depth_of(s.root), 100);
  EXPECT_TRUE(s.truncated);
}

TEST(MimeParserLimits, Parts) {
  std::string m = "Content-Type: multipart/mixed; boundary=p\n\n";
  for (int i = 0; i < 20; ++i) m += "--p\n\npart " + std::to_string(i) + "\n";
  m += "--p--\n";
  m = crlf(m);
  Limits l;
  l.max_parts = 6;  // the root and five parts
  Summary s = parse(m, l);
  check_invariants(s, m.size());
  EXPECT_TRUE(s.truncated);
  ASSERT_EQ(s.root.children.size(), 5u);
  // Boundaries still delimit: the fifth part ends at the sixth boundary, the rest stays in the multipart.
  EXPECT_EQ(slice(m, s.root.children[4].body_start, s.root.children[4].body_end), "part 4");
  EXPECT_EQ(s.root.body_end, m.size());
}

TEST(MimeParserLimits, ManyPartsDefault) {
  std::string m = "Content-Type: multipart/mixed; boundary=p\n\n";
  for (int i = 0; i < 12000; ++i) m += "--p\n\nx\n";
  m += "--p--\n";
  Summary s = parse(m);
  check_invariants(s, m.size());
  EXPECT_EQ(s.root.children.size(), 9999u);
  EXPECT_TRUE(s.truncated);
}

TEST(MimeParserLimits, HeaderBytes) {
  Limits l;
  l.max_header_bytes = 1024;
  const std::string big(5000, 'a');
  // A huge unrelated header line does not hide the fields after it.
  const std::string m1 = crlf("X-Big: " + big + "\nSubject: s\nContent-Type: text/html\n\nbody\n");
  Summary s1 = parse(m1, l);
  check_invariants(s1, m1.size());
  EXPECT_EQ(s1.root.envelope->subject, "s");
  EXPECT_EQ(s1.root.subtype, "html");
  EXPECT_EQ(slice(m1, s1.root.body_start, s1.root.body_end), "body\r\n");
  EXPECT_FALSE(s1.truncated);
  // A field IMAP needs that is too big is dropped, and the summary says so.
  const std::string m2 = crlf("Subject: " + big + "\nFrom: f@x\n\nbody\n");
  Summary s2 = parse(m2, l);
  EXPECT_FALSE(s2.root.envelope->subject);
  EXPECT_EQ(s2.root.envelope->from, "f@x");
  EXPECT_TRUE(s2.truncated);
  // So is one folded over many lines.
  std::string folded = "Subject: x\n";
  for (int i = 0; i < 200; ++i) folded += " continued line\n";
  Summary s3 = parse(crlf(folded + "\nbody\n"), l);
  EXPECT_FALSE(s3.root.envelope->subject);
}

TEST(MimeParserLimits, TotalHeaderBytes) {
  // Past the message's budget fields are dropped, but each part's type and boundary still come through.
  std::string m = "Content-Type: multipart/mixed; boundary=o\n\n";
  for (int i = 0; i < 30; ++i)
    m += "--o\nContent-Description: part " + std::to_string(i) +
         "\nContent-Type: multipart/alternative; boundary=i" + std::to_string(i) + "; x=" + std::string(40, 'x') +
         "\n\n--i" + std::to_string(i) + "\nContent-Type: text/html; charset=utf-8\n\n<p>\n--i" +
         std::to_string(i) + "--\n";
  m += "--o--\n";
  m = crlf(m);
  Limits l;
  l.max_total_header_bytes = 600;
  Summary s = parse(m, l);
  check_invariants(s, m.size());
  EXPECT_TRUE(s.truncated);
  ASSERT_EQ(s.root.children.size(), 30u);
  const Part& first = s.root.children.front();
  const Part& last = s.root.children.back();
  EXPECT_EQ(first.description, "part 0");
  EXPECT_EQ(first.params.size(), 2u);
  EXPECT_FALSE(last.description);
  EXPECT_EQ(last.kind, PartKind::multipart);
  EXPECT_EQ(last.subtype, "alternative");
  EXPECT_EQ(last.params, (std::vector<Param>{{"boundary", "i29"}}));
  ASSERT_EQ(last.children.size(), 1u);
  EXPECT_EQ(last.children[0].subtype, "html");
  EXPECT_TRUE(last.children[0].params.empty());
  EXPECT_EQ(slice(m, last.children[0].body_start, last.children[0].body_end), "<p>");
  // A type or subtype longer than 255 octets is malformed: text/plain.
  EXPECT_TRUE(parse(crlf("Content-Type: text/" + std::string(300, 'x') + "\n\n")).root.type.empty());
}

TEST(MimeParserLimits, LongBoundaryIsCutButStillMatches) {
  const std::string b(150, 'q');
  const std::string m = crlf("Content-Type: multipart/mixed; boundary=\"" + b + "\"\n\n--" + b + "\n\none\n--" + b +
                             "\n\ntwo\n--" + b + "--\n");
  Summary s = parse(m);
  ASSERT_EQ(s.root.children.size(), 2u);
  EXPECT_EQ(slice(m, s.root.children[1].body_start, s.root.children[1].body_end), "two");
  EXPECT_EQ(find_param(s.root.params, "boundary")->value, b);  // the parameter itself is kept whole
  // Past max_boundary the delimiters still separate the parts; the close delimiter reads as one more delimiter.
  Limits l;
  l.max_boundary = 100;
  Summary cut = parse(m, l);
  check_invariants(cut, m.size());
  ASSERT_EQ(cut.root.children.size(), 3u);
  EXPECT_EQ(slice(m, cut.root.children[1].body_start, cut.root.children[1].body_end), "two");
}

TEST(MimeParserLimits, HugeLinesInChunks) {
  // A 3 MiB header line and a 3 MiB body line that starts like a boundary, fed in 64 KiB chunks.
  std::string m = "X-Huge: " + std::string(3 << 20, 'h') + "\r\n";
  m += "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--" + std::string(3 << 20, 'b') + "x\r\n--b--\r\n";
  Summary s = parse_chunks(m, 64 * 1024);
  check_invariants(s, m.size());
  ASSERT_EQ(s.root.kind, PartKind::multipart);
  EXPECT_EQ(s.root.envelope->subject, std::nullopt);
  // "--bbb...x" starts with "--b", so by the prefix rule it is a delimiter: two empty parts, then "--b--".
  ASSERT_EQ(s.root.children.size(), 2u);
  EXPECT_EQ(s.root.children[1].header_start, m.size() - 7);
  EXPECT_EQ(s, parse(m));
}

// ---- Feeding in pieces ---------------------------------------------------------------------------------------

std::vector<std::string> small_messages() {
  std::vector<std::string> out = {
      kMultipart,
      crlf("Subject: hi\n\nbody\n"),
      "Content-Type: multipart/mixed; boundary=x\n\n--x\n\na\n--x\nContent-Type: message/rfc822\n\nSubject: in\n\n"
      "b\n--x--\n",
      crlf("Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/related; boundary=oi\n\n--oi\n"
           "\nx\n--o\n\ny\n--o--\n"),
      "Subject: folded\r\n\tline\r\n\r\n",
      crlf("Content-Type: multipart/mixed; boundary=h\n\n--h\nContent-Type: text/plain\n--h\n--h--"),
      "--\r\n-\r\n\r\n",
      "Subject: x\r\r\n\r\nbody",
  };
  for (const auto& e : fs::directory_iterator(AXON_MIME_CORPUS))
    if (e.path().extension() == ".eml" && fs::file_size(e.path()) < 1200) out.push_back(read_file(e.path().string()));
  return out;
}

TEST(MimeParserChunks, EverySplitPointGivesTheSameSummary) {
  for (const std::string& m : small_messages()) {
    const Summary whole = parse(m);
    check_invariants(whole, m.size());
    for (std::size_t cut = 0; cut <= m.size(); ++cut) ASSERT_EQ(parse_cut(m, {cut}), whole) << "cut at " << cut;
    ASSERT_EQ(parse_chunks(m, 1), whole);
    ASSERT_EQ(parse_chunks(m, 2), whole);
    ASSERT_EQ(parse_chunks(m, 3), whole);
  }
}

TEST(MimeParserChunks, RandomCutsWithSmallLimits) {
  std::mt19937 rng(7);
  Limits l;
  l.max_header_bytes = 90;  // lines longer than this are cut in the header, boundaries are 8 at most
  l.max_boundary = 8;
  l.max_parts = 5;
  for (const std::string& m : small_messages()) {
    const Summary whole = parse(m, l);
    check_invariants(whole, m.size());
    for (int round = 0; round < 50; ++round) {
      std::vector<std::size_t> cuts;
      for (int k = 0; k < 6; ++k) cuts.push_back(rng() % (m.size() + 1));
      std::sort(cuts.begin(), cuts.end());
      ASSERT_EQ(parse_cut(m, cuts, l), whole);
    }
  }
}

// ---- Garbage -------------------------------------------------------------------------------------------------

TEST(MimeParserGarbage, AnyBytesGiveAValidSummary) {
  std::mt19937 rng(42);
  const std::string alphabet = "-\r\n:; =\"\tabB\x80\0/"s;
  for (int round = 0; round < 2000; ++round) {
    std::string m;
    const std::size_t n = rng() % 300;
    // Mostly bytes that matter to MIME, with a declared boundary now and then.
    if (round % 3 == 0) m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
    if (round % 7 == 0) m = "Content-Type: message/rfc822\n\n";
    for (std::size_t i = 0; i < n; ++i)
      m += (rng() % 4 == 0) ? static_cast<char>(rng() & 0xFF) : alphabet[rng() % alphabet.size()];
    Summary s = parse(m);
    check_invariants(s, m.size());
    ASSERT_EQ(parse_chunks(m, 1 + rng() % 5), s);
    auto back = deserialize(serialize(s));
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(*back, s);
  }
}

TEST(MimeParser, FeedAfterFinishIsIgnored) {
  Parser p;
  p.feed("Subject: x\r\n\r\nbody");
  Summary s = p.finish();
  EXPECT_EQ(s.size, 18u);
  p.feed("more");  // ignored, no harm
}

}  // namespace
