// app::LoginService: a right password logs in (and is cached), a wrong one fails only after the failure delay,
// an unknown user fails like a wrong password, and an IP past its failure limit is refused before any hash.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "app/login_service.h"
#include "auth/password.h"
#include "store/store.h"
#include "../store/temp_dir.h"

using namespace axon;
using namespace std::chrono_literals;

namespace {

class LoginServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = store::open_sqlite(store::SqliteOptions{dir.path()});
    ASSERT_TRUE(r.ok());
    s = std::move(*r);
    ASSERT_TRUE(s->add_domain("example.org"));
    auto h = auth::hash_password("secret", auth::HashCost{1, 8u << 10});
    ASSERT_TRUE(h.ok());
    ASSERT_TRUE(s->add_account("alice@example.org", *h));
  }
  core::Result<auth::LoginOk> login(app::LoginService& svc, std::string user, std::string pw,
                                    std::string ip = "192.0.2.1", std::chrono::milliseconds* took = nullptr) {
    std::promise<core::Result<auth::LoginOk>> p;
    auto t0 = std::chrono::steady_clock::now();
    svc.login(auth::Credentials{std::move(user), std::move(pw), std::move(ip)},
              [&p](core::Result<auth::LoginOk> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    if (took) *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    return r;
  }

  axon::test::TempDir dir;
  std::unique_ptr<store::Store> s;
};

TEST_F(LoginServiceTest, RightWrongUnknownAndTheDelay) {
  app::LoginOptions o;
  o.failure_delay = 200ms;
  app::LoginService svc(*s, o);
  auto ok = login(svc, "Alice@Example.org", "secret");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->address, "alice@example.org");
  EXPECT_TRUE(login(svc, "alice@example.org", "secret").ok());  // from the cache
  std::chrono::milliseconds took{};
  auto bad = login(svc, "alice@example.org", "wrong", "192.0.2.2", &took);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, core::Errc::permanent);
  EXPECT_GE(took, 200ms);
  auto unknown = login(svc, "nobody@example.org", "secret", "192.0.2.3", &took);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, core::Errc::permanent);
  EXPECT_GE(took, 200ms);
}

TEST_F(LoginServiceTest, AnAddressPastItsFailureLimitIsRefusedEvenWithTheRightPassword) {
  app::LoginOptions o;
  o.failure_delay = 1ms;
  o.max_failures_per_minute = 3;
  app::LoginService svc(*s, o);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login(svc, "alice@example.org", "x", "198.51.100.7").error().code,
                                        core::Errc::permanent);
  auto r = login(svc, "alice@example.org", "secret", "198.51.100.7");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, core::Errc::limit);
  // IPv6: one /64 counts as one address.
  for (int i = 0; i < 3; ++i) (void)login(svc, "alice@example.org", "x", "2001:db8:1:2::" + std::to_string(i + 1));
  EXPECT_EQ(login(svc, "alice@example.org", "secret", "2001:db8:1:2::99").error().code, core::Errc::limit);
  EXPECT_TRUE(login(svc, "alice@example.org", "secret", "2001:db8:1:3::1").ok());
}

}  // namespace
