// Tests of the embedded store (store::open_sqlite): directory CRUD and errors, special-use mailboxes, delivery
// (uids, modseqs, bytes, idempotency, crash repair), cross-process directory_version, reopen, throughput.
// Security: none (test code; temp directories only).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
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

using namespace axon::store::testing;

namespace {

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open() {
    auto r = open_sqlite(SqliteOptions{dir.path(), &clock});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
    return r.ok() ? std::move(*r) : nullptr;
  }
  void SetUp() override {
    s = open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->add_domain("Example.org"));
    ASSERT_TRUE(s->add_account("Alice@Example.org", "$argon2id$alice"));
    ASSERT_TRUE(s->add_account("bob@example.org", "$argon2id$bob"));
  }
  static Delivery delivery(std::string key, std::string account, std::string_view data,
                           std::string_view prefix = {}) {
    Delivery d;
    d.delivery_key = std::move(key);
    d.account = std::move(account);
    d.internal_date = core::TimePoint(std::chrono::seconds(1700000123));
    d.prefix = prefix;
    d.data = data;
    return d;
  }
  MailboxInfo inbox(const std::string& account) {
    auto r = list_mailboxes(*s, account);
    EXPECT_TRUE(r.ok());
    for (auto& m : *r)
      if (m.name == "INBOX") return m;
    ADD_FAILURE() << "no INBOX";
    return {};
  }

  TempDir dir;
  core::FakeClock clock;
  std::unique_ptr<Store> s;
};

}  // namespace

TEST_F(StoreTest, StoreDomainsCrudAndErrors) {
  EXPECT_EQ(s->add_domain("example.org").error().code, Errc::exists);
  EXPECT_EQ(s->add_domain("not a domain!").error().code, Errc::invalid);
  ASSERT_TRUE(s->add_domain("other.net"));
  auto d = s->list_domains();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (std::vector<std::string>{"example.org", "other.net"}));
  EXPECT_EQ(s->del_domain("example.org").error().code, Errc::in_use);  // accounts remain
  EXPECT_EQ(s->del_domain("nowhere.org").error().code, Errc::not_found);
  std::vector<std::string> targets{"alice@example.org"};
  ASSERT_TRUE(s->add_alias("@other.net", targets));
  EXPECT_EQ(s->del_domain("other.net").error().code, Errc::in_use);  // an alias remains
  ASSERT_TRUE(s->del_alias("@other.net"));
  EXPECT_TRUE(s->del_domain("OTHER.net"));
  EXPECT_EQ(s->list_domains()->size(), 1u);
}

TEST_F(StoreTest, StoreAccountsCrudAndErrors) {
  EXPECT_EQ(s->add_account("alice@example.org", "x").error().code, Errc::exists);
  EXPECT_EQ(s->add_account("carol@nowhere.org", "x").error().code, Errc::not_found);
  EXPECT_EQ(s->add_account("no-at-sign", "x").error().code, Errc::invalid);
  auto a = s->get_account("ALICE@example.org");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->address, "alice@example.org");
  EXPECT_EQ(a->password_hash, "$argon2id$alice");
  ASSERT_TRUE(s->set_password("alice@example.org", "$argon2id$new"));
  EXPECT_EQ(s->get_account("alice@example.org")->password_hash, "$argon2id$new");
  EXPECT_EQ(s->set_password("nobody@example.org", "x").error().code, Errc::not_found);
  auto all = s->list_accounts();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].address, "alice@example.org");
  EXPECT_EQ((*all)[1].address, "bob@example.org");

  std::string msg = "Subject: x\r\n\r\nhello\r\n";
  auto out = s->deliver(std::vector<Delivery>{delivery("k1", "bob@example.org", msg)});
  ASSERT_TRUE(out[0].ok());
  int64_t bob_id = s->get_account("bob@example.org")->id.value;
  EXPECT_TRUE(fs::exists(dir.path() / "mail" / std::to_string(bob_id)));
  ASSERT_TRUE(s->del_account("BOB@example.org"));
  EXPECT_FALSE(fs::exists(dir.path() / "mail" / std::to_string(bob_id)));
  EXPECT_EQ(s->get_account("bob@example.org").error().code, Errc::not_found);
  EXPECT_EQ(s->del_account("bob@example.org").error().code, Errc::not_found);
  EXPECT_EQ(list_mailboxes(*s, "bob@example.org").error().code, Errc::not_found);
  // A re-created account starts empty (new id, new folder).
  ASSERT_TRUE(s->add_account("bob@example.org", "x"));
  EXPECT_NE(s->get_account("bob@example.org")->id.value, bob_id);
  EXPECT_EQ(inbox("bob@example.org").messages, 0u);
}

