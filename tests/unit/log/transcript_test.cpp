// log::Transcript and log::TranscriptDir: folder per peer (IPv4 address, IPv6 /64), private modes, line format,
// AUTH redaction, the per-file bound, escaping, and pruning by age and total size.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "log/transcript.h"

using namespace axon;
namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::seconds;

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
mode_t mode_of(const fs::path& p) {
  struct stat st{};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}
log::TranscriptLimits limits(std::size_t file = 1 << 20, uint64_t total = 1 << 30, seconds age = hours(24)) {
  return {file, total, age};
}
const core::TimePoint kNow{seconds(1700000000)};

// A log file of `size` octets with the given modification time.
fs::path make_file(const fs::path& dir, const std::string& name, std::size_t size, core::TimePoint mtime) {
  fs::create_directories(dir);
  fs::path p = dir / name;
  std::ofstream(p) << std::string(size, 'x');
  auto s = std::chrono::duration_cast<seconds>(mtime.time_since_epoch()).count();
  struct timespec ts[2] = {{s, 0}, {s, 0}};
  EXPECT_EQ(::utimensat(AT_FDCWD, p.c_str(), ts, 0), 0);
  return p;
}
}  // namespace

TEST(LogTranscript, OneFolderPerPeerFileSuffixedIn) {
  Dir d;
  log::TranscriptDir dir(d.path, limits());
  ASSERT_TRUE(dir.prepare().ok());
  { EXPECT_TRUE(dir.open("192.0.2.7", 42, "IN", core::TimePoint{})); }
  ASSERT_TRUE(fs::is_directory(d.path / "192.0.2.7"));
  auto name = fs::directory_iterator(d.path / "192.0.2.7")->path().filename().string();
  EXPECT_EQ(name, "19700101T000000Z-42.IN");
}

TEST(LogTranscript, PrivateModesWhateverTheUmaskAndOldFolders) {
  Dir d;
  fs::create_directories(d.path);
  fs::permissions(d.path, fs::perms(0755));  // a root from an older version
  mode_t old = ::umask(0);
  log::TranscriptDir dir(d.path, limits());
  ASSERT_TRUE(dir.prepare().ok());
  auto t = dir.open("2001:db8::7", 1, "IN", kNow);
  ::umask(old);
  ASSERT_TRUE(t);
  EXPECT_EQ(mode_of(d.path), 0700u);
  EXPECT_EQ(mode_of(d.path / "2001_db8__64"), 0700u);
  EXPECT_EQ(mode_of(fs::directory_iterator(d.path / "2001_db8__64")->path()), 0600u);
}

TEST(LogTranscript, PrepareRefusesAFileAsRoot) {
  Dir d;
  fs::create_directories(d.path);
  std::ofstream(d.path / "transcripts") << "x";
  auto r = log::TranscriptDir(d.path / "transcripts", limits()).prepare();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("transcripts"), std::string::npos);
}

