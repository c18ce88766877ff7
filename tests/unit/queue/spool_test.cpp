#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "queue/spool.h"

using namespace axon;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("axon-spool-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

core::Message sample(int i) {
  core::Message m;
  m.envelope.mail_from = "sender@example.net";
  m.envelope.helo = "client.example.net";
  m.envelope.peer_ip = "192.0.2.1";
  m.envelope.body = core::BodyType::eight_bit_mime;
  m.envelope.dsn_ret = "HDRS";
  m.envelope.dsn_envid = "env" + std::to_string(i);
  m.envelope.rcpts.push_back({"alice@example.org", {"alice@example.org"}, "SUCCESS,FAILURE", "rfc822;alice@example.org"});
  m.data = "Subject: " + std::to_string(i) + "\r\n\r\nbody " + std::to_string(i) + "\r\n";
  return m;
}

std::vector<std::string> submit_all(queue::Spool& s, int n) {
  std::vector<std::promise<core::Result<std::string>>> ps(n);
  for (int i = 0; i < n; ++i)
    s.submit(sample(i), [&ps, i](core::Result<std::string> r) { ps[i].set_value(std::move(r)); });
  std::vector<std::string> ids;
  for (auto& p : ps) {
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok());
    if (r) ids.push_back(*r);
  }
  return ids;
}

std::size_t count_segments(const fs::path& dir) {
  std::size_t n = 0;
  for (auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".seg";
  return n;
}

}  // namespace

TEST(QueueSpool, EnvelopeRoundTrip) {
  auto m = sample(7);
  m.envelope.smtputf8 = true;
  m.envelope.tls = "TLSv1.3 with cipher X";
  std::string id;
  auto e = queue::Spool::decode_envelope(queue::Spool::encode_envelope("ID1", m.envelope), &id);
  ASSERT_TRUE(e);
  EXPECT_EQ(id, "ID1");
  EXPECT_EQ(e->mail_from, m.envelope.mail_from);
  EXPECT_EQ(e->body, core::BodyType::eight_bit_mime);
  EXPECT_TRUE(e->smtputf8);
  EXPECT_EQ(e->dsn_ret, "HDRS");
  EXPECT_EQ(e->dsn_envid, "env7");
  EXPECT_EQ(e->tls, m.envelope.tls);
  ASSERT_EQ(e->rcpts.size(), 1u);
  EXPECT_EQ(e->rcpts[0].notify, "SUCCESS,FAILURE");
  EXPECT_EQ(e->rcpts[0].orcpt, "rfc822;alice@example.org");
  EXPECT_FALSE(queue::Spool::decode_envelope("{", nullptr));
  EXPECT_FALSE(queue::Spool::decode_envelope("{\"id\":1}", nullptr));
}

TEST(QueueSpool, SecondProcessIsLockedOut) {
  TempDir d;
  auto a = queue::Spool::open({d.path});
  ASSERT_TRUE(a);
  auto b = queue::Spool::open({d.path});
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, core::Errc::in_use);
}

TEST(QueueSpool, AcknowledgesOnlyDurableAndRecoversEverything) {
  TempDir d;
  std::vector<std::string> ids;
  {
    auto s = queue::Spool::open({d.path});
    ASSERT_TRUE(s);
    std::atomic<int> sunk{0};
    (*s)->start([&](std::vector<queue::Spooled> v) { sunk += static_cast<int>(v.size()); });
    ids = submit_all(**s, 50);
    (*s)->stop();
    EXPECT_EQ(sunk.load(), 50);
  }
  // Nothing was released: a new process recovers every message with its id and envelope.
  auto s = queue::Spool::open({d.path});
  ASSERT_TRUE(s);
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->size(), 50u);
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 50u);
  for (std::size_t i = 0; i < rec->size(); ++i) {
    EXPECT_EQ((*rec)[i].id, ids[i]);
    EXPECT_EQ(*(*rec)[i].read(), sample(static_cast<int>(i)).data);
    EXPECT_EQ((*rec)[i].envelope.dsn_envid, "env" + std::to_string(i));
  }
}

TEST(QueueSpool, GroupCommitSharesFsyncs) {
  TempDir d;
  auto s = queue::Spool::open({d.path});
  ASSERT_TRUE(s);
  (*s)->start([](std::vector<queue::Spooled>) {});
  // 8 threads submit 100 each at once: far fewer fsyncs than messages.
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) ts.emplace_back([&] { submit_all(**s, 100); });
  for (auto& t : ts) t.join();
  auto st = (*s)->stats();
  EXPECT_EQ(st.messages, 800u);
  EXPECT_LT(st.fsyncs, 800u);
  EXPECT_EQ(st.fsyncs, st.batches);
}

TEST(QueueSpool, TornTailIsIgnored) {
  TempDir d;
  {
    auto s = queue::Spool::open({d.path});
    (*s)->start([](std::vector<queue::Spooled>) {});
    submit_all(**s, 3);
    (*s)->stop();
  }
  // A crash mid-write leaves a partial record (never acknowledged) at the tail.
  fs::path seg;
  for (auto& e : fs::directory_iterator(d.path))
    if (e.path().extension() == ".seg") seg = e.path();
  ASSERT_FALSE(seg.empty());
  {
    std::ofstream f(seg, std::ios::app | std::ios::binary);
    f << "AXS1\x10\x00\x00";
  }
  auto s = queue::Spool::open({d.path});
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size(), 3u);
}

TEST(QueueSpool, CorruptRecordStopsThatSegmentOnly) {
  TempDir d;
  {
    auto s = queue::Spool::open({d.path});
    (*s)->start([](std::vector<queue::Spooled>) {});
    submit_all(**s, 2);
    (*s)->stop();
  }
  fs::path seg;
  for (auto& e : fs::directory_iterator(d.path))
    if (e.path().extension() == ".seg") seg = e.path();
  // Flip a byte in the last record's data: its CRC fails, the first record survives.
  auto size = fs::file_size(seg);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - 3));
    f.put('X');
  }
  auto s = queue::Spool::open({d.path});
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size(), 1u);
}

TEST(QueueSpool, ReleasedSegmentsAreRemoved) {
  TempDir d;
  queue::SpoolOptions o{d.path};
  o.segment_max_age = std::chrono::milliseconds(20);
  auto s = queue::Spool::open(o);
  std::mutex mu;
  std::vector<queue::Spool::Released> rel;
  (*s)->start([&](std::vector<queue::Spooled> v) {
    std::lock_guard lk(mu);
    for (auto& m : v) rel.push_back({m.segment, m.size});
  });
  submit_all(**s, 10);
  // The segment stays while records are unreleased, even after it is rotated.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  submit_all(**s, 1);  // wakes the writer, which rotates the old segment
  EXPECT_GE(count_segments(d.path), 1u);
  // done() (the 250) runs just before the sink gets the batch: wait until all 11 were handed over.
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lk(mu);
      if (rel.size() == 11) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  {
    std::lock_guard lk(mu);
    ASSERT_EQ(rel.size(), 11u);
    (*s)->release(rel);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (*s)->stop();
  EXPECT_EQ(count_segments(d.path), 0u);
  EXPECT_EQ((*s)->stats().backlog_bytes, 0u);
}

TEST(QueueSpool, SubmitAfterStopFailsCleanly) {
  TempDir d;
  auto s = queue::Spool::open({d.path});
  (*s)->start([](std::vector<queue::Spooled>) {});
  (*s)->stop();
  std::promise<bool> p;
  (*s)->submit(sample(1), [&](core::Result<std::string> r) { p.set_value(r.ok()); });
  EXPECT_FALSE(p.get_future().get());
}