TEST_F(StoreTest, StoreAliasesCrudAndErrors) {
  std::vector<std::string> t1{"Alice@example.org"}, t2{"bob@example.org", "alice@example.org"};
  ASSERT_TRUE(s->add_alias("Team@example.org", t1));
  ASSERT_TRUE(s->add_alias("team@example.org", t2));  // adds bob, alice already there
  ASSERT_TRUE(s->add_alias("@example.org", t1));
  EXPECT_EQ(s->add_alias("x@nowhere.org", t1).error().code, Errc::not_found);
  EXPECT_EQ(s->add_alias("alice@example.org", t2).error().code, Errc::exists);
  EXPECT_EQ(s->add_alias("y@example.org", std::vector<std::string>{}).error().code, Errc::invalid);
  auto al = s->list_aliases();
  ASSERT_TRUE(al.ok());
  ASSERT_EQ(al->size(), 2u);
  EXPECT_EQ((*al)[0].address, "@example.org");
  EXPECT_EQ((*al)[1].address, "team@example.org");
  EXPECT_EQ((*al)[1].targets, (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
  ASSERT_TRUE(s->del_alias("team@example.org"));
  EXPECT_EQ(s->del_alias("team@example.org").error().code, Errc::not_found);
  EXPECT_EQ(s->list_aliases()->size(), 1u);
}

TEST_F(StoreTest, StoreSpecialUseMailboxesAfterAddAccount) {
  auto m = list_mailboxes(*s, "alice@example.org");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 6u);
  std::vector<std::pair<std::string, std::string>> got;
  std::vector<uint32_t> validities;
  for (auto& mb : *m) {
    got.emplace_back(mb.name, mb.special_use);
    validities.push_back(mb.uidvalidity);
    EXPECT_EQ(mb.uidnext, 1u);
    EXPECT_GE(mb.highest_modseq, 1u);
    EXPECT_EQ(mb.messages, 0u);
  }
  // By name (byte order), as MailStore::mailboxes() lists them.
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{{"Archive", "\\Archive"},
                                                                    {"Drafts", "\\Drafts"},
                                                                    {"INBOX", ""},
                                                                    {"Junk", "\\Junk"},
                                                                    {"Sent", "\\Sent"},
                                                                    {"Trash", "\\Trash"}}));
  // From the clock, and distinct even though the fake clock stands still.
  EXPECT_GE(validities[0], 1700000000u);
  std::sort(validities.begin(), validities.end());
  EXPECT_EQ(std::adjacent_find(validities.begin(), validities.end()), validities.end());
}

