// The POP3 command grammar (pop3/command.h) and the line reader (pop3/line_reader.h): table-driven, each input
// fed whole and again one byte at a time (STYLE.md "Parsers twice").
#include <gtest/gtest.h>

#include "pop3/command.h"
#include "pop3/line_reader.h"

using namespace axon::pop3;

TEST(Pop3Command, Keywords) {
  const std::pair<const char*, Verb> cases[] = {
      {"USER alice", Verb::user}, {"pass x", Verb::pass},   {"Auth PLAIN", Verb::auth}, {"CAPA", Verb::capa},
      {"stls", Verb::stls},       {"QUIT", Verb::quit},     {"STAT", Verb::stat},       {"LIST", Verb::list},
      {"RETR 1", Verb::retr},     {"TOP 1 0", Verb::top},   {"UIDL", Verb::uidl},       {"DELE 1", Verb::dele},
      {"RSET", Verb::rset},       {"NOOP", Verb::noop},     {"LAST", Verb::unknown},    {"APOP a b", Verb::unknown},
      {"", Verb::unknown},        {" STAT", Verb::unknown}, {"STATS", Verb::unknown},   {"STA", Verb::unknown},
      {"XTND XMIT", Verb::unknown}, {"STAT\t", Verb::unknown}, {"\xff\xfe", Verb::unknown}};
  for (const auto& [line, verb] : cases) EXPECT_EQ(parse_command(line).verb, verb) << line;
}

TEST(Pop3Command, ArgumentsAreSplitAtRunsOfSpaces) {
  auto c = parse_command("TOP  12   3  extra more");
  EXPECT_EQ(c.verb, Verb::top);
  ASSERT_EQ(c.argc, 2u);
  EXPECT_EQ(c.args[0], "12");
  EXPECT_EQ(c.args[1], "3");  // the rest is ignored, as Dovecot does
  c = parse_command("LIST   ");
  EXPECT_EQ(c.argc, 0u);
  c = parse_command("STAT");
  EXPECT_EQ(c.argc, 0u);
  EXPECT_EQ(c.text, "");
}

TEST(Pop3Command, PassKeepsTheWholeRestOfTheLine) {
  auto c = parse_command("PASS  my secret pass ");  // RFC 1939 §7: spaces belong to the password
  EXPECT_EQ(c.verb, Verb::pass);
  EXPECT_EQ(c.text, " my secret pass ");
}

TEST(Pop3Command, MessageNumbers) {
  EXPECT_EQ(*parse_message_number("1"), 1u);
  EXPECT_EQ(*parse_message_number("0042"), 42u);
  EXPECT_EQ(*parse_message_number("4294967295"), 4294967295u);
  EXPECT_EQ(parse_message_number("").error(), ArgError::missing);
  for (const char* bad : {"0", "-1", "+1", "1a", "a", "4294967296", "99999999999999999999", "1.5", " 1", "0x1"})
    EXPECT_EQ(parse_message_number(bad).error(), ArgError::invalid) << bad;
}

TEST(Pop3Command, LineCounts) {
  EXPECT_EQ(*parse_line_count("0"), 0u);
  EXPECT_EQ(*parse_line_count("10"), 10u);
  EXPECT_EQ(*parse_line_count("99999999999999999999999"), UINT64_MAX);  // saturated: all lines
  EXPECT_EQ(parse_line_count("").error(), ArgError::missing);
  for (const char* bad : {"-1", "x", "1x", "+3"}) EXPECT_EQ(parse_line_count(bad).error(), ArgError::invalid) << bad;
}

namespace {

// Every line the reader gives for `input`, "!" for a too-long one.
std::vector<std::string> lines_of(const std::string& input, std::size_t max, bool bytewise) {
  LineReader r;
  std::vector<std::string> out;
  auto drain = [&] {
    while (auto l = r.next(max)) out.push_back(l->too_long ? "!" : std::string(l->text));
  };
  if (bytewise) {
    for (char c : input) {
      r.feed(std::string_view(&c, 1));
      drain();
    }
  } else {
    r.feed(input);
    drain();
  }
  return out;
}

}  // namespace

TEST(Pop3LineReader, SplitsAndBounds) {
  struct Case {
    std::string input;
    std::size_t max;
    std::vector<std::string> lines;
  };
  const Case cases[] = {
      {"STAT\r\nLIST\r\n", 100, {"STAT", "LIST"}},
      {"STAT\nLIST\n", 100, {"STAT", "LIST"}},                  // bare LF accepted
      {"STAT\r\nLIS", 100, {"STAT"}},                           // a partial line waits
      {"\r\n\n", 100, {"", ""}},
      {"12345678\r\nok\r\n", 10, {"12345678", "ok"}},          // 10 octets with CRLF: fits
      {"123456789\r\nok\r\n", 10, {"!", "ok"}},                // 11: too long, reported once, then on
      {std::string(5000, 'x') + "\r\nSTAT\r\n", 255, {"!", "STAT"}},
      {std::string(5000, 'x'), 255, {}},                        // dropped while it comes, no line yet
      {"a\rb\r\n", 100, {"a\rb"}},                              // a CR inside a line stays (the grammar refuses it)
  };
  for (const auto& c : cases) {
    EXPECT_EQ(lines_of(c.input, c.max, false), c.lines) << c.input.substr(0, 40);
    EXPECT_EQ(lines_of(c.input, c.max, true), c.lines) << c.input.substr(0, 40);
  }
}

TEST(Pop3LineReader, HoldsNoMoreThanTheLimitOfALongLine) {
  LineReader r;
  for (int i = 0; i < 100; ++i) {
    r.feed(std::string(1000, 'x'));
    EXPECT_FALSE(r.next(255));
    EXPECT_LE(r.buffered(), 1000u);
  }
  r.feed("\r\nNOOP\r\n");
  auto l = r.next(255);
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->too_long);
  l = r.next(255);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->text, "NOOP");
  EXPECT_FALSE(r.has_line());
}

TEST(Pop3LineReader, ClearForgetsEverything) {
  LineReader r;
  r.feed("PASS secret\r\nSTAT\r\n");
  EXPECT_TRUE(r.has_line());
  r.clear();
  EXPECT_FALSE(r.has_line());
  EXPECT_FALSE(r.next(100));
  EXPECT_EQ(r.buffered(), 0u);
}
