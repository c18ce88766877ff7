// pop3::MessageStream: byte-stuffing, line ends, the last line without CRLF, TOP's header and line count; every
// case fed whole, one byte at a time and in pieces of 7 (a piece boundary anywhere: inside CRLF, before a dot).
#include <gtest/gtest.h>

#include "harness.h"
#include "pop3/message_stream.h"

using namespace axon::pop3;
using axon::pop3::test::printable;

namespace {

std::string stream(std::string_view msg, std::optional<uint64_t> lines, std::size_t piece) {
  MessageStream s(lines);
  std::string out;
  for (std::size_t i = 0; i < msg.size(); i += piece)
    if (!s.feed(msg.substr(i, piece), out)) break;
  s.finish(out);
  return out;
}

void check(std::string_view msg, std::optional<uint64_t> lines, std::string_view want) {
  for (std::size_t piece : {msg.size() + 1, std::size_t{1}, std::size_t{7}})
    EXPECT_EQ(printable(stream(msg, lines, piece)), printable(want)) << "piece " << piece << ": " << printable(msg);
}

}  // namespace

TEST(Pop3MessageStream, Retr) {
  check("", std::nullopt, ".\r\n");
  check("a\r\nb\r\n", std::nullopt, "a\r\nb\r\n.\r\n");
  check("no end", std::nullopt, "no end\r\n.\r\n");                    // the last line gets its CRLF
  check("ends in CR\r", std::nullopt, "ends in CR\r\n.\r\n");
  check(".\r\n", std::nullopt, "..\r\n.\r\n");                          // RFC 1939 §3 byte-stuffing
  check("S: x\r\n\r\n.hidden\r\n..two\r\n.\r\nafter\r\n.", std::nullopt,
        "S: x\r\n\r\n..hidden\r\n...two\r\n..\r\nafter\r\n..\r\n.\r\n");
  check("bare\nlf\n.\nend", std::nullopt, "bare\r\nlf\r\n..\r\nend\r\n.\r\n");  // no early end for LF readers
  check("a.b\r\n x.\r\n", std::nullopt, "a.b\r\n x.\r\n.\r\n");        // only a leading dot is stuffed
}

TEST(Pop3MessageStream, Top) {
  const std::string m = "From: a\r\nSubject: b\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n";
  check(m, 0, "From: a\r\nSubject: b\r\n\r\n.\r\n");
  check(m, 1, "From: a\r\nSubject: b\r\n\r\nline 1\r\n.\r\n");
  check(m, 2, "From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\n.\r\n");
  check(m, 3, m.substr(0, 32) + ".line 2\r\nline 3\r\n.\r\n");
  check(m, 100, "From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n.\r\n");
  check("From: a\r\nno body", 0, "From: a\r\nno body\r\n.\r\n");        // no blank line: all of it is header
  check("From: a\n\nbody\n", 0, "From: a\r\n\r\n.\r\n");               // bare LF blank line
  check("\r\nbody only\r\n", 0, "\r\n.\r\n");
  check("H: x\r\n\r\nlast", 5, "H: x\r\n\r\nlast\r\n.\r\n");
}

TEST(Pop3MessageStream, TopStopsReading) {
  MessageStream s(1);
  std::string out;
  EXPECT_TRUE(s.feed("H: x\r\n\r\n", out));
  EXPECT_FALSE(s.feed("one\r\ntwo\r\n", out));  // done after one body line: the caller reads no more
  EXPECT_TRUE(s.done());
  s.finish(out);
  EXPECT_EQ(out, "H: x\r\n\r\none\r\n.\r\n");
}

TEST(Pop3MessageStream, NeverEndsEarly) {
  // Whatever the message, the output contains the terminator only at its end, for CRLF and for LF readers.
  const std::string nasty[] = {"\r\n.\r\n", "\n.\n", "\n.\r\n", ".\r\n.\r\n", "x\r\n.\r\n.\r\n", "\r\r\n.\r\r\n"};
  for (const auto& m : nasty) {
    std::string out = stream(m, std::nullopt, 1);
    std::string body = out.substr(0, out.size() - 3);
    EXPECT_EQ(("\r\n" + body).find("\n.\r\n"), std::string::npos) << printable(out);
    EXPECT_EQ(("\r\n" + body).find("\n.\n"), std::string::npos) << printable(out);
  }
}