TEST_F(StoreTest, StoreDeliverAssignsUidsModseqsAndKeepsBytes) {
  std::string prefix = "Return-Path: <x@remote.net>\r\n";
  std::string m1 = "Subject: one\r\n\r\nbody one\r\n", m2 = "Subject: two\r\n\r\nbody two, longer\r\n";
  std::string m3(70000, 'z');  // larger than one read buffer
  std::vector<Delivery> batch{delivery("q1/alice", "alice@example.org", m1, prefix),
                              delivery("q2/alice", "alice@example.org", m2),
                              delivery("q2/bob", "Bob@Example.org", m2)};
  batch[1].flags = Flag::seen;
  auto out = s->deliver(batch);
  ASSERT_EQ(out.size(), 3u);
  for (auto& o : out) ASSERT_TRUE(o.ok()) << o.error().detail;
  EXPECT_EQ(out[0]->uid, 1u);
  EXPECT_EQ(out[1]->uid, 2u);
  EXPECT_EQ(out[2]->uid, 1u);
  EXPECT_FALSE(out[0]->duplicate);
  auto more = s->deliver(std::vector<Delivery>{delivery("q3/alice", "alice@example.org", m3)});
  ASSERT_TRUE(more[0].ok());
  EXPECT_EQ(more[0]->uid, 3u);
  ASSERT_TRUE(s->sync());

  EXPECT_EQ(*read_message(*s, "alice@example.org", "INBOX", 1), prefix + m1);
  EXPECT_EQ(*read_message(*s, "alice@example.org", "inbox", 2), m2);
  EXPECT_EQ(*read_message(*s, "alice@example.org", "INBOX", 3), m3);
  EXPECT_EQ(*read_message(*s, "bob@example.org", "INBOX", 1), m2);
  EXPECT_EQ(read_message(*s, "alice@example.org", "INBOX", 9).error().code, Errc::not_found);

  auto msgs = list_messages(*s, "alice@example.org", "INBOX");
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 3u);
  uint64_t last_modseq = 0;
  for (size_t i = 0; i < msgs->size(); ++i) {
    const auto& m = (*msgs)[i];
    EXPECT_EQ(m.uid, i + 1);
    EXPECT_GT(m.modseq, last_modseq);
    EXPECT_GE(m.modseq, 1u);
    last_modseq = m.modseq;
  }
  EXPECT_EQ((*msgs)[0].size, prefix.size() + m1.size());
  EXPECT_EQ((*msgs)[1].flags, uint32_t{Flag::seen});
  EXPECT_EQ((*msgs)[0].internal_date, core::TimePoint(std::chrono::seconds(1700000123)));

  auto in = inbox("alice@example.org");
  EXPECT_EQ(in.messages, 3u);
  EXPECT_EQ(in.unseen, 2u);
  EXPECT_EQ(in.bytes, prefix.size() + m1.size() + m2.size() + m3.size());
  EXPECT_EQ(in.uidnext, 4u);
  EXPECT_EQ(in.highest_modseq, last_modseq);
  EXPECT_EQ(list_messages(*s, "alice@example.org", "Nope").error().code, Errc::not_found);
}

TEST_F(StoreTest, StoreDeliverSameKeyIsDuplicate) {
  std::string m = "Subject: dup\r\n\r\nx\r\n";
  auto first = s->deliver(std::vector<Delivery>{delivery("q1/alice", "alice@example.org", m)});
  ASSERT_TRUE(first[0].ok());
  auto before = inbox("alice@example.org");
  // Replayed twice, once within one batch.
  auto again = s->deliver(std::vector<Delivery>{delivery("q1/alice", "alice@example.org", m),
                                                delivery("q1/alice", "alice@example.org", m)});
  for (auto& o : again) {
    ASSERT_TRUE(o.ok());
    EXPECT_TRUE(o->duplicate);
    EXPECT_EQ(o->uid, first[0]->uid);
  }
  auto after = inbox("alice@example.org");
  EXPECT_EQ(after.messages, 1u);
  EXPECT_EQ(after.uidnext, before.uidnext);
  EXPECT_EQ(after.highest_modseq, before.highest_modseq);
}

