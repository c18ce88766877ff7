// Runs every transcripts/*.txt three times: each batch of C: lines in one receive() (PIPELINING), one receive()
// per line, and one per octet (STYLE.md: parsers twice).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "transcript_runner.h"

namespace fs = std::filesystem;
using namespace axon::smtp::test;

namespace {

struct Case {
  std::string file;
  FeedMode mode;
};

void PrintTo(const Case& c, std::ostream* os) {  // readable test names in ctest output
  *os << fs::path(c.file).filename().string() << "/" << static_cast<int>(c.mode);
}

std::vector<Case> cases() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(AXON_SMTP_TRANSCRIPTS))
    if (e.path().extension() == ".txt") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<Case> out;
  for (const auto& f : files)
    for (FeedMode m : {FeedMode::whole, FeedMode::line, FeedMode::byte}) out.push_back({f, m});
  return out;
}

std::string case_name(const testing::TestParamInfo<Case>& info) {
  std::string stem = fs::path(info.param.file).stem().string();
  for (auto& c : stem)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  const char* mode = info.param.mode == FeedMode::whole ? "whole" : info.param.mode == FeedMode::line ? "lines" : "bytes";
  return stem + "_" + mode;
}

class SmtpTranscript : public testing::TestWithParam<Case> {};

TEST_P(SmtpTranscript, Run) {
  std::ifstream f(GetParam().file, std::ios::binary);
  ASSERT_TRUE(f) << GetParam().file;
  std::stringstream ss;
  ss << f.rdbuf();
  TranscriptOutcome r = run_transcript(ss.str(), GetParam().mode);
  EXPECT_TRUE(r.ok) << GetParam().file << ": " << r.failure;
}

INSTANTIATE_TEST_SUITE_P(SmtpTranscripts, SmtpTranscript, testing::ValuesIn(cases()), case_name);

TEST(SmtpTranscriptRunner, DetectsMismatch) {
  // A runner that accepts anything proves nothing.
  EXPECT_FALSE(run_transcript("S: 220 wrong\n", FeedMode::whole).ok);
  EXPECT_FALSE(run_transcript("S: 220 *\nC: NOOP\n", FeedMode::whole).ok);  // reply left over
  EXPECT_TRUE(run_transcript("S: 220 *\nC: NOOP\nS: 250 2.0.0 Ok\n", FeedMode::byte).ok);
}

}  // namespace
