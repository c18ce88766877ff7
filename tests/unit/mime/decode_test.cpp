// Decoding for SEARCH, SORT and BINARY: RFC 2047 encoded words (the RFC's §8 examples), charsets, base64 and
// quoted-printable fed in every split, text parts, RFC 2231 parameter values, RFC 5256 base subjects.
#include <gtest/gtest.h>

#include "mime/base_subject.h"
#include "mime/body_decoder.h"
#include "mime/charset.h"
#include "mime/encoded_word.h"
#include "mime/text_decoder.h"
#include "util.h"

using namespace std::string_literals;
using namespace axon::mime;
using namespace axon::mime::test;

namespace {

TEST(MimeEncodedWord, Rfc2047Examples) {
  // RFC 2047 §8.
  EXPECT_EQ(decode_header("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"), "Keith Moore <moore@cs.utk.edu>");
  EXPECT_EQ(decode_header("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
            "Andr\xc3\xa9 Pirard <PIRARD@vm1.ulg.ac.be>");
  EXPECT_EQ(decode_header("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n    "
                          "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
            "If you can read this you understand the example.");
  EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?=)"), "(a)");
  EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
  EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
  EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)");
  // RFC 2231 §5 language.
  EXPECT_EQ(decode_header("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
}

TEST(MimeEncodedWord, LenientAndSafe) {
  EXPECT_EQ(decode_header("=?UTF-8?B?SsO8cmdlbg==?="), "J\xc3\xbcrgen");
  // A character split over two words.
  EXPECT_EQ(decode_header("=?utf-8?b?4oI=?= =?utf-8?b?rA==?="), "\xe2\x82\xac");
  EXPECT_EQ(decode_header("x=?utf-8?q?y?=z"), "xyz");  // not separated by white space
  EXPECT_EQ(decode_header("=?x-unknown?q?a?="), "=?x-unknown?q?a?=");
  EXPECT_EQ(decode_header("=?utf-8?b?!!!?="), "=?utf-8?b?!!!?=");
  EXPECT_EQ(decode_header("=?utf-8//TRANSLIT?q?a?="), "=?utf-8//TRANSLIT?q?a?=");
  EXPECT_EQ(decode_header("=?utf-8?x?a?="), "=?utf-8?x?a?=");
  EXPECT_EQ(decode_header("=?utf-8?q?a"), "=?utf-8?q?a");
  EXPECT_EQ(decode_header("caf\xe9"), "caf\xef\xbf\xbd");  // raw 8-bit that is not UTF-8
  EXPECT_EQ(decode_header("a\r\n b"), "a b");
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "=?";
  EXPECT_EQ(decode_header(many), many);  // bounded work, nothing decoded
}

TEST(MimeCharset, Conversions) {
  EXPECT_EQ(to_utf8("ISO-8859-1", "caf\xe9"), "caf\xc3\xa9");
  EXPECT_EQ(to_utf8("windows-1252", "\x80"), "\xe2\x82\xac");
  EXPECT_EQ(to_utf8("Shift_JIS", "\x93\xfa\x96\x7b"), "\xe6\x97\xa5\xe6\x9c\xac");
  EXPECT_EQ(to_utf8("iso-2022-jp", "\x1b$BF|K\\\x1b(B"), "\xe6\x97\xa5\xe6\x9c\xac");
  EXPECT_EQ(to_utf8("us-ascii", "caf\xc3\xa9"), "caf\xc3\xa9");  // mislabelled UTF-8 survives
  EXPECT_EQ(to_utf8("utf-8", "a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(to_utf8("x-unknown", "a"), std::nullopt);
  EXPECT_EQ(to_utf8("utf-8//IGNORE", "a"), std::nullopt);
  EXPECT_EQ(to_utf8("", "a"), std::nullopt);
  EXPECT_TRUE(valid_utf8("\xe6\x97\xa5"));
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));      // overlong
}

void expect_streaming_same(std::string_view charset, const std::string& in) {
  CharsetDecoder whole(charset);
  std::string expect;
  whole.feed(in, expect);
  whole.finish(expect);
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    CharsetDecoder d(charset);
    std::string got;
    d.feed(std::string_view(in).substr(0, cut), got);
    d.feed(std::string_view(in).substr(cut), got);
    d.finish(got);
    ASSERT_EQ(got, expect) << charset << " cut " << cut;
  }
  CharsetDecoder bytes(charset);
  std::string got;
  for (char c : in) bytes.feed(std::string_view(&c, 1), got);
  bytes.finish(got);
  ASSERT_EQ(got, expect) << charset << " one octet at a time";
}

TEST(MimeCharset, StreamingSplitsAnywhere) {
  expect_streaming_same("utf-8", "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80 bad\xff end");
  expect_streaming_same("utf-8", "\xff\x94\x94\x94\x94\x94\xe2\x82 \xe2\x82\xe2\x82\xac\xf0\x9f\x98");
  expect_streaming_same("shift_jis", "\x93\xfa\x96\x7b\x8c\xea abc \x93\xfa");
  expect_streaming_same("iso-2022-jp", "\x1b$BF|K\\\x1b(B abc \x1b$BF|\x1b(B");
  expect_streaming_same("gb18030", "\x81\x30\x81\x30 \xc4\xe3\xba\xc3");
  expect_streaming_same("iso-8859-1", "caf\xe9");
}

std::string decode(Encoding e, std::string_view in, bool* error = nullptr) {
  BodyDecoder d(e);
  std::string out;
  d.feed(in, out);
  d.finish(out);
  if (error != nullptr) *error = d.error();
  return out;
}

void expect_split_invariant(Encoding e, const std::string& in) {
  bool err_whole;
  const std::string whole = decode(e, in, &err_whole);
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    BodyDecoder d(e);
    std::string out;
    d.feed(std::string_view(in).substr(0, cut), out);
    d.feed(std::string_view(in).substr(cut), out);
    d.finish(out);
    ASSERT_EQ(out, whole) << "cut " << cut;
    ASSERT_EQ(d.error(), err_whole);
  }
}

TEST(MimeBodyDecoder, Base64) {
  bool err = false;
  EXPECT_EQ(decode(Encoding::base64, "SGVs\r\nbG8g\r\nd29y\r\nbGQ=\r\n", &err), "Hello world");
  EXPECT_FALSE(err);
  EXPECT_EQ(decode(Encoding::base64, "SGk=SGk=", &err), "HiHi");  // blocks concatenated
  EXPECT_FALSE(err);
  EXPECT_EQ(decode(Encoding::base64, "SG!k=", &err), "Hi");
  EXPECT_TRUE(err);  // '!' is not base64
  EXPECT_EQ(decode(Encoding::base64, "SGVsbG8", &err), "Hello");
  EXPECT_FALSE(err);  // missing padding is tolerated
  decode(Encoding::base64, "SGVsbG8gd", &err);
  EXPECT_TRUE(err);  // six bits left over: cut
  for (const char* in : {"SGVs\r\nbG8g\r\nd29y\r\nbGQ=\r\n", "SG!k=x", "QQ==QUI=", "a"})
    expect_split_invariant(Encoding::base64, in);
}

TEST(MimeBodyDecoder, QuotedPrintable) {
  bool err = false;
  EXPECT_EQ(decode(Encoding::quoted_printable, "caf=C3=A9 =\r\nsoft\r\nhard  \r\nend", &err),
            "caf\xc3\xa9 soft\r\nhard\r\nend");
  EXPECT_FALSE(err);
  EXPECT_EQ(decode(Encoding::quoted_printable, "lower=c3=a9\nbare lf =  \nnext", &err), "lower\xc3\xa9\nbare lf next");
  EXPECT_FALSE(err);
  EXPECT_EQ(decode(Encoding::quoted_printable, "bad =ZZ and =4", &err), "bad =ZZ and =4");
  EXPECT_TRUE(err);
  EXPECT_EQ(decode(Encoding::quoted_printable, "soft at end=", &err), "soft at end");
  EXPECT_FALSE(err);
  EXPECT_EQ(decode(Encoding::quoted_printable, "trailing \t", &err), "trailing");
  EXPECT_EQ(decode(Encoding::quoted_printable, "a\rb", &err), "a\rb");
  for (const char* in : {"caf=C3=A9 =\r\nsoft\r\nhard  \r\nend", "bad =ZZ and =4\r\n", "x= \t\r\ny", "a\r\r\nb=",
                         "=\r=\n=", "  \r\n\t\r\n"})
    expect_split_invariant(Encoding::quoted_printable, in);
  // Long runs of white space are bounded (kept, not buffered without end).
  const std::string spaces(5000, ' ');
  EXPECT_EQ(decode(Encoding::quoted_printable, spaces + "x"), spaces + "x");
}

TEST(MimeBodyDecoder, PassThroughAndUnknown) {
  bool err = false;
  EXPECT_EQ(encoding_of(std::nullopt), Encoding::seven_bit);
  EXPECT_EQ(encoding_of("BASE64"), Encoding::base64);
  EXPECT_EQ(encoding_of("Quoted-Printable"), Encoding::quoted_printable);
  EXPECT_EQ(encoding_of("8bit"), Encoding::eight_bit);
  EXPECT_EQ(encoding_of("binary"), Encoding::binary);
  EXPECT_EQ(encoding_of("x-uuencode"), Encoding::unknown);
  EXPECT_EQ(decode(Encoding::binary, "a\0b"s, &err), "a\0b"s);
  EXPECT_FALSE(err);
  decode(Encoding::unknown, "data", &err);
  EXPECT_TRUE(err);  // BINARY: UNKNOWN-CTE
}

TEST(MimeTextDecoder, QuotedPrintableLatin1) {
  const Summary s = parse(crlf("MIME-Version: 1.0\nContent-Type: text/plain; charset=\"ISO-8859-1\"\n"
                               "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 cr=E8me=\n br=FBl=E9e\n"));
  EXPECT_EQ(charset_of(s.root), "ISO-8859-1");
  TextDecoder d(s.root);
  std::string out;
  const std::string body = crlf("caf=E9 cr=E8me=\n br=FBl=E9e\n");
  for (char c : body) d.feed(std::string_view(&c, 1), out);
  d.finish(out);
  EXPECT_EQ(out, "caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e\r\n");
  EXPECT_FALSE(d.error());
  EXPECT_TRUE(d.charset_known());
}

TEST(MimeParamUtf8, Rfc2231AndEncodedWords) {
  const Summary s = parse(crlf(
      "MIME-Version: 1.0\nContent-Type: application/x-stuff; title*0*=us-ascii'en'This%20is%20;\n"
      " title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"; name=\"=?utf-8?q?f=C3=BC.txt?=\"\n"
      "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20rates.txt\n\n"));
  EXPECT_EQ(param_utf8(s.root.params, "title"), "This is ***fun*** isn't it!");
  EXPECT_EQ(param_utf8(s.root.params, "name"), "f\xc3\xbc.txt");
  EXPECT_EQ(param_utf8(s.root.disposition_params, "filename"), "\xe2\x82\xac rates.txt");
  EXPECT_EQ(param_utf8(s.root.params, "missing"), std::nullopt);
  // The merged form Dovecot shows in BODYSTRUCTURE.
  EXPECT_EQ(s.root.params[1].name, "title*");
  EXPECT_EQ(s.root.params[1].value, "us-ascii'en'This%20is%20%2A%2A%2Afun%2A%2A%2A%20isn't it!");
}

TEST(MimeBaseSubject, Rfc5256) {
  auto base = [](std::string_view s) { return base_subject(s).text; };
  EXPECT_EQ(base("Re: test"), "test");
  EXPECT_EQ(base("Re: Re: RE: test"), "test");
  EXPECT_EQ(base("Fwd: test"), "test");
  EXPECT_EQ(base("Fw: test"), "test");
  EXPECT_EQ(base("re [1]: test"), "test");
  EXPECT_EQ(base("[PATCH 1/2] Re: [list] Fwd: test (fwd)"), "test");
  EXPECT_EQ(base("test (fwd) (FWD)  "), "test");
  EXPECT_EQ(base("[fwd: test]"), "test");
  EXPECT_EQ(base("Re: [Fwd: Re: test (fwd)]"), "test");
  EXPECT_EQ(base("[list]"), "[list]");  // a blob alone stays: removing it would leave nothing
  EXPECT_EQ(base("[a][b] test"), "test");
  EXPECT_EQ(base("  multiple\t\tspaces   here "), "multiple spaces here");
  EXPECT_EQ(base("=?utf-8?q?Re=3A_Gr=C3=BC=C3=9Fe?="), "Gr\xc3\xbc\xc3\x9f" "e");
  EXPECT_EQ(base("Reply: test"), "Reply: test");
  EXPECT_EQ(base(""), "");
  EXPECT_TRUE(base_subject("Re: x").reply_or_forward);
  EXPECT_TRUE(base_subject("x (fwd)").reply_or_forward);
  EXPECT_TRUE(base_subject("[fwd: x]").reply_or_forward);
  EXPECT_FALSE(base_subject("[list] x").reply_or_forward);
}

}  // namespace
