// store::GroupSync. See group_sync.h.
#include "store/group_sync.h"

namespace axon::store {

GroupSync::GroupSync(MailDelivery& store, std::function<void(const std::string&)> on_fatal)
    : store_(store), on_fatal_(std::move(on_fatal)), thread_([this] { run(); }) {}

GroupSync::~GroupSync() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void GroupSync::request(std::function<void(Result<void>)> done) {
  {
    std::lock_guard l(mu_);
    pending_.push_back(std::move(done));
  }
  cv_.notify_one();
}

void GroupSync::run() {
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, nothing left
    auto batch = std::move(pending_);
    pending_.clear();
    l.unlock();
    Result<void> r = store_.sync();  // covers every commit made before the requests in `batch`
    if (!r && !failed_) {
      failed_ = true;
      if (on_fatal_) on_fatal_(r.error().detail);
    }
    for (auto& done : batch) done(r);
    l.lock();
  }
}

}  // namespace axon::store
