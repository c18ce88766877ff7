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

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string log_text(const std::vector<axon::smtp::TranscriptEvent>& log) {
  std::string out;
  for (const auto& e : log) out += std::to_string(static_cast<int>(e.kind)) + " " + e.text + "\n";
  return out;
}

TEST_P(SmtpTranscript, Run) {
  ASSERT_TRUE(fs::exists(GetParam().file)) << GetParam().file;
  std::string text = read_file(GetParam().file);
  TranscriptOutcome r = run_transcript(text, GetParam().mode);
  EXPECT_TRUE(r.ok) << GetParam().file << ": " << r.failure;
  // The communication log does not depend on how the input was cut: the session records what it processed.
  if (r.ok && GetParam().mode != FeedMode::whole) {
    TranscriptOutcome whole = run_transcript(text, FeedMode::whole);
    EXPECT_EQ(log_text(r.log), log_text(whole.log)) << GetParam().file;
  }
}

INSTANTIATE_TEST_SUITE_P(SmtpTranscripts, SmtpTranscript, testing::ValuesIn(cases()), case_name);

TEST(SmtpTranscriptRunner, DetectsMismatch) {
  // A runner that accepts anything proves nothing.
  EXPECT_FALSE(run_transcript("S: 220 wrong\n", FeedMode::whole).ok);
  EXPECT_FALSE(run_transcript("S: 220 *\nC: NOOP\n", FeedMode::whole).ok);  // reply left over
  EXPECT_TRUE(run_transcript("S: 220 *\nC: NOOP\nS: 250 2.0.0 Ok\n", FeedMode::byte).ok);
}

}  // namespace
