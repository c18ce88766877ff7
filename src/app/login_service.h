// app::LoginService — the server's auth::Authenticator: Argon2id verification on worker threads, a cache of
// verified passwords, a delay on every failure, and a per-IP (IPv6 /64) failure limit.
// The cache keeps HMAC-SHA256(random key, stored hash || password) per account: a password change (another stored
// hash) or the TTL forgets it; the password itself is never kept.
// Thread-safety: login() from any thread; callbacks on the workers or the delay thread (or, when the queue is
// full, at once on the caller's thread: callers hand the answer to their own strand anyway).
// Security: plaintext passwords live only in the job until verified, then are wiped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.h"
#include "store/directory_store.h"

namespace axon::app {

struct LoginOptions {
  std::chrono::milliseconds failure_delay{2000};
  std::chrono::seconds cache_ttl{3600};
  std::size_t max_failures_per_minute = 10;  // per IP (IPv6 /64)
  unsigned threads = 2;
};

class LoginService final : public auth::Authenticator {
 public:
  LoginService(store::DirectoryStore& store, LoginOptions opts);
  ~LoginService() override;  // answers pending jobs with Errc::unavailable, then stops
  void login(auth::Credentials credentials, auth::LoginDone done) override;

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxQueued = 10000;
  struct Job {
    auth::Credentials c;
    auth::LoginDone done;
  };
  void work();
  void delayer();
  core::Result<auth::LoginOk> check(const auth::Credentials& c);
  void fail_later(auth::LoginDone done, core::Error e);
  bool over_limit(const std::string& ip);
  void count_failure(const std::string& ip);
  std::string cache_tag(const std::string& hash, const std::string& password) const;

  store::DirectoryStore& store_;
  LoginOptions opts_;
  unsigned char key_[32];

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::multimap<Clock::time_point, std::function<void()>> delayed_;
  std::condition_variable delay_cv_;
  bool stop_ = false;

  std::mutex cache_mu_;
  struct Cached {
    std::string tag;
    Clock::time_point expires;
  };
  std::unordered_map<std::string, Cached> cache_;  // address → tag
  struct Failures {
    Clock::time_point window;
    std::size_t count = 0;
  };
  std::unordered_map<std::string, Failures> failures_;  // IP key → failures in the current minute

  std::vector<std::thread> threads_;
};

}  // namespace axon::app
