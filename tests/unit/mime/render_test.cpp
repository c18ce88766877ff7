// IMAP rendering: string quoting rules, the RFC 3501 §7.4.2 examples literally, Dovecot's defaults.
#include <gtest/gtest.h>

#include "mime/imap_string.h"
#include "mime/render.h"
#include "util.h"

using namespace std::string_literals;
using namespace axon::mime;
using namespace axon::mime::test;

namespace {

std::string str(std::string_view s) {
  std::string out;
  append_imap_string(out, s);
  return out;
}
std::string nolf(std::string_view s) {
  std::string out;
  append_imap_string_nolf(out, s);
  return out;
}
std::string humans(std::string_view s) {
  std::string out;
  append_imap_string_for_humans(out, s);
  return out;
}

TEST(MimeImapString, QuotedOrLiteral) {
  EXPECT_EQ(str(""), "\"\"");
  EXPECT_EQ(str("plain text"), "\"plain text\"");
  EXPECT_EQ(str("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(str("\"\"\"\""), "\"\\\"\\\"\\\"\\\"\"");  // four escapes still quoted (as Dovecot)
  EXPECT_EQ(str("\"\"\"\"\""), "{5}\r\n\"\"\"\"\"");  // five: a literal
  EXPECT_EQ(str("a\r\nb"), "{4}\r\na\r\nb");
  EXPECT_EQ(str("caf\xc3\xa9"), "{5}\r\ncaf\xc3\xa9");
  EXPECT_EQ(str("a\0b"s), "{5}\r\na\xEF\xBF\xBD" "b");  // NUL is in neither form: U+FFFD
  const std::string long_value(kMaxQuoted + 1, 'x');
  std::string expect_literal("{");
  expect_literal += std::to_string(long_value.size());
  expect_literal += "}\r\n";
  expect_literal += long_value;
  EXPECT_EQ(str(long_value), expect_literal);
  EXPECT_EQ(str(std::string(kMaxQuoted, 'x')), "\"" + std::string(kMaxQuoted, 'x') + "\"");
}

TEST(MimeImapString, NoLineEnds) {
  EXPECT_EQ(nolf("a\r\n b"), "\"a b\"");
  EXPECT_EQ(nolf("a\r\nb"), "\"a b\"");  // a space where the next line does not start with one
  EXPECT_EQ(nolf("a\rb\n"), "\"a b\"");
  std::string out;
  append_imap_nstring_nolf(out, std::nullopt);
  EXPECT_EQ(out, "NIL");
}

TEST(MimeImapString, ForHumans) {
  EXPECT_EQ(humans(""), "\"\"");
  EXPECT_EQ(humans(" \t "), "\"\"");
  EXPECT_EQ(humans("hello world"), "\"hello world\"");
  EXPECT_EQ(humans(" foo  \t "), "{3}\r\nfoo");
  EXPECT_EQ(humans("a\tb"), "{3}\r\na b");
  EXPECT_EQ(humans("hello  \r\n  world"), "{11}\r\nhello world");
  EXPECT_EQ(humans("say \"hi\""), "{8}\r\nsay \"hi\"");  // changed or not, quotes make it a literal
  EXPECT_EQ(humans("Gr\xc3\xbc\xc3\x9f" "e"), "{7}\r\nGr\xc3\xbc\xc3\x9f" "e");
}

TEST(MimeRender, Rfc3501Examples) {
  // RFC 3501 §7.4.2, FETCH response examples, with a message built to have the same sizes.
  const Summary s = parse(read_file(std::string(AXON_MIME_CORPUS) + "/rfc3501_example.eml"));
  EXPECT_EQ(imap_envelope(s),
            "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((NIL NIL \"imap\" \"cac.washington.edu\")) "
            "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
            "\"<B27397-0100000@cac.washington.edu>\")");
  EXPECT_EQ(imap_body(s, false),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)"
            "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") "
            "\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")");
}

TEST(MimeRender, DefaultsLikeDovecot) {
  const Summary s = parse(crlf("Subject: x\n\nbody\n"));
  EXPECT_EQ(imap_body(s, false), R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1))");
  EXPECT_EQ(imap_body(s, true), R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL))");
  EXPECT_EQ(imap_envelope(s), "(NIL \"x\" NIL NIL NIL NIL NIL NIL NIL NIL)");
  // A text part keeps its own charset; a non-text part without parameters has NIL.
  const Summary t = parse(crlf("MIME-Version: 1.0\nContent-Type: text/html; Charset=UTF-8\n\nx"));
  EXPECT_EQ(imap_body(t, false), R"(("text" "html" ("Charset" "UTF-8") NIL NIL "7bit" 1 0))");
  const Summary i = parse(crlf("MIME-Version: 1.0\nContent-Type: image/png\n\nx"));
  EXPECT_EQ(imap_body(i, false), R"(("image" "png" NIL NIL NIL "7bit" 1))");
}

