#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "fake_store.h"
#include "queue/router.h"

using namespace axon;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path dir = fs::temp_directory_path() / ("axon-router-" + std::to_string(std::random_device{}()));
  fakes::FakeStore store;
  std::unique_ptr<queue::Spool> spool;
  std::unique_ptr<queue::Router> router;

  Fixture() {
    queue::SpoolOptions so{dir / "spool"};
    so.segment_max_age = std::chrono::milliseconds(10);
    spool = std::move(*queue::Spool::open(so));
    queue::RouterOptions ro;
    ro.undeliverable_dir = dir / "undeliverable";
    ro.checkpoint_interval = std::chrono::milliseconds(10);
    ro.retry_delay = std::chrono::milliseconds(20);
    router = std::make_unique<queue::Router>(store, *spool, ro);
  }
  ~Fixture() {
    if (router) router->stop();
    if (spool) spool->stop();
    fs::remove_all(dir);
  }
  void start() {
    router->start();
    spool->start([this](std::vector<queue::Spooled> v) { router->enqueue(std::move(v)); });
  }
  std::string submit(std::vector<std::vector<std::string>> rcpt_targets, std::string data = "Subject: t\r\n\r\nx\r\n") {
    core::Message m;
    m.envelope.mail_from = "s@example.net";
    for (auto& t : rcpt_targets) m.envelope.rcpts.push_back({t.empty() ? "x" : t[0], t, "", ""});
    m.data = std::move(data);
    std::promise<std::string> p;
    spool->submit(std::move(m), [&](core::Result<std::string> r) { p.set_value(r ? *r : ""); });
    return p.get_future().get();
  }
  bool wait_for(const std::function<bool()>& f) {
    for (int i = 0; i < 300; ++i) {
      if (f()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::size_t stored() {
    std::lock_guard lk(store.mu);
    return store.stored.size();
  }
};

}  // namespace

TEST(QueueRouter, DeliversOneCopyPerAccountWithReturnPath) {
  Fixture f;
  f.start();
  auto id = f.submit({{"alice@example.org", "bob@example.org"}, {"alice@example.org"}});
  ASSERT_TRUE(f.wait_for([&] { return f.stored() == 2; }));
  std::lock_guard lk(f.store.mu);
  auto& msg = f.store.stored.at(id + "/alice@example.org");
  EXPECT_EQ(msg.rfind("Return-Path: <s@example.net>\r\nSubject: t\r\n", 0), 0u);
  EXPECT_TRUE(f.store.stored.count(id + "/bob@example.org"));
}

TEST(QueueRouter, ReleasesSpoolOnlyAfterSync) {
  Fixture f;
  f.start();
  for (int i = 0; i < 5; ++i) f.submit({{"alice@example.org"}});
  ASSERT_TRUE(f.wait_for([&] { return f.spool->stats().backlog_bytes == 0; }));
  std::lock_guard lk(f.store.mu);
  EXPECT_GE(f.store.syncs, 1);
  EXPECT_EQ(f.store.stored.size(), 5u);
}

TEST(QueueRouter, TemporaryFailureIsRetried) {
  Fixture f;
  f.store.fail_temporarily = 2;
  f.start();
  f.submit({{"alice@example.org"}});
  ASSERT_TRUE(f.wait_for([&] { return f.stored() == 1; }));
  EXPECT_GE(f.router->stats().retries, 1u);
}

TEST(QueueRouter, VanishedAccountIsParkedNotLost) {
  Fixture f;
  f.start();
  auto id = f.submit({{"gone@example.org"}});
  ASSERT_TRUE(f.wait_for([&] { return f.router->stats().undeliverable == 1; }));
  auto parked = f.dir / "undeliverable" / (id + ".eml");
  EXPECT_TRUE(fs::exists(parked));
}

TEST(QueueRouter, ReplayAfterCrashStoresNothingTwice) {
  Fixture f;
  std::vector<queue::Spooled> v;
  queue::Spooled m;
  m.id = "ID42";
  m.envelope.rcpts.push_back({"alice@example.org", {"alice@example.org"}, "", ""});
  m.data = "x\r\n";
  m.size = 3;
  v.push_back(m);
  v.push_back(m);
  auto n = f.router->deliver_now(std::move(v));
  ASSERT_TRUE(n);
  EXPECT_EQ(f.stored(), 1u);
  EXPECT_EQ(f.router->stats().duplicates, 1u);
}

// A failed Store::sync() is never retried into success: the router stops, releases nothing, and says so once.
TEST(QueueRouter, FailedSyncStopsDeliveryAndKeepsTheSpool) {
  Fixture f;
  std::atomic<int> fatals{0};
  queue::RouterOptions ro;
  ro.undeliverable_dir = f.dir / "undeliverable";
  ro.checkpoint_interval = std::chrono::milliseconds(10);
  ro.on_fatal = [&](const std::string&) { ++fatals; };
  f.router = std::make_unique<queue::Router>(f.store, *f.spool, ro);
  f.store.fail_sync = true;
  f.start();
  f.submit({{"alice@example.org"}});
  ASSERT_TRUE(f.wait_for([&] { return f.router->broken(); }));
  f.submit({{"alice@example.org"}});  // accepted by the spool, never delivered now
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(fatals.load(), 1);
  EXPECT_EQ(f.stored(), 1u);
  EXPECT_GT(f.spool->stats().backlog_bytes, 0u);  // nothing was released
  f.store.fail_sync = false;  // the disk "recovers": still nothing is released by this process
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(f.stored(), 1u);
  f.router->stop();
  f.spool->stop();
  // The next process replays both records.
  f.router.reset();
  f.spool.reset();
  auto again = queue::Spool::open({f.dir / "spool"});
  ASSERT_TRUE(again);
  auto rec = (*again)->recover();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size(), 2u);
}

// A delivery key that holds another message (a collision) is parked, never dropped as a duplicate.
TEST(QueueRouter, CollisionIsParkedNotDropped) {
  Fixture f;
  f.store.collide = true;
  f.start();
  auto id = f.submit({{"alice@example.org"}});
  ASSERT_TRUE(f.wait_for([&] { return f.router->stats().undeliverable == 1; }));
  EXPECT_TRUE(fs::exists(f.dir / "undeliverable" / (id + ".eml")));
  EXPECT_EQ(f.router->stats().duplicates, 0u);
}

// Big messages reach the store from the spool segment by range, never as one string in the router.
TEST(QueueRouter, BigMessageIsDeliveredFromTheSegment) {
  Fixture f;
  f.start();
  std::string big = "Subject: big\r\n\r\n";
  while (big.size() < (3u << 20)) big += "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstu\r\n";
  auto id = f.submit({{"alice@example.org"}}, big);
  ASSERT_TRUE(f.wait_for([&] { return f.stored() == 1; }));
  std::lock_guard lk(f.store.mu);
  EXPECT_EQ(f.store.stored.at(id + "/alice@example.org"), "Return-Path: <s@example.net>\r\n" + big);
  EXPECT_EQ(f.store.from_file, 1);
}

// A mailbox out of UIDs (Errc::limit) will not get better by retrying: parked, not retried forever.
TEST(QueueRouter, MailboxLimitIsParkedNotRetriedForever) {
  Fixture f;
  f.store.limit_error = true;
  f.start();
  auto id = f.submit({{"alice@example.org"}});
  ASSERT_TRUE(f.wait_for([&] { return f.router->stats().undeliverable == 1; }));
  EXPECT_TRUE(fs::exists(f.dir / "undeliverable" / (id + ".eml")));
  EXPECT_EQ(f.router->stats().retries, 0u);
}