TEST(LogTranscript, FolderPerIpv4AddressAndPerIpv6Slash64) {
  EXPECT_EQ(log::peer_folder("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(log::peer_folder("2001:db8:1:2:abcd::1"), "2001_db8_1_2__64");
  EXPECT_EQ(log::peer_folder("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"), "2001_db8_1_2__64");
  EXPECT_EQ(log::peer_folder("2001:db8:1:3::1"), "2001_db8_1_3__64");
  EXPECT_EQ(log::peer_folder("2001:db8::1"), "2001_db8__64");
  EXPECT_EQ(log::peer_folder("::1"), "__64");
  EXPECT_EQ(log::peer_folder("fe80::1%eth0"), "fe80__64");
  EXPECT_EQ(log::peer_folder("::ffff:192.0.2.7"), "192.0.2.7");  // IPv4 through a dual-stack socket
  EXPECT_EQ(log::peer_folder("../../etc"), ".._.._etc");
  EXPECT_EQ(log::peer_folder(std::string("1.2.3.4\0/x", 10)), "1.2.3.4__x");  // not an address: made safe
}

TEST(LogTranscript, LinesDataAndNotes) {
  Dir d;  // no prepare(): open() makes the root too (private), e.g. after it was removed while serving
  log::TranscriptDir dir(d.path, limits());
  {
    auto t = dir.open("192.0.2.1", 3, "IN", kNow);
    ASSERT_TRUE(t);
    t->note("connection from 192.0.2.1 port 4000");
    t->server("220 mx ESMTP");
    t->client("DATA");
    t->server("354 go ahead");
    t->message_data(1234);
    t->server("250 2.0.0 Ok: queued as X");
  }
  EXPECT_EQ(mode_of(d.path), 0700u);
  EXPECT_EQ(read_only_file(d.path),
            "# connection from 192.0.2.1 port 4000\nS: 220 mx ESMTP\nC: DATA\nS: 354 go ahead\n"
            "C: [1234 octets of message data]\nS: 250 2.0.0 Ok: queued as X\n");
}

TEST(LogTranscript, RedactsAuthSecrets) {
  Dir d;
  log::TranscriptDir dir(d.path, limits());
  {
    auto t = dir.open("::1", 1, "IN", core::TimePoint{});
    ASSERT_TRUE(t);
    t->client("EHLO x");
    t->client("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
    t->server("235 2.7.0 ok");
    t->client("AUTH LOGIN");
    t->server("334 VXNlcm5hbWU6");
    t->client("YWxpY2U=");
    t->server("334 UGFzc3dvcmQ6");
    t->client("c2VjcmV0");
    t->client("MAIL FROM:<a@b.c>");
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
  log::TranscriptDir dir(d.path, limits(200));
  {
    auto t = dir.open("1.2.3.4", 2, "IN", core::TimePoint{});
    ASSERT_TRUE(t);
    t->client(std::string("bell\x07here"));
    t->client("two\r\nlines");  // a line ending inside a line cannot forge a line
    for (int i = 0; i < 100; ++i) t->client("0123456789");
  }
  auto text = read_only_file(d.path);
  EXPECT_NE(text.find("C: bell\\x07here\n"), std::string::npos) << text;
  EXPECT_NE(text.find("C: two\\x0D\\x0Alines\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[truncated]"), std::string::npos);
  EXPECT_LT(text.size(), 260u);
}

TEST(LogTranscript, PeerNameCannotEscapeTheFolder) {
  EXPECT_EQ(log::safe_component("../../etc"), ".._.._etc");
  EXPECT_EQ(log::safe_component(".."), "_");
  EXPECT_EQ(log::safe_component(""), "_");
}

TEST(LogTranscript, PruneRemovesFilesPastTheAgeAndEmptyFolders) {
  Dir d;
  log::TranscriptDir dir(d.path, limits(1 << 20, 1 << 30, hours(24)));
  ASSERT_TRUE(dir.prepare().ok());
  auto old1 = make_file(d.path / "192.0.2.1", "a-1.IN", 10, kNow - hours(25));
  auto old2 = make_file(d.path / "192.0.2.2", "a-2.IN", 10, kNow - hours(48));
  auto fresh = make_file(d.path / "192.0.2.2", "b-3.IN", 10, kNow - hours(23));
  auto other = make_file(d.path / "192.0.2.1", "notes.txt", 10, kNow - hours(1000));  // not a log: kept
  fs::create_directories(d.path / "192.0.2.9");  // empty folder
  auto st = dir.prune(kNow);
  EXPECT_EQ(st.files, 2u);
  EXPECT_EQ(st.bytes, 20u);
  EXPECT_EQ(st.kept_bytes, 10u);
  EXPECT_FALSE(fs::exists(old1));
  EXPECT_FALSE(fs::exists(old2));
  EXPECT_TRUE(fs::exists(fresh));
  EXPECT_TRUE(fs::exists(other));
  EXPECT_FALSE(fs::exists(d.path / "192.0.2.9"));
  EXPECT_EQ(mode_of(fresh), 0600u);  // modes are made private on the way
  EXPECT_EQ(mode_of(d.path / "192.0.2.2"), 0700u);
  // A peer connecting again after its folder went gets a new one.
  EXPECT_TRUE(dir.open("192.0.2.9", 4, "IN", kNow));
}

TEST(LogTranscript, PruneRemovesTheOldestPastTheTotal) {
  Dir d;
  log::TranscriptDir dir(d.path, limits(1 << 20, 250, hours(24 * 365)));
  std::vector<fs::path> files;
  for (int i = 0; i < 5; ++i)  // 100 octets each, the first the oldest, over two peers
    files.push_back(make_file(d.path / (i % 2 ? "192.0.2.1" : "2001_db8__64"), "f-" + std::to_string(i) + ".IN",
                              100, kNow - hours(10 - i)));
  auto st = dir.prune(kNow);
  EXPECT_EQ(st.files, 3u);
  EXPECT_EQ(st.kept_bytes, 200u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(fs::exists(files[i]), i >= 3) << i;
  EXPECT_EQ(dir.prune(kNow).files, 0u);  // nothing more to do
}

TEST(LogTranscript, PruneFollowsNoSymlinks) {
  Dir d;
  Dir outside;
  auto victim = make_file(outside.path, "victim.IN", 100, kNow - hours(1000));
  fs::create_directories(d.path / "192.0.2.1");
  fs::create_symlink(victim, d.path / "192.0.2.1" / "link.IN");
  fs::create_directory_symlink(outside.path, d.path / "192.0.2.2");
  auto st = log::TranscriptDir(d.path, limits(1 << 20, 0, hours(1))).prune(kNow);
  EXPECT_EQ(st.files, 0u);
  EXPECT_TRUE(fs::exists(victim));
}

// Between two prunes the folder is bounded live: past max_files or max_total_bytes no new log is started (a
// connection flood cannot use up the disk's inodes), and logging resumes once prune() made room.
TEST(LogTranscript, LiveBoundsOnFilesAndBytesBetweenPrunes) {
  Dir d;
  auto l = limits(1 << 20, 1 << 30, hours(24));
  l.max_files = 3;
  log::TranscriptDir dir(d.path, l);
  ASSERT_TRUE(dir.prepare());
  dir.prune(kNow);
  std::vector<std::unique_ptr<log::Transcript>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(dir.open("192.0.2." + std::to_string(i + 1), i, "IN", kNow));
    ASSERT_TRUE(open.back()) << i;
  }
  EXPECT_FALSE(dir.open("192.0.2.9", 9, "IN", kNow));  // the fourth file
  open.clear();
  dir.prune(kNow + hours(25));  // the three are past max_age now
  EXPECT_TRUE(dir.open("192.0.2.9", 10, "IN", kNow + hours(25)));

  Dir d2;
  log::TranscriptDir small(d2.path, limits(1 << 20, 200, hours(24)));
  ASSERT_TRUE(small.prepare());
  small.prune(kNow);
  {
    auto t = small.open("192.0.2.1", 1, "IN", kNow);
    ASSERT_TRUE(t);
    for (int i = 0; i < 10; ++i) t->client("a line of about forty octets, again and again");
    t->flush();
  }
  EXPECT_FALSE(small.open("192.0.2.2", 2, "IN", kNow));  // over 200 octets written since the prune
}
