#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "log/transcript.h"

using namespace axon;
namespace fs = std::filesystem;

namespace {
struct Dir {
  fs::path path = fs::temp_directory_path() / ("axon-log-" + std::to_string(std::random_device{}()));
  ~Dir() { fs::remove_all(path); }
};
std::string read_only_file(const fs::path& dir) {
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) {
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      return ss.str();
    }
  return {};
}
}  // namespace

TEST(LogTranscript, OneFolderPerPeerFileSuffixedIn) {
  Dir d;
  { auto t = log::Transcript::open(d.path, "192.0.2.7", 42, "IN", 1 << 20, core::TimePoint{}); }
  ASSERT_TRUE(fs::is_directory(d.path / "192.0.2.7"));
  auto name = fs::directory_iterator(d.path / "192.0.2.7")->path().filename().string();
  EXPECT_EQ(name, "19700101T000000Z-42.IN");
}

TEST(LogTranscript, RedactsAuthSecrets) {
  Dir d;
  {
    auto t = log::Transcript::open(d.path, "::1", 1, "IN", 1 << 20, core::TimePoint{});
    t->client("EHLO x\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    t->server("235 2.7.0 ok\r\n");
    t->client("AUTH LOGIN\r\n");
    t->server("334 VXNlcm5hbWU6\r\n");
    t->client("YWxpY2U=\r\n");
    t->server("334 UGFzc3dvcmQ6\r\n");
    t->client("c2VjcmV0\r\n");
    t->client("MAIL FROM:<a@b.c>\r\n");
  }
  auto text = read_only_file(d.path);
  EXPECT_NE(text.find("C: AUTH PLAIN ***\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("AGFsaWNl"), std::string::npos);
  EXPECT_EQ(text.find("YWxpY2U="), std::string::npos);
  EXPECT_EQ(text.find("c2VjcmV0"), std::string::npos);
  EXPECT_NE(text.find("C: MAIL FROM:<a@b.c>\n"), std::string::npos);
}

TEST(LogTranscript, BoundedAndEscaped) {
  Dir d;
  {
    auto t = log::Transcript::open(d.path, "1.2.3.4", 2, "IN", 200, core::TimePoint{});
    t->client(std::string("bell\x07here\r\n"));
    for (int i = 0; i < 100; ++i) t->client("0123456789\r\n");
  }
  auto text = read_only_file(d.path);
  EXPECT_NE(text.find("C: bell\\x07here\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[truncated]"), std::string::npos);
  EXPECT_LT(text.size(), 260u);
}

TEST(LogTranscript, PeerNameCannotEscapeTheFolder) {
  EXPECT_EQ(log::safe_component("../../etc"), ".._.._etc");
  EXPECT_EQ(log::safe_component(".."), "_");
  EXPECT_EQ(log::safe_component(""), "_");
}