TEST(MimeRender, SenderAndReplyToDefaultToFrom) {
  const Summary s = parse(crlf("From: A <a@x.org>\nSender:\nReply-To: undisclosed:;\n\n"));
  // An empty Sender gives the From list; a group with no members is still a list.
  EXPECT_EQ(imap_envelope(s),
            "(NIL NIL ((\"A\" NIL \"a\" \"x.org\")) ((\"A\" NIL \"a\" \"x.org\")) "
            "((NIL NIL \"undisclosed\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL)");
  EXPECT_EQ(imap_envelope(parse("\r\n")), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(MimeRender, EmptyMultipartShowsOneEmptyPart) {
  const Summary s = parse(crlf("Content-Type: multipart/mixed; boundary=z\n\n--z--\n"));
  EXPECT_EQ(imap_body(s, false), R"((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed"))");
  EXPECT_EQ(imap_body(s, true),
            R"((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "z") )"
            R"(NIL NIL NIL))");
}

TEST(MimeRender, MessageRfc822AndGlobal) {
  const std::string inner = "Subject: in\r\n\r\nhi\r\n";
  const Summary r = parse("Content-Type: message/rfc822\r\n\r\n" + inner);
  EXPECT_EQ(imap_body(r, false),
            R"(("message" "rfc822" NIL NIL NIL "7bit" 19 (NIL "in" NIL NIL NIL NIL NIL NIL NIL NIL) )"
            R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 1) 3))");
  const Summary g = parse("Content-Type: message/global\r\n\r\n" + inner);
  EXPECT_EQ(imap_body(g, false), R"(("message" "global" NIL NIL NIL "7bit" 19))");  // IMAP4rev1: basic
  EXPECT_EQ(imap_body(g, false, true),
            R"(("message" "global" NIL NIL NIL "7bit" 19 (NIL "in" NIL NIL NIL NIL NIL NIL NIL NIL) )"
            R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 1) 3))");
}

TEST(MimeRender, ExtensionData) {
  const Summary s = parse(crlf(
      "Content-Type: multipart/mixed; boundary=b\nContent-Disposition: inline\nContent-Language: en\n"
      "Content-Location: loc\n\n"
      "--b\nContent-Type: text/plain\nContent-MD5: md5==\nContent-Disposition: attachment; filename=a.txt\n"
      "Content-Language: en, fr\nContent-Location: http://x/\n  a.txt\n\nx\n--b--\n"));
  EXPECT_EQ(imap_body(s, true),
            R"((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 "md5==" ("attachment" ("filename" "a.txt")) )"
            R"(("en" "fr") "http://x/  a.txt") "mixed" ("boundary" "b") ("inline" NIL) ("en") "loc"))");
}

TEST(MimeRender, OpaquePartPastTheDepthLimit) {
  Limits l;
  l.max_depth = 1;
  const Summary s = parse(crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n"), l);
  EXPECT_EQ(imap_body(s, false), R"(("application" "octet-stream" ("boundary" "b") NIL NIL "7bit" 17))");
}

TEST(MimeRender, EightBitBecomesLiterals) {
  const Summary s = parse("From: J\xc3\xbcrgen <j@x.de>\r\nContent-Type: text/plain; name=\"\xc3\xa9.txt\"\r\n\r\n");
  EXPECT_EQ(imap_envelope(s),
            "(NIL NIL (({7}\r\nJ\xc3\xbcrgen NIL \"j\" \"x.de\")) (({7}\r\nJ\xc3\xbcrgen NIL \"j\" \"x.de\")) "
            "(({7}\r\nJ\xc3\xbcrgen NIL \"j\" \"x.de\")) NIL NIL NIL NIL NIL)");
  EXPECT_EQ(imap_body(s, false), "(\"text\" \"plain\" (\"name\" {6}\r\n\xc3\xa9.txt \"charset\" \"us-ascii\") NIL NIL "
                                 "\"7bit\" 0 0)");
}

}  // namespace