TEST_F(StoreTest, StoreDuplicateRewritesLostFile) {
  std::string m = "Subject: lost\r\n\r\nplease keep me\r\n";
  auto first = s->deliver(std::vector<Delivery>{delivery("q9/alice", "alice@example.org", m)});
  ASSERT_TRUE(first[0].ok());
  int64_t id = s->get_account("alice@example.org")->id.value;
  fs::path folder = dir.path() / "mail" / std::to_string(id);
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(folder)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  fs::remove(files[0]);  // a crash before sync() lost it
  EXPECT_NE(read_message(*s, "alice@example.org", "INBOX", first[0]->uid).error().code, Errc::not_found);
  auto again = s->deliver(std::vector<Delivery>{delivery("q9/alice", "alice@example.org", m)});
  ASSERT_TRUE(again[0].ok());
  EXPECT_TRUE(again[0]->duplicate);
  EXPECT_EQ(*read_message(*s, "alice@example.org", "INBOX", first[0]->uid), m);
  // A truncated file is repaired too.
  fs::resize_file(files[0], 3);
  s->deliver(std::vector<Delivery>{delivery("q9/alice", "alice@example.org", m)});
  EXPECT_EQ(*read_message(*s, "alice@example.org", "INBOX", first[0]->uid), m);
  EXPECT_EQ(inbox("alice@example.org").messages, 1u);
}

TEST_F(StoreTest, StoreBatchWithUnknownAccountStoresTheOthers) {
  std::string m = "Subject: b\r\n\r\nb\r\n";
  auto bad_mailbox = delivery("k3", "bob@example.org", m);
  bad_mailbox.mailbox = "NoSuchBox";
  auto out = s->deliver(std::vector<Delivery>{delivery("k1", "alice@example.org", m),
                                              delivery("k2", "ghost@example.org", m), bad_mailbox,
                                              delivery("k4", "bob@example.org", m)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(out[0].ok());
  ASSERT_FALSE(out[1].ok());
  EXPECT_EQ(out[1].error().code, Errc::not_found);
  ASSERT_FALSE(out[2].ok());
  EXPECT_EQ(out[2].error().code, Errc::not_found);
  ASSERT_TRUE(out[3].ok());
  EXPECT_EQ(inbox("alice@example.org").messages, 1u);
  EXPECT_EQ(inbox("bob@example.org").messages, 1u);
  // Delivery to a special-use mailbox by name.
  auto sent = delivery("k5", "bob@example.org", m);
  sent.mailbox = "Sent";
  auto r = s->deliver(std::vector<Delivery>{sent});
  ASSERT_TRUE(r[0].ok());
  EXPECT_EQ(*read_message(*s, "bob@example.org", "Sent", r[0]->uid), m);
}

TEST_F(StoreTest, StoreDirectoryVersionSeesOtherInstance) {
  auto v1 = s->directory_version();
  ASSERT_TRUE(v1.ok());
  auto cli = open();  // a second open, as the CLI would do
  ASSERT_TRUE(cli);
  ASSERT_TRUE(cli->add_account("carol@example.org", "x"));
  auto v2 = s->directory_version();
  ASSERT_TRUE(v2.ok());
  EXPECT_NE(*v1, *v2);
  EXPECT_TRUE(s->get_account("carol@example.org").ok());
  // The server's delivery cache notices the change: deliver to carol, then the CLI deletes and re-creates her.
  std::string m = "x\r\n";
  ASSERT_TRUE(s->deliver(std::vector<Delivery>{delivery("c1", "carol@example.org", m)})[0].ok());
  ASSERT_TRUE(cli->del_account("carol@example.org"));
  EXPECT_EQ(s->deliver(std::vector<Delivery>{delivery("c2", "carol@example.org", m)})[0].error().code,
            Errc::not_found);
  ASSERT_TRUE(cli->add_account("carol@example.org", "x"));
  auto out = s->deliver(std::vector<Delivery>{delivery("c3", "carol@example.org", m)});
  ASSERT_TRUE(out[0].ok());
  EXPECT_EQ(out[0]->uid, 1u);
  EXPECT_EQ(*read_message(*cli, "carol@example.org", "INBOX", 1), m);
  // Deliveries do not change the directory version.
  auto v3 = *s->directory_version();
  s->deliver(std::vector<Delivery>{delivery("c4", "carol@example.org", m)});
  EXPECT_EQ(*s->directory_version(), v3);
}

TEST_F(StoreTest, StoreLoadDirectoryResolvesAliases) {
  std::vector<std::string> team{"alice@example.org", "bob@example.org"}, all{"team@example.org"};
  ASSERT_TRUE(s->add_alias("team@example.org", team));
  ASSERT_TRUE(s->add_alias("@example.org", all));
  auto d = s->load_directory();
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->is_local_domain("example.org"));
  EXPECT_TRUE(d->has_account("alice@example.org"));
  auto r = d->resolve("team@example.org");
  EXPECT_EQ(r.kind, Resolution::Kind::local);
  EXPECT_EQ(r.accounts, team);
  EXPECT_EQ(d->resolve("whoever@example.org").accounts, team);  // catch-all
  EXPECT_EQ(d->resolve("x@elsewhere.net").kind, Resolution::Kind::not_local_domain);
}

TEST_F(StoreTest, StoreReopenKeepsEverything) {
  std::string m = "Subject: keep\r\n\r\nkept\r\n";
  std::vector<std::string> t{"alice@example.org"};
  ASSERT_TRUE(s->add_alias("postmaster@example.org", t));
  ASSERT_TRUE(s->deliver(std::vector<Delivery>{delivery("r1", "alice@example.org", m)})[0].ok());
  ASSERT_TRUE(s->sync());
  auto before = list_mailboxes(*s, "alice@example.org");
  s.reset();
  s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->list_domains()->size(), 1u);
  EXPECT_EQ(s->list_accounts()->size(), 2u);
  EXPECT_EQ(s->list_aliases()->size(), 1u);
  EXPECT_EQ(*read_message(*s, "alice@example.org", "INBOX", 1), m);
  auto after = list_mailboxes(*s, "alice@example.org");
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ((*after)[i].uidvalidity, (*before)[i].uidvalidity);
    EXPECT_EQ((*after)[i].uidnext, (*before)[i].uidnext);
    EXPECT_EQ((*after)[i].highest_modseq, (*before)[i].highest_modseq);
  }
  auto again = s->deliver(std::vector<Delivery>{delivery("r1", "alice@example.org", m),
                                                delivery("r2", "alice@example.org", m)});
  EXPECT_TRUE(again[0]->duplicate);
  EXPECT_EQ(again[1]->uid, 2u);
}

