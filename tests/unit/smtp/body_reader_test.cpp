// DATA/BDAT readers: every case fed whole, one octet at a time, and split at every position (STYLE.md: parsers
// twice), because a reader that only works on whole lines is the smuggling bug.
#include <gtest/gtest.h>

#include "smtp/body_reader.h"

using namespace axon::smtp;

namespace {

struct DataCase {
  const char* name;
  std::string in;         // octets after the DATA command, including the end-of-data and a tail
  std::string body;       // expected data (when ok)
  BodyVerdict verdict;
  std::string tail;       // what must be left unconsumed
  BareLf policy = BareLf::reject;
};

struct Fed {
  bool done = false;
  BodyVerdict verdict = BodyVerdict::ok;
  std::string body, tail;
};

Fed feed_split(const std::string& in, std::vector<std::size_t> cuts, BareLf policy, std::size_t max) {
  DataReader r(max, policy);
  Fed f;
  std::size_t start = 0;
  cuts.push_back(in.size());
  for (std::size_t cut : cuts) {
    std::string_view piece = std::string_view(in).substr(start, cut - start);
    std::size_t used = r.feed(piece);
    if (r.done()) {
      f.tail = std::string(piece.substr(used)) + in.substr(cut);
      break;
    }
    EXPECT_EQ(used, piece.size());
    start = cut;
  }
  f.done = r.done();
  f.verdict = r.verdict();
  f.body = r.take_data();
  return f;
}

void check(const DataCase& c, std::size_t max = 1 << 20) {
  auto expect = [&](const Fed& f, const std::string& how) {
    ASSERT_TRUE(f.done) << c.name << " " << how;
    EXPECT_EQ(f.verdict, c.verdict) << c.name << " " << how;
    if (c.verdict == BodyVerdict::ok) EXPECT_EQ(f.body, c.body) << c.name << " " << how;
    else EXPECT_TRUE(f.body.empty()) << c.name << " " << how;  // nothing kept once refused
    EXPECT_EQ(f.tail, c.tail) << c.name << " " << how;
  };
  expect(feed_split(c.in, {}, c.policy, max), "whole");
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < c.in.size(); ++i) every.push_back(i);
  expect(feed_split(c.in, every, c.policy, max), "bytewise");
  for (std::size_t i = 1; i < c.in.size(); ++i) expect(feed_split(c.in, {i}, c.policy, max), "split " + std::to_string(i));
}

}  // namespace

TEST(SmtpBodyReader, DataEndAndDotUnstuffing) {
  const DataCase cases[] = {
      {"empty", ".\r\nNOOP\r\n", "", BodyVerdict::ok, "NOOP\r\n"},
      {"one line", "hi\r\n.\r\n", "hi\r\n", BodyVerdict::ok, ""},
      {"stuffed", "..\r\n...x\r\n.y\r\n.\r\nQUIT\r\n", ".\r\n..x\r\ny\r\n", BodyVerdict::ok, "QUIT\r\n"},
      {"dot inside", "a.b\r\n a\r\n.\r\n", "a.b\r\n a\r\n", BodyVerdict::ok, ""},
      {"empty lines", "\r\n\r\n.\r\n", "\r\n\r\n", BodyVerdict::ok, ""},
      {"crlf dot crlf only", "a\r\n.x\r\n.\r\n", "a\r\nx\r\n", BodyVerdict::ok, ""},
  };
  for (const auto& c : cases) check(c);
}

TEST(SmtpBodyReader, SmugglingIsNeverEndOfData) {
  // Each variant is followed by text, then the only real end; reject mode refuses the whole message.
  for (const char* fake : {"\n.\n", "\r.\r", "\r\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r\r\n", "\n.\r"}) {
    std::string in = std::string("a") + fake + "MAIL FROM:<x@y.example>\r\n.\r\nTAIL";
    check({fake, in, "", BodyVerdict::bare_line_ending, "TAIL"});
  }
  check({"bare CR mid", "a\rb\r\n.\r\n", "", BodyVerdict::bare_line_ending, ""});
  check({"bare LF first", "\n.\r\n.\r\n", "", BodyVerdict::bare_line_ending, ""});
  check({"CR CR LF", "a\r\r\n.\r\n", "", BodyVerdict::bare_line_ending, ""});
}

