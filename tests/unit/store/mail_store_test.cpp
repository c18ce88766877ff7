// Tests of the readers' side of the embedded store (store/mail_store.h): publication after sync, counters on the
// mailbox row, flags with mod-sequences and UNCHANGEDSINCE, expunge with tombstones (VANISHED), spent delivery
// keys, COPY/MOVE, APPEND, mailbox create/rename/delete, subscriptions, watch() notifications, and crash recovery
// (a lost file's row is removed and its UID is never given to another message).
// Security: none (test code; temp directories only).
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <filesystem>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/store.h"
#include "store_reads.h"
#include "temp_dir.h"

using namespace axon;
using namespace axon::store;
namespace fs = std::filesystem;
using axon::test::TempDir;
using core::Errc;

namespace {

class MailStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open(bool owner = true) {
    SqliteOptions o{dir.path(), &clock};
    o.owner = owner;
    auto r = open_sqlite(o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
    return r.ok() ? std::move(*r) : nullptr;
  }
  void SetUp() override {
    s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->add_domain("example.org"));
    ASSERT_TRUE(s->add_account("alice@example.org", "$argon2id$alice"));
    alice = *s->account_id("alice@example.org");
    inbox = s->mailbox(alice, "inbox")->id;
  }
  uint32_t deliver(const std::string& key, const std::string& data, bool sync = true) {
    Delivery d;
    d.delivery_key = key;
    d.account = "alice@example.org";
    d.data = data;
    auto out = s->deliver(std::vector<Delivery>{d});
    EXPECT_TRUE(out[0].ok());
    if (sync) EXPECT_TRUE(s->sync());
    return out[0].ok() ? out[0]->uid : 0;
  }
  // Runs `work` on a store opened in a child process that then exits without sync or destructor: a crash.
  // True when `work` returned true.
  bool in_crashing_process(const std::function<bool(Store&)>& work) {
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
      auto c = open();
      _exit(c && work(*c) ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  static bool deliver_unsynced(Store& c, const std::string& key, const std::string& data, uint32_t want_uid = 0) {
    Delivery d;
    d.delivery_key = key;
    d.account = "alice@example.org";
    d.data = data;
    auto out = c.deliver(std::vector<Delivery>{d});
    return out[0].ok() && (want_uid == 0 || out[0]->uid == want_uid);
  }
  std::vector<uint32_t> uids(MailboxId mb) {
    std::vector<uint32_t> v;
    auto msgs = s->messages(mb);
    EXPECT_TRUE(msgs.ok());
    for (auto& m : *msgs) v.push_back(m.uid);
    return v;
  }

  TempDir dir;
  core::FakeClock clock;
  std::unique_ptr<Store> s;
  AccountId alice;
  MailboxId inbox;
};

TEST_F(MailStoreTest, DeliveriesAreVisibleOnlyAfterSync) {
  deliver("k1", "Subject: a\r\n\r\none\r\n", false);
  EXPECT_TRUE(s->messages(inbox)->empty());
  EXPECT_EQ(s->mailbox(inbox)->uidnext, 1u);
  EXPECT_EQ(s->mailbox(inbox)->highest_modseq, 1u);
  ASSERT_TRUE(s->sync());
  EXPECT_EQ(uids(inbox), (std::vector<uint32_t>{1}));
  auto mb = *s->mailbox(inbox);
  EXPECT_EQ(mb.uidnext, 2u);
  EXPECT_EQ(mb.highest_modseq, 2u);
  EXPECT_EQ(mb.messages, 1u);
  EXPECT_EQ(mb.unseen, 1u);
  EXPECT_EQ(mb.bytes, 19u);
}

TEST_F(MailStoreTest, FlagsTakeOneModseqPerCommandAndHonourUnchangedSince) {
  deliver("k1", "a\r\n");
  deliver("k2", "b\r\n");
  std::vector<uint32_t> both{1, 2};
  FlagChange add{FlagOp::add, Flag::seen | Flag::flagged, {"$Label1"}, std::nullopt};
  auto r = s->set_flags(inbox, both, add);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->changed.size(), 2u);
  EXPECT_EQ(r->changed[0].modseq, r->changed[1].modseq);
  uint64_t m1 = r->changed[0].modseq;
  EXPECT_GT(m1, 3u);
  // Adding again changes nothing, takes no modseq.
  EXPECT_TRUE(s->set_flags(inbox, both, add)->changed.empty());
  // Case-insensitive keywords (RFC 9051 §2.3.2).
  EXPECT_TRUE(s->set_flags(inbox, both, FlagChange{FlagOp::add, 0, {"$label1"}, std::nullopt})->changed.empty());
  ASSERT_TRUE(s->sync());
  EXPECT_EQ(s->mailbox(inbox)->highest_modseq, m1);
  EXPECT_EQ(s->mailbox(inbox)->unseen, 0u);
  // UNCHANGEDSINCE older than message 2's modseq: refused for it (RFC 7162 §3.2).
  auto one = std::vector<uint32_t>{1};
  ASSERT_TRUE(s->set_flags(inbox, one, FlagChange{FlagOp::remove, Flag::seen, {}, std::nullopt}));
  ASSERT_TRUE(s->sync());
  auto cond = s->set_flags(inbox, both, FlagChange{FlagOp::add, Flag::answered, {}, m1});
  ASSERT_TRUE(cond.ok());
  EXPECT_EQ(cond->failed, (std::vector<uint32_t>{1}));
  ASSERT_EQ(cond->changed.size(), 1u);
  EXPECT_EQ(cond->changed[0].uid, 2u);
  ASSERT_TRUE(s->sync());
  auto changed = s->changed_since(inbox, m1);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->size(), 2u);  // 1 by the -FLAGS, 2 by the +FLAGS
  auto msgs = *s->messages(inbox);
  EXPECT_EQ(msgs[1].flags, Flag::seen | Flag::flagged | Flag::answered);
  EXPECT_EQ(msgs[1].keywords, (std::vector<std::string>{"$Label1"}));
  EXPECT_EQ(s->mailbox(inbox)->unseen, 1u);
  // Replace.
  ASSERT_TRUE(s->set_flags(inbox, both, FlagChange{FlagOp::replace, Flag::draft, {}, std::nullopt}));
  ASSERT_TRUE(s->sync());
  auto replaced = s->messages(inbox);
  for (auto& m : *replaced) {
    EXPECT_EQ(m.flags, Flag::draft);
    EXPECT_TRUE(m.keywords.empty());
  }
}

