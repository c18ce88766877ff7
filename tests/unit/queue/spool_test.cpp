#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <future>
#include <random>
#include <set>
#include <thread>

#include "config/schema.h"
#include "queue/record.h"
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

// A spool in `dir` that takes n messages and stops (what an earlier run leaves behind); their ids.
std::vector<std::string> spool_messages(const fs::path& dir, int n) {
  auto s = queue::Spool::open({dir});
  EXPECT_TRUE(s);
  if (!s) return {};
  (*s)->start([](std::vector<queue::Spooled>) {});
  auto ids = submit_all(**s, n);
  (*s)->stop();
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
  spool_messages(d.path, 3);
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
  spool_messages(d.path, 2);
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

namespace {

std::vector<fs::path> segments(const fs::path& dir) {
  std::vector<fs::path> v;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".seg") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

// Offsets of the records in a segment (found by their magic).
std::vector<std::size_t> record_offsets(const fs::path& seg) {
  std::ifstream in(seg, std::ios::binary);
  std::string buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::size_t> v;
  for (auto p = buf.find("AXS2"); p != std::string::npos; p = buf.find("AXS2", p + 1)) v.push_back(p);
  return v;
}

void flip(const fs::path& f, std::size_t at) {
  std::fstream io(f, std::ios::in | std::ios::out | std::ios::binary);
  io.seekg(static_cast<std::streamoff>(at));
  char c = static_cast<char>(io.get());
  io.seekp(static_cast<std::streamoff>(at));
  io.put(static_cast<char>(c ^ 0x5a));
}

}  // namespace

// Damage in the middle of a segment drops nothing after it: every intact record is replayed, and the segment
// goes to damaged/ (not unlinked) once they are released.
TEST(QueueSpool, DamageInTheMiddleKeepsTheRecordsAfterIt) {
  TempDir d;
  std::vector<std::string> ids;
  ids = spool_messages(d.path, 5);
  auto segs = segments(d.path);
  ASSERT_EQ(segs.size(), 1u);
  auto offs = record_offsets(segs[0]);
  ASSERT_EQ(offs.size(), 5u);
  flip(segs[0], offs[1] + 40);  // inside the second record's envelope: its CRC fails
  queue::SpoolOptions o{d.path};
  auto s = queue::Spool::open(o);
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->size(), 4u);
  EXPECT_EQ((*rec)[0].id, ids[0]);
  EXPECT_EQ((*rec)[1].id, ids[2]);
  EXPECT_EQ((*rec)[3].id, ids[4]);
  EXPECT_EQ(*(*rec)[3].read(), sample(4).data);
  EXPECT_EQ((*s)->stats().damaged_segments, 1u);
  std::vector<queue::Spool::Released> rel;
  for (auto& r : *rec) rel.push_back({r.segment, r.size});
  EXPECT_TRUE(fs::exists(segs[0]));
  (*s)->release(rel);
  EXPECT_FALSE(fs::exists(segs[0]));
  EXPECT_TRUE(fs::exists(d.path / "damaged" / segs[0].filename()));
}

// A damaged header (a length that would reach past the end) is damage too when intact records follow.
TEST(QueueSpool, DamagedLengthIsNotMistakenForATornTail) {
  TempDir d;
  spool_messages(d.path, 3);
  auto seg = segments(d.path)[0];
  auto offs = record_offsets(seg);
  flip(seg, offs[0] + 12);  // the high octets of the first record's data length
  auto s = queue::Spool::open({d.path});
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size(), 2u);
  EXPECT_EQ((*s)->stats().damaged_segments, 1u);
}

// A torn tail of the newest segment is cut off durably: a second recovery sees a whole segment.
TEST(QueueSpool, TornTailIsCutOff) {
  TempDir d;
  spool_messages(d.path, 2);
  auto seg = segments(d.path)[0];
  auto whole = fs::file_size(seg);
  {
    std::ofstream f(seg, std::ios::app | std::ios::binary);
    f << std::string("AXS2\x40\x00\x00\x00", 8) << std::string(100, 'z');
  }
  {
    auto s = queue::Spool::open({d.path});
    auto rec = (*s)->recover();
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->size(), 2u);
    EXPECT_EQ((*s)->stats().damaged_segments, 0u);
  }
  EXPECT_EQ(fs::file_size(seg), whole);
}

