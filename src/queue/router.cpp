#include "queue/router.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <spdlog/spdlog.h>

#include "queue/spool_files.h"

namespace axon::queue {

Router::Router(store::MailDelivery& store, Spool& spool, RouterOptions opts)
    : store_(store), spool_(spool), opts_(std::move(opts)) {}

Router::~Router() { stop(); }

void Router::start() { thread_ = std::thread([this] { run(); }); }

void Router::enqueue(std::vector<Spooled> msgs) {
  {
    std::lock_guard lk(mu_);
    for (auto& m : msgs) queue_.push_back(std::move(m));
  }
  cv_.notify_one();  // spurious while a batch fills: the router goes back to waiting
}

std::vector<Spooled> Router::deliver_batch(std::vector<Spooled>& batch) {
  std::vector<std::string> prefixes;
  std::vector<store::Delivery> deliveries;
  std::vector<std::size_t> owner;  // deliveries[i] belongs to batch[owner[i]]
  prefixes.reserve(batch.size());
  for (const auto& m : batch) {
    // RFC 5321 §4.4: the final delivery adds Return-Path: with the reverse-path.
    prefixes.push_back("Return-Path: <" + m.envelope.mail_from + ">\r\n");
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& m = batch[i];
    std::set<std::string> seen;
    for (const auto& r : m.envelope.rcpts)
      for (const auto& t : r.targets) {
        if (!seen.insert(t).second) continue;  // two recipients reaching one account get one copy
        store::Delivery d;
        d.delivery_key = m.id + "/" + t;
        d.account = t;
        d.internal_date = m.envelope.received;
        d.prefix = prefixes[i];
        if (m.data) {
          d.data = *m.data;
        } else {
          d.data_fd = m.file ? m.file->fd : -1;
          d.data_offset = m.data_offset;
          d.data_size = m.size;
        }
        d.fingerprint = m.fingerprint;
        deliveries.push_back(std::move(d));
        owner.push_back(i);
      }
  }
  auto results = store_.deliver(deliveries);
  std::vector<char> temp_fail(batch.size(), 0);
  std::vector<std::string> park(batch.size());
  {
    std::lock_guard lk(mu_);
    for (std::size_t k = 0; k < results.size(); ++k) {
      auto& r = results[k];
      const auto& id = batch[owner[k]].id;
      if (r.ok()) {
        (r->duplicate ? stats_.duplicates : stats_.delivered)++;
        continue;
      }
      // Never going to work by retrying: the account is gone, the key holds another message, the mailbox has used
      // all its UIDs. Kept in undeliverable/ instead of pinning the spool forever.
      auto code = r.error().code;
      if (code == core::Errc::not_found || code == core::Errc::exists || code == core::Errc::limit) {
        spdlog::error("delivery id={} to={} failed: {}", id, deliveries[k].account, r.error().detail);
        park[owner[k]] = r.error().detail;
      } else {
        temp_fail[owner[k]] = 1;
        spdlog::warn("delivery id={} to={} deferred: {}", id, deliveries[k].account, r.error().detail);
      }
    }
  }
  std::vector<Spooled> retry;
  std::vector<Spool::Released> done;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    // A message with a failed copy and a temporary failure is retried whole (its good copies are duplicates
    // then); parking happens once nothing is temporary any more.
    if (temp_fail[i] || (!park[i].empty() && !park_undeliverable(batch[i], park[i]))) {
      retry.push_back(std::move(batch[i]));
      continue;
    }
    done.push_back({batch[i].segment, batch[i].size});
  }
  std::lock_guard lk(mu_);
  unsynced_.insert(unsynced_.end(), done.begin(), done.end());
  return retry;
}

// Keeps a message that cannot be delivered, durably (file and folder fsynced), for the admin and for bounces
// once they exist. False when it could not be kept: the spool record then stays.
bool Router::park_undeliverable(const Spooled& s, const std::string& why) {
  std::error_code ec;
  std::filesystem::create_directories(opts_.undeliverable_dir, ec);
  auto path = opts_.undeliverable_dir / (s.id + ".eml");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  Writer w(fd);
  std::string head = "X-Axon-Envelope: " + Spool::encode_envelope(s.id, s.envelope) + "\r\n";
  if (ok) {
    w.add(head);
    if (s.data)
      w.add(*s.data);
    else if (s.file)
      w.copy_from(s.file->fd, s.data_offset, s.size);
    ok = w.finish() && ::fsync(fd) == 0;
  }
  int err = errno;
  if (fd >= 0) ::close(fd);
  ok = ok && fsync_dir(opts_.undeliverable_dir) && fsync_dir(opts_.undeliverable_dir.parent_path());
  std::lock_guard lk(mu_);
  if (!ok) {
    spdlog::critical("cannot park undeliverable id={} at {}: {}; the spool keeps it", s.id, path.string(),
                     std::strerror(err));
    return false;
  }
  stats_.undeliverable++;
  spdlog::error("undeliverable id={} kept at {}: {}", s.id, path.string(), why);
  return true;
}

