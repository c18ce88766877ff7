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

TEST(SmtpBodyReader, NormalizeUnstuffsTheLineAfterABareLineEnding) {
  // RFC 5321 §4.5.2 in normalize mode: a bare LF (or CR) ends a line, so the next line loses its leading "." like
  // any other; a lone "." there is kept, and only CRLF "." CRLF ends the data (CVE-2023-51764).
  const DataCase cases[] = {
      {"lf dotx", "a\n.x\r\n.\r\n", "a\r\nx\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"lf dotdot", "a\n..\r\n.\r\n", "a\r\n.\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"lf dotdotx lf", "a\n..x\n.\r\n.\r\n", "a\r\n.x\r\n.\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"first lf dotx", "\n.x\r\n.\r\n", "\r\nx\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"crlf dot lf dotx", "a\r\n.\n.x\r\n.\r\n", "a\r\n.\r\nx\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"lf lf dotx", "a\n\n.x\r\n.\r\n", "a\r\n\r\nx\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"cr dotx", "a\r.x\r\n.\r\n", "a\r\nx\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"crlf dot cr dotx", "a\r\n.\r.x\r\n.\r\n", "a\r\n.\r\nx\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"lf dot cr dotx", "a\n.\r.x\r\n.\r\n", "a\r\n.\r\nx\r\n", BodyVerdict::ok, "", BareLf::normalize},
      {"lf dot crcrlf", "a\n.\r\r\n.\r\n", "a\r\n.\r\n\r\n", BodyVerdict::ok, "", BareLf::normalize},
      // The smuggling forms stay text, in both places a bare line ending can be.
      {"lf dot lf", "a\n.\nx\r\n.\r\nT", "a\r\n.\r\nx\r\n", BodyVerdict::ok, "T", BareLf::normalize},
      {"lf dot crlf", "a\n.\r\nx\r\n.\r\nT", "a\r\n.\r\nx\r\n", BodyVerdict::ok, "T", BareLf::normalize},
      {"crlf dot lf", "a\r\n.\nx\r\n.\r\nT", "a\r\n.\r\nx\r\n", BodyVerdict::ok, "T", BareLf::normalize},
      // After "\n.\r\n" the CRLF was real: a following "." CRLF is the end.
      {"lf dot crlf dot crlf", "a\n.\r\n.\r\nT", "a\r\n.\r\n", BodyVerdict::ok, "T", BareLf::normalize},
  };
  for (const auto& c : cases) check(c);
  // Reject mode is unchanged: the same octets are refused, and the data ends at the same place.
  for (const auto& c : cases) check({c.name, c.in, "", BodyVerdict::bare_line_ending, c.tail, BareLf::reject});
}

namespace {

// Reference model of DATA over whole input (RFC 5321 §4.1.1.4, §4.5.2, §2.3.8): a line ends with a real CRLF or
// with a bare CR or bare LF; the data ends at the first line "." that starts after a real CRLF (or at the start)
// and is ended by a real CRLF. Every other line ending becomes CRLF and a line of "." and more loses that ".".
struct RefData {
  bool done = false;
  std::size_t consumed = 0;
  bool bare = false;  // a bare CR or LF before the end
  std::string body;
};

RefData reference_data(std::string_view in) {
  RefData r;
  std::size_t i = 0;
  bool after_real = true;
  while (true) {
    std::size_t j = in.find_first_of("\r\n", i);
    if (j == std::string_view::npos || (in[j] == '\r' && j + 1 == in.size())) return r;  // undecided
    bool real = in[j] == '\r' && in[j + 1] == '\n';
    std::size_t next = real ? j + 2 : j + 1;
    std::string_view line = in.substr(i, j - i);
    if (line == "." && after_real && real) {
      r.done = true;
      r.consumed = next;
      return r;
    }
    r.bare = r.bare || !real;
    if (line.size() > 1 && line[0] == '.') line.remove_prefix(1);
    r.body.append(line);
    r.body += "\r\n";
    after_real = real;
    i = next;
  }
}

}  // namespace

TEST(SmtpBodyReader, EveryShortInputMatchesTheReferenceInBothModes) {
  // Every string of up to 7 octets over CR, LF, ".", "x", then a real end: fed whole, octet by octet and (up to
  // 5 octets) split at every position, in both modes. Normalize and reject must end the data at the same octet.
  const char alphabet[] = {'\r', '\n', '.', 'x'};
  std::size_t checked = 0;
  for (std::size_t len = 0; len <= 7; ++len) {
    std::size_t total = std::size_t{1} << (2 * len);
    for (std::size_t code = 0; code < total; ++code) {
      std::string in;
      for (std::size_t k = 0, v = code; k < len; ++k, v >>= 2) in.push_back(alphabet[v & 3]);
      in += "\r\n.\r\nTAIL";
      RefData ref = reference_data(in);
      ASSERT_TRUE(ref.done);
      std::string tail = in.substr(ref.consumed);
      DataCase norm{"normalize", in, ref.body, BodyVerdict::ok, tail, BareLf::normalize};
      DataCase rej{"reject", in, ref.body, ref.bare ? BodyVerdict::bare_line_ending : BodyVerdict::ok, tail,
                   BareLf::reject};
      for (const DataCase* c : {&norm, &rej}) {
        Fed whole = feed_split(c->in, {}, c->policy, 1 << 20);
        std::vector<std::size_t> every;
        for (std::size_t k = 1; k < c->in.size(); ++k) every.push_back(k);
        Fed bytes = feed_split(c->in, every, c->policy, 1 << 20);
        for (const Fed* f : {&whole, &bytes}) {
          ASSERT_TRUE(f->done) << c->name << " " << testing::PrintToString(in);
          ASSERT_EQ(f->verdict, c->verdict) << c->name << " " << testing::PrintToString(in);
          ASSERT_EQ(f->tail, c->tail) << c->name << " " << testing::PrintToString(in);
          if (c->verdict == BodyVerdict::ok) {
            ASSERT_EQ(f->body, c->body) << c->name << " " << testing::PrintToString(in);
          }
        }
        if (len <= 5) check(*c);
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 2u * ((1u << 16) - 1) / 3);  // 2 modes x (4^0 + ... + 4^7)
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