// Only the newest segment can have a torn tail: junk at the end of an older one is damage (kept for the admin).
TEST(QueueSpool, BadTailOfAnOlderSegmentIsDamage) {
  TempDir d;
  queue::SpoolOptions o{d.path};
  o.segment_max_age = std::chrono::milliseconds(1);
  {
    auto s = queue::Spool::open(o);
    (*s)->start([](std::vector<queue::Spooled>) {});
    submit_all(**s, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    submit_all(**s, 1);
    (*s)->stop();
  }
  auto segs = segments(d.path);
  ASSERT_EQ(segs.size(), 2u);
  {
    std::ofstream f(segs[0], std::ios::app | std::ios::binary);
    f << "garbage";
  }
  auto s = queue::Spool::open(o);
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size(), 2u);
  EXPECT_EQ((*s)->stats().damaged_segments, 1u);
}

// Queue ids never come from the clock: stepping it back across a restart repeats none.
TEST(QueueSpool, IdsAreUniqueAcrossRestartsAndClockSteps) {
  TempDir d;
  core::FakeClock clock;
  std::set<std::string> seen;
  for (int run = 0; run < 3; ++run) {
    queue::SpoolOptions o{d.path};
    o.clock = &clock;
    auto s = queue::Spool::open(o);
    ASSERT_TRUE(s);
    (void)(*s)->recover();
    (*s)->start([](std::vector<queue::Spooled>) {});
    for (auto& id : submit_all(**s, 20)) EXPECT_TRUE(seen.insert(id).second) << id;
    (*s)->stop();
    clock.advance(-std::chrono::hours(24));  // the clock steps back before the next start
  }
  EXPECT_EQ(seen.size(), 60u);
}

TEST(QueueSpool, DamagedIdFileIsRefusedNotReset) {
  TempDir d;
  spool_messages(d.path, 1);
  std::ofstream(d.path / "ids") << "garbage";
  auto s = queue::Spool::open({d.path});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().detail.find("ids"), std::string::npos);
}

// Data past the per-message memory share goes to a spill file; spooled and recovered byte for byte.
TEST(QueueSpool, SpilledMessageIsSpooledIntact) {
  TempDir d;
  queue::SpoolOptions o{d.path};
  o.intake.per_message_memory = 64 << 10;
  auto s = queue::Spool::open(o);
  (*s)->start([](std::vector<queue::Spooled>) {});
  auto buf = (*s)->begin_message();
  ASSERT_TRUE(buf);
  std::string expect;
  for (int i = 0; i < 5000; ++i) {
    std::string line = "line " + std::to_string(i) + " of a message that is too big to keep in memory\r\n";
    buf->append(line);
    expect += line;
  }
  EXPECT_TRUE(buf->spilled());
  EXPECT_EQ((*s)->budget().memory(), 0u);
  EXPECT_EQ((*s)->budget().in_flight(), expect.size());
  std::promise<core::Result<std::string>> p;
  (*s)->submit(sample(1).envelope, std::move(buf), [&](core::Result<std::string> r) { p.set_value(r); });
  ASSERT_TRUE(p.get_future().get().ok());
  (*s)->stop();
  EXPECT_EQ((*s)->budget().in_flight(), 0u);
  s->reset();
  auto again = queue::Spool::open(o);
  auto rec = (*again)->recover();
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->size(), 1u);
  EXPECT_FALSE((*rec)[0].data);  // too big to travel in memory
  EXPECT_EQ(*(*rec)[0].read(), expect);
}

