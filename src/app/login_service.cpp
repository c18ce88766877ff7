// app::LoginService. See login_service.h.
#include "app/login_service.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "auth/password.h"
#include "core/address.h"
#include "net/limiter.h"

namespace axon::app {

using core::Errc;
using core::make_error;

LoginService::LoginService(store::DirectoryStore& store, LoginOptions opts) : store_(store), opts_(opts) {
  RAND_bytes(key_, sizeof key_);
  for (unsigned i = 0; i < std::max(1u, opts_.threads); ++i) threads_.emplace_back([this] { work(); });
  threads_.emplace_back([this] { delayer(); });
}

LoginService::~LoginService() {
  std::deque<Job> left;
  std::multimap<Clock::time_point, std::function<void()>> later;
  {
    std::lock_guard l(mu_);
    stop_ = true;
    left.swap(jobs_);
  }
  cv_.notify_all();
  delay_cv_.notify_all();
  for (auto& t : threads_) t.join();
  {
    std::lock_guard l(mu_);
    later.swap(delayed_);
  }
  for (auto& j : left) {
    OPENSSL_cleanse(j.c.password.data(), j.c.password.size());
    j.done(make_error(Errc::unavailable, "server stopping"));
  }
  for (auto& [t, f] : later) f();
  OPENSSL_cleanse(key_, sizeof key_);
}

void LoginService::login(auth::Credentials credentials, auth::LoginDone done) {
  // Refused before any Argon2id is spent: a peer over its failure limit, or a queue already this long (a flood of
  // logins waits for no hash at all; the client may try again).
  if (over_limit(credentials.peer_ip)) {
    OPENSSL_cleanse(credentials.password.data(), credentials.password.size());
    fail_later(std::move(done), make_error(Errc::limit, "too many failed logins from " + credentials.peer_ip));
    return;
  }
  {
    std::unique_lock l(mu_);
    if (jobs_.size() >= kMaxQueued) {
      l.unlock();
      OPENSSL_cleanse(credentials.password.data(), credentials.password.size());
      done(make_error(Errc::temporary, "too many logins waiting"));
      return;
    }
    jobs_.push_back(Job{std::move(credentials), std::move(done)});
  }
  cv_.notify_one();
}

void LoginService::work() {
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || !jobs_.empty(); });
    if (stop_) return;
    Job j = std::move(jobs_.front());
    jobs_.pop_front();
    l.unlock();
    auto r = check(j.c);
    std::string ip = j.c.peer_ip;
    OPENSSL_cleanse(j.c.password.data(), j.c.password.size());
    if (r || r.error().code == Errc::temporary) {
      j.done(std::move(r));
    } else {
      if (r.error().code == Errc::permanent) count_failure(ip);
      fail_later(std::move(j.done), r.error());
    }
    l.lock();
  }
}

void LoginService::delayer() {
  std::unique_lock l(mu_);
  for (;;) {
    if (stop_) return;
    if (delayed_.empty()) {
      delay_cv_.wait(l);
      continue;
    }
    auto first = delayed_.begin()->first;
    if (Clock::now() < first) {
      delay_cv_.wait_until(l, first);
      continue;
    }
    auto f = std::move(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
    l.unlock();
    f();
    l.lock();
  }
}

void LoginService::fail_later(auth::LoginDone done, core::Error e) {
  {
    std::lock_guard l(mu_);
    delayed_.emplace(Clock::now() + opts_.failure_delay,
                     [done = std::move(done), e = std::move(e)]() mutable { done(std::move(e)); });
  }
  delay_cv_.notify_one();
}

bool LoginService::over_limit(const std::string& ip) {
  std::lock_guard l(cache_mu_);
  auto it = failures_.find(net::ConnectionLimiter::client_key(ip));
  if (it == failures_.end()) return false;
  if (Clock::now() - it->second.window >= std::chrono::minutes(1)) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= opts_.max_failures_per_minute;
}

void LoginService::count_failure(const std::string& ip) {
  std::lock_guard l(cache_mu_);
  auto now = Clock::now();
  if (failures_.size() > 100000) {  // a bounded table: drop the expired windows
    std::erase_if(failures_, [&](const auto& kv) { return now - kv.second.window >= std::chrono::minutes(1); });
  }
  auto& f = failures_[net::ConnectionLimiter::client_key(ip)];
  if (f.count == 0 || now - f.window >= std::chrono::minutes(1)) {
    f.window = now;
    f.count = 0;
  }
  ++f.count;
}

std::string LoginService::cache_tag(const std::string& hash, const std::string& password) const {
  unsigned char out[32];
  unsigned int n = 0;
  std::string msg = hash;
  msg.push_back('\0');
  msg += password;
  HMAC(EVP_sha256(), key_, sizeof key_, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &n);
  OPENSSL_cleanse(msg.data(), msg.size());
  return std::string(reinterpret_cast<char*>(out), n);
}

core::Result<auth::LoginOk> LoginService::check(const auth::Credentials& c) {
  if (over_limit(c.peer_ip)) return make_error(Errc::limit, "too many failed logins from " + c.peer_ip);
  std::string address = core::to_lower_ascii(c.username);
  auto acc = store_.get_account(address);
  if (!acc) {
    if (acc.error().code == Errc::not_found) {
      // Spend the same time as a real check, so that unknown users cannot be told from wrong passwords.
      static const std::string dummy = [] {
        auto h = auth::hash_password("dummy password");
        return h ? *h : std::string();
      }();
      if (!dummy.empty()) (void)auth::verify_password(dummy, c.password);
      return make_error(Errc::permanent, "bad credentials");
    }
    return make_error(Errc::temporary, acc.error().detail);
  }
  auth::LoginOk ok{acc->id, acc->address};
  std::string tag;
  if (opts_.cache_ttl.count() > 0) {
    tag = cache_tag(acc->password_hash, c.password);
    std::lock_guard l(cache_mu_);
    auto it = cache_.find(acc->address);
    if (it != cache_.end() && it->second.expires > Clock::now() &&
        CRYPTO_memcmp(it->second.tag.data(), tag.data(), tag.size()) == 0 && it->second.tag.size() == tag.size())
      return ok;
  }
  if (!auth::verify_password(acc->password_hash, c.password)) return make_error(Errc::permanent, "bad credentials");
  if (!tag.empty()) {
    std::lock_guard l(cache_mu_);
    if (cache_.size() > 100000) cache_.clear();
    cache_[acc->address] = Cached{tag, Clock::now() + opts_.cache_ttl};
  }
  return ok;
}

}  // namespace axon::app