TEST_F(MailStoreTest, ExpungeLeavesTombstonesAndSpendsDeliveryKeys) {
  deliver("k1", "a\r\n");
  deliver("k2", "b\r\n");
  deliver("k3", "c\r\n");
  uint64_t before = s->mailbox(inbox)->highest_modseq;
  std::vector<uint32_t> two{1, 3};
  ASSERT_TRUE(s->set_flags(inbox, two, FlagChange{FlagOp::add, Flag::deleted, {}, std::nullopt}));
  EXPECT_EQ(s->mailbox(inbox)->deleted, 2u);
  // Only those in the set (UID EXPUNGE).
  std::vector<uint32_t> just3{3};
  auto gone = s->expunge(inbox, std::span<const uint32_t>(just3));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, just3);
  auto rest = s->expunge(inbox, std::nullopt);
  EXPECT_EQ(*rest, (std::vector<uint32_t>{1}));
  ASSERT_TRUE(s->sync());
  EXPECT_EQ(uids(inbox), (std::vector<uint32_t>{2}));
  auto v = s->vanished_since(inbox, before);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->uids, (std::vector<uint32_t>{1, 3}));
  EXPECT_TRUE(s->vanished_since(inbox, s->mailbox(inbox)->highest_modseq)->uids.empty());
  auto mb = *s->mailbox(inbox);
  EXPECT_EQ(mb.messages, 1u);
  EXPECT_EQ(mb.deleted, 0u);
  // The spool replays k1 after a crash: it must not come back.
  Delivery d;
  d.delivery_key = "k1";
  d.account = "alice@example.org";
  d.data = "a\r\n";
  auto again = s->deliver(std::vector<Delivery>{d});
  ASSERT_TRUE(again[0].ok());
  EXPECT_TRUE(again[0]->duplicate);
  ASSERT_TRUE(s->sync());
  EXPECT_EQ(uids(inbox), (std::vector<uint32_t>{2}));
  // The expunged files are gone once the expunge is durable.
  auto files = std::distance(fs::directory_iterator(dir.path() / "mail" / std::to_string(alice.value)),
                             fs::directory_iterator());
  EXPECT_EQ(files, 1);
}

