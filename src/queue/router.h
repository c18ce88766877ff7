// queue::Router — takes durable messages from the spool and delivers them. Today: local delivery into the
// store, per distinct target account (after alias expansion at RCPT time), with Return-Path: prepended
// (RFC 5321 §4.4). Remote delivery (MX lookup, SMTP client, retries, DSN) arrives with outbound mail.
//
// Durability: the spool keeps every record until the router releases it, and the router releases only after
// Store::sync() has made the deliveries durable (a checkpoint, at most every `checkpoint_interval` while busy and
// at once when idle). Delivery keys "<queue id>/<account>" make a replay after a crash store nothing twice.
// Failures: a temporary store error retries the message after `retry_delay`; an account that vanished since RCPT
// leaves the message in `undeliverable_dir` (fsynced, never dropped) until bounces exist.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "queue/spool.h"
#include "store/store.h"

namespace axon::queue {

struct RouterOptions {
  std::filesystem::path undeliverable_dir;
  std::size_t max_batch = 128;  // messages per store transaction
  std::chrono::milliseconds checkpoint_interval{250};
  std::chrono::milliseconds retry_delay{1000};
};

class Router {
 public:
  Router(store::Store& store, Spool& spool, RouterOptions opts);
  ~Router();

  void start();
  // Thread-safe: hand over durable messages (the spool's sink).
  void enqueue(std::vector<Spooled> msgs);
  // Synchronous delivery on the caller's thread, for recovery at startup before start(). Releases what it
  // delivered after a sync. Returns how many messages were delivered.
  core::Result<std::size_t> deliver_now(std::vector<Spooled> msgs);
  // Delivers what is queued, checkpoints, joins.
  void stop();

  struct Stats {
    uint64_t delivered = 0, duplicates = 0, undeliverable = 0, retries = 0, checkpoints = 0;
  };
  Stats stats() const;

 private:
  void run();
  // Delivers a batch; returns the messages to retry later.
  std::vector<Spooled> deliver_batch(std::vector<Spooled>& batch);
  core::Result<void> checkpoint();
  void park_undeliverable(const Spooled& s);

  store::Store& store_;
  Spool& spool_;
  RouterOptions opts_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Spooled> queue_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, Spooled>> retry_;
  std::vector<Spool::Released> unsynced_;  // delivered, not yet covered by Store::sync()
  bool stopping_ = false;
  std::thread thread_;
  Stats stats_;
};

}  // namespace axon::queue