TEST(SmtpBodyReader, NormalizeMakesCrlfButNoEnd) {
  const DataCase cases[] = {
      {"lf dot lf", "a\n.\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"cr dot cr", "a\r.\rb\r\n.\r\n", "a\r\n.\r\nb\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"crlf dot lf", "a\r\n.\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"lf dot crlf", "a\n.\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"crlf dot cr x", "a\r\n.\rb\r\n.\r\n", "a\r\n.\r\nb\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"cr cr lf", "a\r\r\n.\r\n", "a\r\n\r\n", BodyVerdict::ok, "", BareLf::normalize},
  };
  for (const auto& c : cases) check(c);
}

TEST(SmtpBodyReader, SizeLimitDiscardsButFindsTheEnd) {
  check({"exact", "12345678\r\n.\r\nX", "12345678\r\n", BodyVerdict::ok, "X"}, 10);
  check({"over", "123456789\r\n.\r\nX", "", BodyVerdict::too_big, "X"}, 10);
  // Past the limit nothing is buffered: a large body leaves the reader holding nothing.
  DataReader r(100, BareLf::reject);
  std::string chunk(4096, 'x');
  chunk += "\r\n";
  for (int i = 0; i < 1000; ++i) r.feed(chunk);
  EXPECT_FALSE(r.done());
  EXPECT_EQ(r.feed(".\r\n"), 3u);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.verdict(), BodyVerdict::too_big);
  EXPECT_TRUE(r.take_data().empty());
}

namespace {

struct BdatOut {
  BodyVerdict verdict;
  std::string body;
};

// Chunks given as strings; the last one is LAST. Each chunk is fed in pieces of `step` octets.
BdatOut run_bdat(const std::vector<std::string>& chunks, BareLf policy, bool binary, std::size_t step,
                 std::size_t max = 1 << 20) {
  BdatReader r(max, policy, binary);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const std::string& c = chunks[i];
    r.begin_chunk(c.size(), i + 1 == chunks.size());
    std::string extra = c + "NEXT";
    std::size_t pos = 0;
    while (!r.chunk_done()) pos += r.feed(std::string_view(extra).substr(pos, step));
    EXPECT_EQ(pos, c.size());  // never reads past the chunk
  }
  EXPECT_TRUE(r.done());
  return {r.verdict(), r.take_data()};
}

}  // namespace

TEST(SmtpBodyReader, Bdat) {
  for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{1000}}) {
    auto a = run_bdat({"Subject: x\r", "\n\r\n.\r\n", ""}, BareLf::reject, false, step);
    EXPECT_EQ(a.verdict, BodyVerdict::ok);
    EXPECT_EQ(a.body, "Subject: x\r\n\r\n.\r\n");  // no dot-unstuffing in BDAT
    EXPECT_EQ(run_bdat({"a\nb"}, BareLf::reject, false, step).verdict, BodyVerdict::bare_line_ending);
    EXPECT_EQ(run_bdat({"a\r", "b"}, BareLf::reject, false, step).verdict, BodyVerdict::bare_line_ending);
    EXPECT_EQ(run_bdat({"a\r"}, BareLf::reject, false, step).verdict, BodyVerdict::bare_line_ending);
    EXPECT_EQ(run_bdat({"a\r", ""}, BareLf::reject, false, step).verdict, BodyVerdict::bare_line_ending);
    EXPECT_EQ(run_bdat({"a\nb\rc\r\r\n"}, BareLf::normalize, false, step).body, "a\r\nb\r\nc\r\n\r\n");
    auto bin = run_bdat({"a\nb\r", std::string("\0\r", 2)}, BareLf::reject, true, step);
    EXPECT_EQ(bin.verdict, BodyVerdict::ok);
    EXPECT_EQ(bin.body, std::string("a\nb\r\0\r", 6));
    EXPECT_EQ(run_bdat({"12345", "678901"}, BareLf::reject, false, step, 10).verdict, BodyVerdict::too_big);
    EXPECT_EQ(run_bdat({"12345", "67890"}, BareLf::reject, false, step, 10).body, "1234567890");
  }
  BdatReader zero(10, BareLf::reject, false);
  zero.begin_chunk(0, true);
  EXPECT_TRUE(zero.done());
  EXPECT_EQ(zero.feed("xyz"), 0u);
}