TEST_F(MailStoreTest, SpentKeysExpire) {
  deliver("k1", "a\r\n");
  std::vector<uint32_t> one{1};
  ASSERT_TRUE(s->set_flags(inbox, one, FlagChange{FlagOp::add, Flag::deleted, {}, std::nullopt}));
  ASSERT_TRUE(s->expunge(inbox, std::nullopt));
  ASSERT_TRUE(s->sync());
  s.reset();
  clock.advance(std::chrono::hours(24 * 8));
  s = open();  // expiry runs at open, then hourly
  EXPECT_EQ(deliver("k1", "a\r\n"), 2u);  // a new message now, under a new UID
}

TEST_F(MailStoreTest, CopyAndMoveKeepDataAndGiveCopyUid) {
  deliver("k1", "Subject: one\r\n\r\n1\r\n");
  deliver("k2", "Subject: two\r\n\r\n2\r\n");
  auto archive = s->mailbox(alice, "Archive")->id;
  std::vector<uint32_t> both{2, 1};
  ASSERT_TRUE(s->set_flags(inbox, both, FlagChange{FlagOp::add, Flag::seen, {"work"}, std::nullopt}));
  auto c = s->copy(inbox, both, archive, false);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->uidvalidity, s->mailbox(archive)->uidvalidity);
  EXPECT_EQ(c->source_uids, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(c->dest_uids, (std::vector<uint32_t>{1, 2}));
  ASSERT_TRUE(s->sync());
  EXPECT_EQ(uids(inbox).size(), 2u);
  auto copied = *s->messages(archive);
  ASSERT_EQ(copied.size(), 2u);
  EXPECT_EQ(copied[0].flags, Flag::seen);
  EXPECT_EQ(copied[0].keywords, (std::vector<std::string>{"work"}));
  EXPECT_NE(copied[0].id, (*s->messages(inbox))[0].id);
  auto m = s->open_message(archive, 2);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m->read(0, m->size), "Subject: two\r\n\r\n2\r\n");
  EXPECT_EQ(*m->read(9, 3), "two");

  auto trash = s->mailbox(alice, "Trash")->id;
  uint64_t inbox_modseq = s->mailbox(inbox)->highest_modseq;
  std::vector<uint32_t> first{1};
  auto mv = s->copy(inbox, first, trash, true);
  ASSERT_TRUE(mv.ok());
  EXPECT_EQ(mv->dest_uids, (std::vector<uint32_t>{1}));
  ASSERT_TRUE(s->sync());
  EXPECT_EQ(uids(inbox), (std::vector<uint32_t>{2}));
  EXPECT_EQ(s->vanished_since(inbox, inbox_modseq)->uids, first);
  auto moved = s->open_message(trash, 1);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved->read(0, moved->size), "Subject: one\r\n\r\n1\r\n");
  EXPECT_EQ(s->mailbox(trash)->messages, 1u);
  EXPECT_EQ(s->mailbox(inbox)->messages, 1u);
}

TEST_F(MailStoreTest, AppendStoresFlagsDateAndIsPublishedBySync) {
  AppendData a;
  a.data = "Subject: draft\r\n\r\nx\r\n";
  a.flags = Flag::draft | Flag::seen;
  a.keywords = {"$MDNSent"};
  a.internal_date = core::TimePoint(std::chrono::seconds(1600000000));
  auto drafts = s->mailbox(alice, "Drafts")->id;
  auto r = s->append(drafts, a);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->uid, 1u);
  EXPECT_EQ(r->uidvalidity, s->mailbox(drafts)->uidvalidity);
  EXPECT_TRUE(s->messages(drafts)->empty());
  ASSERT_TRUE(s->sync());
  auto msgs = *s->messages(drafts);
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_EQ(msgs[0].flags, Flag::draft | Flag::seen);
  EXPECT_EQ(msgs[0].keywords, (std::vector<std::string>{"$MDNSent"}));
  EXPECT_EQ(msgs[0].internal_date, a.internal_date);
  EXPECT_EQ(msgs[0].size, a.data.size());
}

