// store::GroupSync — group commit for readers' mutations: an IMAP STORE, EXPUNGE, COPY or APPEND must be durable
// (and published, see mail_store.h) before its tagged OK. Sessions ask; one thread runs MailDelivery::sync() for
// everyone who asked since the last one and calls them all back, so fifty sessions pay one flush.
// Thread-safety: request() from any thread; callbacks run on the syncing thread (post to your own).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/mail_store.h"

namespace axon::store {

class SyncService {
 public:
  virtual ~SyncService() = default;
  virtual void request(std::function<void(Result<void>)> done) = 0;
};

class GroupSync final : public SyncService {
 public:
  explicit GroupSync(MailDelivery& store);
  ~GroupSync() override;  // answers what is pending, then stops
  void request(std::function<void(Result<void>)> done) override;

 private:
  void run();
  MailDelivery& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void(Result<void>)>> pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace axon::store