TEST_F(StoreTest, StoreConcurrentReadersAndWriter) {
  std::atomic<bool> stop{false};
  std::atomic<int> read_errors{0};
  std::thread reader([&] {
    while (!stop) {
      if (!list_mailboxes(*s, "alice@example.org").ok()) ++read_errors;
      if (!s->directory_version().ok()) ++read_errors;
    }
  });
  std::string m(1000, 'c');
  for (int b = 0; b < 50; ++b) {
    std::vector<Delivery> batch;
    for (int i = 0; i < 10; ++i) batch.push_back(delivery("cc" + std::to_string(b * 10 + i), "alice@example.org", m));
    for (auto& o : s->deliver(batch)) ASSERT_TRUE(o.ok());
  }
  ASSERT_TRUE(s->sync());
  stop = true;
  reader.join();
  EXPECT_EQ(read_errors, 0);
  EXPECT_EQ(inbox("alice@example.org").messages, 500u);
}

TEST_F(StoreTest, StoreThroughput) {
  constexpr int kMessages = 5000, kBatch = 20, kAccounts = 5;
  std::vector<std::string> accounts;
  for (int i = 0; i < kAccounts; ++i) {
    accounts.push_back("user" + std::to_string(i) + "@example.org");
    ASSERT_TRUE(s->add_account(accounts.back(), "x"));
  }
  std::string prefix = "Return-Path: <sender@remote.net>\r\n";
  std::string body(4096 - prefix.size(), 'm');
  auto t0 = std::chrono::steady_clock::now();
  for (int n = 0; n < kMessages; n += kBatch) {
    std::vector<Delivery> batch;
    for (int i = n; i < n + kBatch; ++i)
      batch.push_back(delivery("tp" + std::to_string(i), accounts[i % kAccounts], body, prefix));
    auto out = s->deliver(batch);
    for (auto& o : out) ASSERT_TRUE(o.ok()) << o.error().detail;
    ASSERT_TRUE(s->sync());  // group commit: one sync per batch
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double rate = kMessages / secs;
  std::printf("[ StoreThroughput ] %d x 4 KiB in batches of %d with sync(): %.2f s, %.0f msg/s\n", kMessages,
              kBatch, secs, rate);
  uint64_t total = 0;
  for (auto& a : accounts) total += inbox(a).messages;
  EXPECT_EQ(total, uint64_t{kMessages});
  // The cost is the disk's (one syncfs per batch): ~1,600-7,000 msg/s on the dev VM, but ~260 msg/s was seen while
  // other builds flushed the same filesystem. The bound only catches a lost group commit (per-message fsync).
#ifdef NDEBUG
  EXPECT_GT(rate, 200.0);
#else
  EXPECT_GT(rate, 50.0);
#endif
}

// The same key with another fingerprint is another message: refused (Errc::exists), the stored one untouched.
TEST_F(StoreTest, StoreKeyCollisionIsAnErrorNotADuplicate) {
  std::string m1 = "Subject: one\r\n\r\nfirst\r\n", m2 = "Subject: two\r\n\r\nsecond, longer\r\n";
  auto d1 = delivery("q1/alice", "alice@example.org", m1);
  d1.fingerprint = 0x1111;
  auto first = s->deliver(std::vector<Delivery>{d1});
  ASSERT_TRUE(first[0].ok());
  auto same = s->deliver(std::vector<Delivery>{d1});
  ASSERT_TRUE(same[0].ok());
  EXPECT_TRUE(same[0]->duplicate);
  auto d2 = delivery("q1/alice", "alice@example.org", m2);
  d2.fingerprint = 0x2222;
  auto other = s->deliver(std::vector<Delivery>{d2});
  ASSERT_FALSE(other[0].ok());
  EXPECT_EQ(other[0].error().code, Errc::exists);
  EXPECT_EQ(*read_message(*s, "alice@example.org", "INBOX", first[0]->uid), m1);
  EXPECT_EQ(inbox("alice@example.org").messages, 1u);
}

// Data from a range of an open file (the spool segment) is copied into the message file.
TEST_F(StoreTest, StoreDeliversFromAFileRange) {
  fs::path src = dir.path() / "segment";
  std::string before = "HEADER-OF-THE-SEGMENT", msg = "Subject: ranged\r\n\r\n" + std::string(200000, 'r') + "\r\n";
  std::ofstream(src, std::ios::binary) << before << msg << "TRAILER";
  int fd = ::open(src.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  Delivery d = delivery("q7/bob", "bob@example.org", {}, "Return-Path: <x@y>\r\n");
  d.data_fd = fd;
  d.data_offset = before.size();
  d.data_size = msg.size();
  auto out = s->deliver(std::vector<Delivery>{d});
  ::close(fd);
  ASSERT_TRUE(out[0].ok());
  EXPECT_EQ(*read_message(*s, "bob@example.org", "INBOX", out[0]->uid), "Return-Path: <x@y>\r\n" + msg);
  EXPECT_EQ(inbox("bob@example.org").bytes, d.size());
}


// Two messages under one key in the same batch: the second is a collision, not a duplicate of the first.
TEST_F(StoreTest, StoreKeyCollisionWithinOneBatch) {
  std::string m1 = "Subject: one\r\n\r\nfirst\r\n", m2 = "Subject: two\r\n\r\nsecond\r\n";
  auto d1 = delivery("q5/alice", "alice@example.org", m1), d2 = delivery("q5/alice", "alice@example.org", m2);
  d1.fingerprint = 0x1111;
  d2.fingerprint = 0x2222;
  auto out = s->deliver(std::vector<Delivery>{d1, d2});
  ASSERT_TRUE(out[0].ok());
  ASSERT_FALSE(out[1].ok());
  EXPECT_EQ(out[1].error().code, Errc::exists);
  auto same = s->deliver(std::vector<Delivery>{d1, d1});
  EXPECT_TRUE(same[1].ok() && same[1]->duplicate);
}