TEST_F(MailStoreTest, MailboxesCreateRenameDeleteSubscribe) {
  auto id = s->create_mailbox(alice, "Projects");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(s->create_mailbox(alice, "Projects").error().code, Errc::exists);
  ASSERT_TRUE(s->create_mailbox(alice, "Projects/Axon"));
  ASSERT_TRUE(s->create_mailbox(alice, "ProjectsOld"));
  // Created by IMAP: not subscribed; the account's initial ones are.
  auto subs = *s->subscriptions(alice);
  EXPECT_EQ(std::count(subs.begin(), subs.end(), "Projects"), 0);
  EXPECT_EQ(std::count(subs.begin(), subs.end(), "Sent"), 1);
  ASSERT_TRUE(s->subscribe(alice, "Projects", true));
  ASSERT_TRUE(s->subscribe(alice, "Nonexistent", true));
  subs = *s->subscriptions(alice);
  EXPECT_EQ(std::count(subs.begin(), subs.end(), "Nonexistent"), 1);

  uint32_t validity = s->mailbox(*id)->uidvalidity;
  ASSERT_TRUE(s->rename_mailbox(*id, "Work"));
  EXPECT_EQ(s->mailbox(*id)->name, "Work");
  EXPECT_EQ(s->mailbox(*id)->uidvalidity, validity);
  EXPECT_TRUE(s->mailbox(alice, "Work/Axon").ok());  // inferiors follow
  EXPECT_TRUE(s->mailbox(alice, "ProjectsOld").ok());  // a name with the same prefix does not
  EXPECT_EQ(s->rename_mailbox(*id, "Sent").error().code, Errc::exists);
  EXPECT_EQ(s->delete_mailbox(inbox).error().code, Errc::invalid);
  ASSERT_TRUE(s->delete_mailbox(*id));
  EXPECT_EQ(s->mailbox(*id).error().code, Errc::not_found);
}

TEST_F(MailStoreTest, RenamingInboxMovesItsMessages) {
  deliver("k1", "a\r\n");
  deliver("k2", "b\r\n");
  ASSERT_TRUE(s->rename_mailbox(inbox, "Old"));
  ASSERT_TRUE(s->sync());
  EXPECT_TRUE(s->messages(inbox)->empty());
  EXPECT_EQ(s->mailbox(inbox)->messages, 0u);
  auto old = s->mailbox(alice, "Old");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(uids(old->id), (std::vector<uint32_t>{1, 2}));
  auto m = s->open_message(old->id, 2);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m->read(0, 10), "b\r\n");
  // New mail still goes to INBOX, with fresh UIDs.
  EXPECT_EQ(deliver("k3", "c\r\n"), 3u);
}

TEST_F(MailStoreTest, WatchersHearOfPublishedChangesOnly) {
  std::atomic<int> calls{0};
  MailboxId seen;
  auto w = s->watch(alice, [&](const MailboxChange& c) {
    ++calls;
    seen = c.mailbox;
  });
  deliver("k1", "a\r\n", false);
  EXPECT_EQ(calls, 0);
  ASSERT_TRUE(s->sync());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, inbox);
  ASSERT_TRUE(s->sync());  // nothing new
  EXPECT_EQ(calls, 1);
  w.reset();
  deliver("k2", "b\r\n");
  EXPECT_EQ(calls, 1);
}

TEST_F(MailStoreTest, ANonOwnerNeitherPublishesNorRecovers) {
  deliver("k1", "a\r\n", false);
  auto cli = open(false);
  ASSERT_TRUE(cli);
  ASSERT_TRUE(cli->sync());
  EXPECT_TRUE(s->messages(inbox)->empty());
  ASSERT_TRUE(s->sync());
  EXPECT_EQ(uids(inbox), (std::vector<uint32_t>{1}));
}

// A crash after the rows committed but before sync: the file of one message never reached the disk. At the next
// open the row goes (with its key, so the spool's replay stores it again) and its UID is not reused.
TEST_F(MailStoreTest, RecoveryDropsRowsWithoutFilesAndNeverReusesTheirUids) {
  deliver("k1", "a\r\n");
  s.reset();
  ASSERT_TRUE(in_crashing_process([](Store& c) { return deliver_unsynced(c, "k2", "b\r\n", 2); }));
  fs::path lost = dir.path() / "mail" / std::to_string(alice.value) / (std::to_string(inbox.value) + ".2");
  ASSERT_TRUE(fs::exists(lost));
  fs::remove(lost);
  s = open();
  EXPECT_EQ(uids(inbox), (std::vector<uint32_t>{1}));
  EXPECT_EQ(s->mailbox(inbox)->messages, 1u);
  // The replay stores k2 again, under a UID no reader could have seen for another message.
  EXPECT_EQ(deliver("k2", "b\r\n"), 3u);
  EXPECT_EQ(uids(inbox), (std::vector<uint32_t>{1, 3}));
}

