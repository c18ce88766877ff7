// FETCH sections (RFC 3501 §6.4.5): the octets each section spec names, checked literally; HEADER.FIELDS filtering.
#include <gtest/gtest.h>

#include "mime/section.h"
#include "util.h"

using namespace axon::mime;
using namespace axon::mime::test;
using Kind = SectionSpec::Kind;

namespace {

// Following the RFC 3501 §6.4.5 example's shape:
//   1 text/plain, 2 message/rfc822 (2.1 text/plain, 2.2 text/html inside a multipart/alternative),
//   3 message/rfc822 with a plain body (3.1 is that body), 4 multipart/related (4.1, 4.2).
const std::string kMessage = crlf(
    "Subject: top\n"
    "Content-Type: multipart/mixed; boundary=m\n"
    "\n"
    "--m\n"
    "Content-Type: text/plain\n"
    "\n"
    "part one\n"
    "--m\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: inner\n"
    "Content-Type: multipart/alternative; boundary=a\n"
    "\n"
    "--a\n"
    "Content-Type: text/plain\n"
    "\n"
    "inner plain\n"
    "--a\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>inner</p>\n"
    "--a--\n"
    "--m\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: plain inner\n"
    "\n"
    "plain inner body\n"
    "--m\n"
    "Content-Type: multipart/related; boundary=r\n"
    "\n"
    "--r\n"
    "Content-Type: image/gif\n"
    "\n"
    "GIF\n"
    "--r\n"
    "\n"
    "four two\n"
    "--r--\n"
    "--m--\n");

std::optional<std::string> fetch(const std::string& msg, std::vector<uint32_t> part, Kind kind = Kind::full) {
  const Summary s = parse(msg);
  SectionSpec spec;
  spec.part = std::move(part);
  spec.kind = kind;
  auto r = section_range(s, spec);
  if (!r) return std::nullopt;
  return msg.substr(r->offset, r->length);
}

TEST(MimeSection, TopLevel) {
  EXPECT_EQ(fetch(kMessage, {}), kMessage);
  EXPECT_EQ(fetch(kMessage, {}, Kind::header), crlf("Subject: top\nContent-Type: multipart/mixed; boundary=m\n\n"));
  EXPECT_EQ(fetch(kMessage, {}, Kind::header_fields), fetch(kMessage, {}, Kind::header));
  EXPECT_EQ(fetch(kMessage, {}, Kind::text)->substr(0, 5), "--m\r\n");
  EXPECT_EQ(fetch(kMessage, {}, Kind::mime), std::nullopt);  // MIME needs a part number
}

TEST(MimeSection, Parts) {
  EXPECT_EQ(fetch(kMessage, {1}), "part one");
  EXPECT_EQ(fetch(kMessage, {1}, Kind::mime), crlf("Content-Type: text/plain\n\n"));
  EXPECT_EQ(fetch(kMessage, {1}, Kind::header), std::nullopt);  // HEADER and TEXT only for message/rfc822
  EXPECT_EQ(fetch(kMessage, {1}, Kind::text), std::nullopt);
  EXPECT_EQ(fetch(kMessage, {1, 1}), "part one");  // as Dovecot: a last ".1" on a leaf names the leaf
  EXPECT_EQ(fetch(kMessage, {1, 1, 2}), std::nullopt);
  EXPECT_EQ(fetch(kMessage, {2})->substr(0, 16), crlf("Subject: inner\n"));
  EXPECT_EQ(fetch(kMessage, {2}, Kind::mime), crlf("Content-Type: message/rfc822\n\n"));
  EXPECT_EQ(fetch(kMessage, {2}, Kind::header),
            crlf("Subject: inner\nContent-Type: multipart/alternative; boundary=a\n\n"));
  EXPECT_EQ(fetch(kMessage, {2}, Kind::text)->substr(0, 5), "--a\r\n");
  EXPECT_EQ(fetch(kMessage, {2, 1}), "inner plain");
  EXPECT_EQ(fetch(kMessage, {2, 2}), "<p>inner</p>");
  EXPECT_EQ(fetch(kMessage, {2, 2}, Kind::mime), crlf("Content-Type: text/html\n\n"));
  EXPECT_EQ(fetch(kMessage, {2, 3}), std::nullopt);
  EXPECT_EQ(fetch(kMessage, {3}), crlf("Subject: plain inner\n\nplain inner body"));
  EXPECT_EQ(fetch(kMessage, {3, 1}), "plain inner body");  // a message that is not multipart has part 1
  EXPECT_EQ(fetch(kMessage, {3}, Kind::header), crlf("Subject: plain inner\n\n"));
  EXPECT_EQ(fetch(kMessage, {3, 2}), std::nullopt);
  EXPECT_EQ(fetch(kMessage, {3, 1, 1}), std::nullopt);
  EXPECT_EQ(fetch(kMessage, {4, 1}), "GIF");
  EXPECT_EQ(fetch(kMessage, {4, 2}), "four two");
  EXPECT_EQ(fetch(kMessage, {4, 2}, Kind::mime), "\r\n");
  EXPECT_EQ(fetch(kMessage, {5}), std::nullopt);
  EXPECT_EQ(fetch(kMessage, {0}), std::nullopt);
}

TEST(MimeSection, SinglePartMessage) {
  const std::string m = crlf("Subject: one\n\nthe body\n");
  EXPECT_EQ(fetch(m, {1}), crlf("the body\n"));
  EXPECT_EQ(fetch(m, {1}, Kind::mime), crlf("Subject: one\n\n"));  // as Dovecot: the message header
  EXPECT_EQ(fetch(m, {2}), std::nullopt);
  EXPECT_EQ(fetch(m, {1, 1}), std::nullopt);
}

TEST(MimeSection, TopLevelMessageRfc822) {
  const std::string inner = crlf("Subject: in\n\nin body\n");
  const std::string m = crlf("Content-Type: message/rfc822\n\n") + inner;
  EXPECT_EQ(fetch(m, {1}), inner);  // part 1 is the body: the whole enclosed message
  EXPECT_EQ(fetch(m, {1}, Kind::header), crlf("Subject: in\n\n"));
  EXPECT_EQ(fetch(m, {1, 1}), crlf("in body\n"));
}

TEST(MimeSection, FindPart) {
  const Summary s = parse(kMessage);
  EXPECT_EQ(find_part(s, {}), &s.root);
  ASSERT_NE(find_part(s, {2, 2}), nullptr);
  EXPECT_EQ(find_part(s, {2, 2})->subtype, "html");
  EXPECT_EQ(find_part(s, {9, 9}), nullptr);
}

TEST(MimeSection, FilterHeaderFields) {
  const std::string header = crlf(
      "Received: from a\n\tby b\n"
      "Subject: hello\n"
      "From: a@example.org\n"
      "subject: again\n"
      "X-Folded: one\n two\n"
      "\n");
  EXPECT_EQ(filter_header_fields(header, {"SUBJECT", "x-folded"}, false),
            crlf("Subject: hello\nsubject: again\nX-Folded: one\n two\n\n"));
  EXPECT_EQ(filter_header_fields(header, {"subject", "x-folded"}, true),
            crlf("Received: from a\n\tby b\nFrom: a@example.org\n\n"));
  EXPECT_EQ(filter_header_fields(header, {"Nothing"}, false), "\r\n");  // always ends with the blank line
  // Bare LF input comes out with CRLF; a name with white space before its colon still matches.
  EXPECT_EQ(filter_header_fields("To : x\nCc: y\n\nbody\n", {"to"}, false), "To : x\r\n\r\n");
  EXPECT_EQ(filter_header_fields("", {"to"}, false), "\r\n");
}

}  // namespace
