// Every transcript in tests/unit/pop3/transcripts/ run three ways: its client lines fed whole (one receive() per
// batch), line by line, and byte by byte (STYLE.md "Parsers twice").
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "transcript_runner.h"

using namespace axon::pop3::test;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> transcripts() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(AXON_POP3_TRANSCRIPTS))
    if (e.path().extension() == ".txt") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class Pop3Transcript : public ::testing::TestWithParam<fs::path> {};

}  // namespace

TEST_P(Pop3Transcript, Whole) {
  auto r = run_transcript(slurp(GetParam()), FeedMode::whole);
  EXPECT_TRUE(r.ok) << GetParam().filename() << " " << r.failure;
}
TEST_P(Pop3Transcript, LineByLine) {
  auto r = run_transcript(slurp(GetParam()), FeedMode::line);
  EXPECT_TRUE(r.ok) << GetParam().filename() << " " << r.failure;
}
TEST_P(Pop3Transcript, ByteByByte) {
  auto r = run_transcript(slurp(GetParam()), FeedMode::byte);
  EXPECT_TRUE(r.ok) << GetParam().filename() << " " << r.failure;
}

INSTANTIATE_TEST_SUITE_P(Transcripts, Pop3Transcript, ::testing::ValuesIn(transcripts()),
                         [](const ::testing::TestParamInfo<fs::path>& i) { return i.param.stem().string(); });

TEST(Pop3TranscriptRunner, FailsOnAWrongLine) {
  auto r = run_transcript("S: +OK nothing like this\n", FeedMode::whole);
  EXPECT_FALSE(r.ok);
}