TEST_F(MailStoreTest, RecoveryPublishesIntactUnpublishedMessages) {
  s.reset();
  ASSERT_TRUE(in_crashing_process([](Store& c) { return deliver_unsynced(c, "k1", "a\r\n"); }));
  s = open();
  EXPECT_EQ(uids(inbox), (std::vector<uint32_t>{1}));
}

TEST_F(MailStoreTest, FlagChangesArePublishedAtOnceAndWatchersHearThem) {
  deliver("k1", "a\r\n");
  std::vector<uint32_t> one{1};
  // The first change reserves a block of mod-sequences (and syncs); later ones need no sync to be seen.
  ASSERT_TRUE(s->set_flags(inbox, one, FlagChange{FlagOp::add, Flag::seen, {}, std::nullopt}));
  std::atomic<int> calls{0};
  auto w = s->watch(alice, [&](const MailboxChange&) { ++calls; });
  uint64_t before = s->mailbox(inbox)->highest_modseq;
  auto r = s->set_flags(inbox, one, FlagChange{FlagOp::add, Flag::flagged, {}, std::nullopt});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s->mailbox(inbox)->highest_modseq, r->changed[0].modseq);
  EXPECT_EQ(s->changed_since(inbox, before)->size(), 1u);
  ASSERT_TRUE(s->set_flags(inbox, one, FlagChange{FlagOp::add, Flag::deleted, {}, std::nullopt}));
  ASSERT_TRUE(s->expunge(inbox, std::nullopt));
  EXPECT_EQ(s->vanished_since(inbox, before)->uids, one);
  EXPECT_EQ(calls, 3);
}

// A crash after flag changes that were published without a sync: no mod-sequence a client saw is handed out again
// for another change, and every message's flags show as changed to a CONDSTORE client.
TEST_F(MailStoreTest, CrashMakesModseqsJumpPastWhatClientsSaw) {
  deliver("k1", "a\r\n");
  deliver("k2", "b\r\n");
  std::vector<uint32_t> one{1};
  ASSERT_TRUE(s->set_flags(inbox, one, FlagChange{FlagOp::add, Flag::seen, {}, std::nullopt}));
  s.reset();  // a clean close
  s = open();
  uint64_t clean = s->mailbox(inbox)->highest_modseq;
  s.reset();
  ASSERT_TRUE(in_crashing_process([&](Store& c) {
    std::vector<uint32_t> two{2};
    for (int i = 0; i < 50; ++i) {
      auto r = c.set_flags(inbox, two, FlagChange{i % 2 ? FlagOp::remove : FlagOp::add, Flag::flagged, {}, std::nullopt});
      if (!r || r->changed.empty()) return false;
    }
    return true;
  }));
  s = open();
  auto mb = *s->mailbox(inbox);
  EXPECT_GT(mb.highest_modseq, clean + 50);  // past the reservation, so past anything the child handed out
  auto msgs = s->messages(inbox);
  ASSERT_TRUE(msgs.ok());
  for (const auto& m : *msgs) EXPECT_EQ(m.modseq, mb.highest_modseq);
  EXPECT_EQ(s->changed_since(inbox, clean + 50)->size(), 2u);
}

// A COPY cut short by a crash can leave its hard link "<mailbox>.<uid>" behind without a row; the next message
// written under that name must get a file of its own, not overwrite the linked one.
TEST_F(MailStoreTest, ALeftoverLinkIsNeverWrittenThrough) {
  deliver("k1", "original\r\n");
  auto archive = s->mailbox(alice, "Archive")->id;
  fs::path dirp = dir.path() / "mail" / std::to_string(alice.value);
  fs::path leftover = dirp / (std::to_string(archive.value) + ".1");
  fs::create_hard_link(dirp / (std::to_string(inbox.value) + ".1"), leftover);
  AppendData a;
  a.data = "appended\r\n";
  auto r = s->append(archive, a);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uid, 1u);
  ASSERT_TRUE(s->sync());
  auto m = s->open_message(inbox, 1);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m->read(0, m->size), "original\r\n");
  auto n = s->open_message(archive, 1);
  EXPECT_EQ(*n->read(0, n->size), "appended\r\n");
}

}  // namespace
