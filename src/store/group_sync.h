// store::GroupSync — group commit for readers' mutations: an IMAP STORE, EXPUNGE, COPY or APPEND must be durable
// (and published, see mail_store.h) before its tagged OK. Sessions ask; one thread runs MailDelivery::sync() for
// everyone who asked since the last one and calls them all back, so fifty sessions pay one flush.
// Thread-safety: request() from any thread; callbacks run on the syncing thread (post to your own).
#pragma once

#include <condition_variable>
#include <functional>
#include <string>
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
  // on_fatal: called once, on the syncing thread, when a sync fails (durability is lost: the server must stop
  // and replay, as after the router's failure).
  explicit GroupSync(MailDelivery& store, std::function<void(const std::string&)> on_fatal = {});
  ~GroupSync() override;  // answers what is pending, then stops
  void request(std::function<void(Result<void>)> done) override;

 private:
  void run();
  MailDelivery& store_;
  std::function<void(const std::string&)> on_fatal_;
  bool failed_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void(Result<void>)>> pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace axon::store