// The memory budget is shared: once it is used up, further buffers spill at once; past the in-flight limit no
// new transaction gets a buffer (452 4.3.1), and it comes back when data leaves.
TEST(QueueSpool, IntakeBudgetsBoundMemoryAndInFlightData) {
  TempDir d;
  queue::IntakeLimits l;
  l.memory = 256 << 10;
  l.per_message_memory = 128 << 10;
  l.in_flight = 1 << 20;
  queue::IntakeBudget b(l, d.path);
  std::string chunk(100 << 10, 'x');
  auto a = b.begin(), c = b.begin(), e = b.begin();
  a->append(chunk);
  c->append(chunk);
  EXPECT_FALSE(a->spilled());
  EXPECT_FALSE(c->spilled());
  e->append(chunk);  // the shared 256 KiB would be exceeded
  EXPECT_TRUE(e->spilled());
  EXPECT_LE(b.memory(), l.memory);
  for (int i = 0; i < 8; ++i) e->append(chunk);
  EXPECT_GE(b.in_flight(), l.in_flight);
  EXPECT_EQ(b.begin(), nullptr);
  e.reset();
  EXPECT_NE(b.begin(), nullptr);
  a.reset();
  c.reset();
  EXPECT_EQ(b.memory(), 0u);
  EXPECT_EQ(b.in_flight(), 0u);
}

// The largest message the config allows fits a spool record, so an accepted message can always be recovered.
TEST(QueueSpool, LargestConfigurableMessageFitsARecord) {
  bool seen = false;
  for (const auto& k : config::schema::keys()) {
    if (k.section != "smtp" || k.name != "max_message_size") continue;
    seen = true;
    EXPECT_LE(static_cast<uint64_t>(k.max), queue::record::kMaxData);
  }
  EXPECT_TRUE(seen);
}

// A client may send a whole well-formed record as message data. When damage makes recovery search for the next
// intact record, that forgery must not pass for one: header CRCs are seeded with the segment's secret nonce.
TEST(QueueSpool, RecordForgedInMessageDataIsNeverReplayed) {
  TempDir d;
  core::Envelope forged_env = sample(9).envelope;
  forged_env.rcpts = {{"victim@example.org", {"victim@example.org"}, "", ""}};
  forged_env.authenticated = true;
  std::string forged_data = "Subject: forged\r\n\r\nfrom nobody\r\n";
  std::string env = queue::record::encode_envelope("FORGED", forged_env);
  queue::record::Header h;
  h.envelope_size = static_cast<uint32_t>(env.size());
  h.data_size = forged_data.size();
  h.envelope_crc = queue::crc32(env);
  h.data_crc = queue::crc32(forged_data);
  std::string forgery;
  for (uint32_t seed : {0u, 1u, 0xFFFFFFFFu}) forgery += queue::record::encode_header(h, seed) + env + forged_data;
  {
    auto s = queue::Spool::open({d.path});
    (*s)->start([](std::vector<queue::Spooled>) {});
    submit_all(**s, 1);
    core::Message m = sample(2);
    m.data = "Subject: carrier\r\n\r\n" + forgery + "\r\n";
    std::promise<bool> p;
    (*s)->submit(m, [&](core::Result<std::string> r) { p.set_value(r.ok()); });
    ASSERT_TRUE(p.get_future().get());
    submit_all(**s, 1);
    (*s)->stop();
  }
  auto seg = segments(d.path)[0];
  auto offs = record_offsets(seg);  // the real records and the forged ones inside the carrier's data
  ASSERT_GE(offs.size(), 3u);
  flip(seg, offs[1] + 20);  // the carrier's data CRC: the carrier is damaged, recovery searches onwards
  auto s = queue::Spool::open({d.path});
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  for (const auto& r : *rec) EXPECT_NE(r.id, "FORGED");
  EXPECT_EQ(rec->size(), 2u);  // the records before and after the carrier
  EXPECT_EQ((*s)->stats().damaged_segments, 1u);
}

// A torn tail is copied to damaged/NAME.tail before it is cut off: a record cut short at the end may also be
// damage at the very end of the file, and its bytes stay available to the admin.
TEST(QueueSpool, TornTailIsSavedBeforeItIsCut) {
  TempDir d;
  spool_messages(d.path, 3);
  auto seg = segments(d.path)[0];
  auto size = fs::file_size(seg);
  auto offs = record_offsets(seg);
  fs::resize_file(seg, offs[2] + 10);  // the last record cut short
  {
    auto s = queue::Spool::open({d.path});
    auto rec = (*s)->recover();
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->size(), 2u);
  }
  EXPECT_TRUE(fs::exists(d.path / "damaged" / (seg.filename().string() + ".tail")));
  EXPECT_LT(fs::file_size(seg), size);
}

