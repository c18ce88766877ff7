// A test driver for imap::Session without sockets: a real store in a temporary folder, an authenticator that
// knows alice@example.org / "secret", a SyncService that syncs at once, and a Wake that queues work which the
// driver runs as the network driver would (on "the strand", between calls).
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "imap/session.h"
#include "store/store.h"
#include "../store/temp_dir.h"

namespace axon::imap::test {

class FakeAuth final : public auth::Authenticator {
 public:
  explicit FakeAuth(store::MailStore& s) : store_(s) {}
  void login(auth::Credentials c, auth::LoginDone done) override {
    ++calls;
    if (c.password == "secret") {
      auto id = store_.account_id(c.username);
      if (id) return pending.push_back([done, id = *id, u = c.username] { done(auth::LoginOk{id, u}); });
    }
    pending.push_back([done] { done(core::make_error(core::Errc::permanent, "bad")); });
  }
  std::deque<std::function<void()>> pending;
  int calls = 0;

 private:
  store::MailStore& store_;
};

class NowSync final : public store::SyncService {
 public:
  explicit NowSync(store::MailDelivery& s) : s_(s) {}
  void request(std::function<void(core::Result<void>)> done) override { pending.push_back([this, done] { done(s_.sync()); }); }
  std::deque<std::function<void()>> pending;

 private:
  store::MailDelivery& s_;
};

class Harness {
 public:
  explicit Harness(bool tls = false, std::string ip = "127.0.0.1") {
    auto r = store::open_sqlite(store::SqliteOptions{dir.path()});
    EXPECT_TRUE(r.ok());
    store = std::move(*r);
    EXPECT_TRUE(store->add_domain("example.org"));
    EXPECT_TRUE(store->add_account("alice@example.org", "x"));
    auth = std::make_unique<FakeAuth>(*store);
    sync = std::make_unique<NowSync>(*store);
    cfg.hostname = "mx.example.org";
    cfg.temp_dir = dir.path().string();
    session = make(std::move(ip));
    session->start(tls ? "TLSv1.3 TLS_AES_256_GCM_SHA384" : "");
    greeting = drain();
  }

  std::unique_ptr<Session> make(std::string ip) {
    net::Peer peer{std::move(ip), 40000, "127.0.0.1", 143, 1};
    return std::make_unique<Session>(cfg, *store, *auth, *sync, peer, [this](std::function<void()> f) {
      wakes.push_back(std::move(f));
    });
  }

  // Runs everything queued (logins, syncs, wakes) until quiet, collecting output; write_more is followed.
  std::string drain(Session* s = nullptr) {
    if (!s) s = session.get();
    std::string out;
    for (int guard = 0; guard < 100000; ++guard) {
      out += s->take_output();
      auto step = s->next_step();
      if (step == net::Step::write_more) continue;
      last_step = step;
      if (!auth->pending.empty()) {
        auto f = std::move(auth->pending.front());
        auth->pending.pop_front();
        f();
        continue;
      }
      if (!sync->pending.empty()) {
        auto f = std::move(sync->pending.front());
        sync->pending.pop_front();
        f();
        continue;
      }
      if (!wakes.empty()) {
        auto f = std::move(wakes.front());
        wakes.pop_front();
        f();
        continue;
      }
      break;
    }
    return out;
  }

  std::string send(const std::string& bytes, Session* s = nullptr) {
    (s ? s : session.get())->receive(bytes);
    return drain(s);
  }

  void login(Session* s = nullptr) {
    auto out = send("l1 LOGIN alice@example.org secret\r\n", s);
    ASSERT_NE(out.find("l1 OK"), std::string::npos) << out;
  }

  uint32_t deliver(const std::string& data, std::string key = "") {
    static int n = 0;
    store::Delivery d;
    d.delivery_key = key.empty() ? "k" + std::to_string(++n) : key;
    d.account = "alice@example.org";
    d.data = data;
    auto out = store->deliver(std::vector<store::Delivery>{d});
    EXPECT_TRUE(out[0].ok());
    EXPECT_TRUE(store->sync());
    return out[0].ok() ? out[0]->uid : 0;
  }

  axon::test::TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<FakeAuth> auth;
  std::unique_ptr<NowSync> sync;
  SessionConfig cfg;
  std::deque<std::function<void()>> wakes;
  std::unique_ptr<Session> session;
  std::string greeting;
  net::Step last_step = net::Step::read;
};

}  // namespace axon::imap::test