void Router::fatal(const std::string& why) {
  {
    std::lock_guard lk(mu_);
    if (broken_) return;
    broken_ = true;
  }
  spdlog::critical("store sync failed: {}; delivery stopped, the spool keeps every record since the last good "
                   "sync: restart to replay",
                   why);
  if (opts_.on_fatal) opts_.on_fatal(why);
  cv_.notify_all();
}

bool Router::broken() const {
  std::lock_guard lk(mu_);
  return broken_;
}

core::Result<void> Router::checkpoint() {
  std::vector<Spool::Released> done;
  {
    std::lock_guard lk(mu_);
    if (broken_) return core::make_error(core::Errc::unavailable, "delivery stopped after a failed sync");
    if (unsynced_.empty()) return {};
    done.swap(unsynced_);
  }
  auto st = store_.sync();
  if (!st) {
    // Never retried into success: these records stay in the spool, and nothing is released any more.
    fatal(st.error().detail);
    return st;
  }
  {
    std::lock_guard lk(mu_);
    stats_.checkpoints++;
  }
  spool_.release(done);
  return {};
}

core::Result<std::size_t> Router::deliver_now(std::vector<Spooled> msgs) {
  std::size_t n = msgs.size();
  for (std::size_t i = 0; i < msgs.size(); i += opts_.max_batch) {
    std::vector<Spooled> batch;
    for (std::size_t k = i; k < std::min(msgs.size(), i + opts_.max_batch); ++k) batch.push_back(std::move(msgs[k]));
    auto retry = deliver_batch(batch);
    if (!retry.empty()) enqueue(std::move(retry));  // the running router will retry them
  }
  if (auto st = checkpoint(); !st) return st.error();
  return n;
}

void Router::run() {
  using clock = std::chrono::steady_clock;
  auto last_sync = clock::now(), last_batch = clock::now();
  for (;;) {
    std::vector<Spooled> batch;
    {
      std::unique_lock lk(mu_);
      if (broken_) break;
      auto next_retry = clock::time_point::max();
      for (auto& r : retry_) next_retry = std::min(next_retry, r.first);
      bool need_sync = !unsynced_.empty();
      auto sync_due = std::min(last_sync + opts_.checkpoint_interval, last_batch + opts_.checkpoint_quiet);
      auto wake = need_sync ? std::min(next_retry, sync_due) : next_retry;
      cv_.wait_until(lk, wake, [&] { return stopping_ || broken_ || !queue_.empty(); });
      // Right after a batch, give the next one a moment to fill (it goes at once when full).
      auto fill_until = last_batch + opts_.batch_delay;
      if (!stopping_ && !queue_.empty() && queue_.size() < opts_.max_batch && clock::now() < fill_until)
        cv_.wait_until(lk, fill_until, [&] { return stopping_ || broken_ || queue_.size() >= opts_.max_batch; });
      if (broken_) break;
      auto now = clock::now();
      for (auto it = retry_.begin(); it != retry_.end();) {
        if (it->first <= now || stopping_) {
          queue_.push_back(std::move(it->second));
          it = retry_.erase(it);
        } else {
          ++it;
        }
      }
      while (!queue_.empty() && batch.size() < opts_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (batch.empty() && stopping_ && queue_.empty()) break;
    }
    if (!batch.empty()) {
      last_batch = clock::now();
      auto retry = deliver_batch(batch);
      if (!retry.empty()) {
        std::lock_guard lk(mu_);
        auto due = clock::now() + opts_.retry_delay;
        stats_.retries += retry.size();
        for (auto& r : retry) retry_.emplace_back(due, std::move(r));
        if (stopping_) break;  // do not spin on a failing store at shutdown; the spool keeps them
      }
    }
    auto now = clock::now();
    if (now - last_sync >= opts_.checkpoint_interval || now - last_batch >= opts_.checkpoint_quiet) {
      checkpoint();
      last_sync = now;
    }
  }
  checkpoint();
}

void Router::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Router::Stats Router::stats() const {
  std::lock_guard lk(mu_);
  return stats_;
}

}  // namespace axon::queue
