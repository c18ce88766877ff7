// The pop3 test harness. See harness.h.
#include "harness.h"

#include <gtest/gtest.h>

#include "core/address.h"

namespace axon::pop3::test {

// -- FakeAuth ---------------------------------------------------------------------------------------------------

core::Result<auth::LoginOk> FakeAuth::answer(const auth::Credentials& c) {
  if (fail_next) {
    auto e = *fail_next;
    fail_next.reset();
    return core::make_error(e, "test: failing as asked");
  }
  std::string user = core::to_lower_ascii(c.username);
  bool ok = (user == "alice@example.org" && c.password == "secret") ||
            (user == "bob@example.org" && c.password == "hunter2");
  if (!ok) return core::make_error(core::Errc::permanent, "test: bad credentials");
  auto id = store_.account_id(user);
  if (!id) return id.error();
  return auth::LoginOk{*id, user};
}

void FakeAuth::login(auth::Credentials c, auth::LoginDone done) {
  usernames.push_back(c.username);
  if (hold) {
    held_.emplace_back(std::move(c), std::move(done));
    return;
  }
  done(answer(c));
}

void FakeAuth::release() {
  auto held = std::move(held_);
  held_.clear();
  for (auto& [c, done] : held) done(answer(c));
}

// -- FakeSync ---------------------------------------------------------------------------------------------------

void FakeSync::request(std::function<void(core::Result<void>)> done) {
  ++requests;
  if (hold) {
    held_.push_back(std::move(done));
    return;
  }
  if (fail_next) {
    auto e = *fail_next;
    fail_next.reset();
    return done(core::make_error(e, "test: sync fails"));
  }
  done(store_.sync());
}

void FakeSync::release() {
  auto held = std::move(held_);
  held_.clear();
  for (auto& done : held) done(store_.sync());
}

// -- Fixture ----------------------------------------------------------------------------------------------------

Fixture::Fixture() {
  reopen();
  EXPECT_TRUE(raw->add_domain("example.org"));
  EXPECT_TRUE(raw->add_account("alice@example.org", "$argon2id$unused"));
  EXPECT_TRUE(raw->add_account("bob@example.org", "$argon2id$unused"));
}

void Fixture::reopen() {
  raw = nullptr;
  owned.reset();
  auto s = store::open_sqlite(store::SqliteOptions{dir.path(), &clock});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().detail);
  if (!s.ok()) return;
  owned = std::move(*s);
  raw = owned.get();
}

uint32_t Fixture::deliver(std::string_view data, const std::string& account) {
  store::Delivery d;
  d.delivery_key = "test-" + std::to_string(++keys) + "/" + account;
  d.account = account;
  d.internal_date = clock.now();
  d.data = data;
  auto out = raw->deliver(std::span<const store::Delivery>(&d, 1));
  EXPECT_TRUE(out[0].ok());
  EXPECT_TRUE(raw->sync().ok());  // published: readers see it from now on
  return out[0].ok() ? out[0]->uid : 0;
}

std::vector<store::MessageInfo> Fixture::inbox(const std::string& account) {
  auto a = raw->account_id(account);
  auto mb = raw->mailbox(*a, "INBOX");
  auto m = raw->messages(mb->id);
  EXPECT_TRUE(m.ok());
  return m.ok() ? *m : std::vector<store::MessageInfo>{};
}

std::string Fixture::read(uint32_t uid, const std::string& account) {
  auto a = raw->account_id(account);
  auto mb = raw->mailbox(*a, "INBOX");
  auto m = raw->open_message(mb->id, uid);
  if (!m) return {};
  auto r = m->read(0, m->size);
  return r ? *r : std::string();
}

// -- Driver -----------------------------------------------------------------------------------------------------

Driver::Driver(Fixture& f, SessionConfig cfg, net::Peer peer, std::string implicit_tls) {
  net::Wake wake = [weak = std::weak_ptr<Queue>(queue_)](std::function<void()> apply) {
    auto q = weak.lock();
    if (!q) return;  // the driver (and its session) is gone: dropped unrun
    std::lock_guard lk(q->mu);
    q->applies.push_back(std::move(apply));
    q->cv.notify_all();
  };
  session_ = std::make_unique<Session>(std::move(cfg), f.store, f.auth, f.sync, std::move(peer), std::move(wake));
  session_->start(std::move(implicit_tls));
  greeting = pump();
}

Driver::~Driver() {
  {
    std::lock_guard lk(queue_->mu);
    queue_->applies.clear();
  }
  session_.reset();
}

std::string Driver::send(std::string_view bytes) {
  session_->receive(bytes);
  return pump();
}

std::string Driver::pump() {
  std::string all;
  bool after_write = false;
  for (int guard = 0; guard < 10'000'000; ++guard) {
    std::string out = session_->take_output();
    // A write step must make output (or end the session) each time, or the real driver would spin.
    if (after_write && out.empty() && session_->next_step() == net::Step::write_more) {
      ADD_FAILURE() << "Step::write_more without output";
      return all;
    }
    largest_output = std::max(largest_output, out.size());
    all += out;
    step = session_->next_step();
    after_write = step == net::Step::write_more;
    if (step == net::Step::write_more) {
      ++write_steps;
      continue;
    }
    if (step == net::Step::wait) {
      std::deque<std::function<void()>> applies;
      {
        std::lock_guard lk(queue_->mu);
        applies.swap(queue_->applies);
      }
      if (applies.empty()) return all;
      for (auto& a : applies) a();
      continue;
    }
    return all;
  }
  ADD_FAILURE() << "the session never settled";
  return all;
}

std::string Driver::wait_and_pump() {
  {
    std::unique_lock lk(queue_->mu);
    queue_->cv.wait_for(lk, std::chrono::seconds(5), [&] { return !queue_->applies.empty(); });
  }
  return pump();
}

void login(Driver& d, const std::string& user, const std::string& password) {
  std::string out = d.send("USER " + user + "\r\nPASS " + password + "\r\n");
  ASSERT_EQ(out, "+OK\r\n+OK Logged in.\r\n");
  ASSERT_EQ(d.session().phase(), Phase::transaction);
}

}  // namespace axon::pop3::test