// A message whose session gave up waiting (and answered 451) is not written if the writer has not taken it yet.
TEST(QueueSpool, CancelledSubmitIsNotWritten) {
  TempDir d;
  {
    auto s = queue::Spool::open({d.path});
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    std::promise<core::Result<std::string>> p;
    auto m = sample(1);
    auto buf = std::make_unique<core::StringBuffer>();
    buf->append(m.data);
    (*s)->submit(m.envelope, std::move(buf), [&](core::Result<std::string> r) { p.set_value(r); }, cancel);
    *cancel = true;  // before the writer runs
    (*s)->start([](std::vector<queue::Spooled>) {});
    EXPECT_FALSE(p.get_future().get().ok());
    submit_all(**s, 1);
    (*s)->stop();
  }
  auto s = queue::Spool::open({d.path});
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size(), 1u);
}

// An envelope that a record cannot hold is refused before its 250, never written and lost at recovery.
TEST(QueueSpool, OversizedEnvelopeIsRefusedNotWritten) {
  TempDir d;
  auto s = queue::Spool::open({d.path});
  (*s)->start([](std::vector<queue::Spooled>) {});
  auto m = sample(1);
  core::Recipient r = m.envelope.rcpts[0];
  r.orcpt = std::string(4000, 'o');
  m.envelope.rcpts.assign(20000, r);  // ~80 MB of JSON
  EXPECT_FALSE(queue::Spool::envelope_fits(m.envelope));
  EXPECT_TRUE(queue::Spool::envelope_fits(sample(2).envelope));
  std::promise<core::Result<std::string>> p;
  (*s)->submit(m, [&](core::Result<std::string> res) { p.set_value(res); });
  auto res = p.get_future().get();
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, core::Errc::too_big);
}

// A spilled message becomes its own segment: its data is not copied (the file is the spill file, named), and
// it is recovered intact next to the shared segment's records. Cut short before its 250 (a crash during its
// fdatasync), it is a torn tail even when it is not the newest segment.
TEST(QueueSpool, SpilledMessageBecomesItsOwnSegment) {
  TempDir d;
  queue::SpoolOptions o{d.path};
  o.intake.per_message_memory = 64 << 10;
  std::string big;
  for (int i = 0; big.size() < (1u << 20); ++i) big += "line " + std::to_string(i) + " of a big message\r\n";
  {
    auto s = queue::Spool::open(o);
    (*s)->start([](std::vector<queue::Spooled>) {});
    auto buf = (*s)->begin_message();
    buf->append(big);
    ASSERT_TRUE(buf->spilled());
    std::promise<core::Result<std::string>> p;
    (*s)->submit(sample(1).envelope, std::move(buf), [&](core::Result<std::string> r) { p.set_value(r); });
    ASSERT_TRUE(p.get_future().get().ok());
    submit_all(**s, 2);  // small ones, in a shared segment with a higher number
    (*s)->stop();
  }
  auto segs = segments(d.path);
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(fs::file_size(segs[0]), queue::record::kSpillGap + big.size());  // the spill file itself
  {
    auto s = queue::Spool::open(o);
    auto rec = (*s)->recover();
    ASSERT_TRUE(rec);
    ASSERT_EQ(rec->size(), 3u);
    EXPECT_EQ(*(*rec)[0].read(), big);
    EXPECT_EQ((*s)->stats().damaged_segments, 0u);
  }
  fs::resize_file(segs[0], queue::record::kSpillGap + 1000);  // its data cut short
  auto s = queue::Spool::open(o);
  auto rec = (*s)->recover();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->size(), 2u);
  EXPECT_EQ((*s)->stats().damaged_segments, 0u);
  EXPECT_TRUE(fs::exists(d.path / "damaged" / (segs[0].filename().string() + ".tail")));
}
