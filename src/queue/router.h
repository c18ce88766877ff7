// queue::Router — takes durable messages from the spool and delivers them. Today: local delivery into the
// store, per distinct target account (after alias expansion at RCPT time), with Return-Path: prepended
// (RFC 5321 §4.4). Remote delivery (MX lookup, SMTP client, retries, DSN) arrives with outbound mail.
// Message data is never loaded whole: the store copies it from the spool segment (small messages travel in
// memory).
//
// Durability: the spool keeps every record until the router releases it, and the router releases only after
// Store::sync() has made the deliveries durable (a checkpoint: every `checkpoint_interval` while busy, or once no
// message arrived for `checkpoint_quiet`). A sync is never needed for the 250 (the spool gave it), so one syncfs
// per interval serves every batch delivered in it. Delivery keys "<queue id>/<account>" make a replay after a crash store nothing twice.
// A failed sync is final: the kernel may have dropped the pages, so the router stops delivering, releases
// nothing more, and calls `on_fatal` (the server stops; the restart replays the spool).
// Failures of one message: a temporary store error retries it after `retry_delay`; an account that vanished
// since RCPT, or a delivery key that already holds another message, leaves it in `undeliverable_dir` (file and
// folder fsynced; if that fails the spool record stays and parking is retried) until bounces exist.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "queue/spool.h"
#include "store/mail_store.h"

namespace axon::queue {

struct RouterOptions {
  std::filesystem::path undeliverable_dir;
  std::size_t max_batch = 128;  // messages per store transaction
  // Under load, let a batch fill for up to this long after the previous one: one store transaction (its locks,
  // WAL frames and commit) then serves many messages. Delivery waits a little; the 250 never does.
  std::chrono::milliseconds batch_delay{5};
  std::chrono::milliseconds checkpoint_interval{250};  // under load, at most this long between syncs
  std::chrono::milliseconds checkpoint_quiet{10};      // idle this long: sync now (light load releases soon)
  std::chrono::milliseconds retry_delay{1000};
  std::function<void(const std::string&)> on_fatal;  // the store lost durability; any thread, at most once
};

class Router {
 public:
  Router(store::MailDelivery& store, Spool& spool, RouterOptions opts);
  ~Router();

  void start();
  // Thread-safe: hand over durable messages (the spool's sink).
  void enqueue(std::vector<Spooled> msgs);
  // Synchronous delivery on the caller's thread, for recovery at startup before start(). Releases what it
  // delivered after a sync. Returns how many messages were delivered; an error when the sync failed (fatal).
  core::Result<std::size_t> deliver_now(std::vector<Spooled> msgs);
  // Delivers what is queued, checkpoints, joins.
  void stop();
  bool broken() const;

  struct Stats {
    uint64_t delivered = 0, duplicates = 0, undeliverable = 0, retries = 0, checkpoints = 0;
  };
  Stats stats() const;

 private:
  void run();
  // Delivers a batch; returns the messages to retry later.
  std::vector<Spooled> deliver_batch(std::vector<Spooled>& batch);
  core::Result<void> checkpoint();
  bool park_undeliverable(const Spooled& s, const std::string& why);
  void fatal(const std::string& why);

  store::MailDelivery& store_;
  Spool& spool_;
  RouterOptions opts_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Spooled> queue_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, Spooled>> retry_;
  std::vector<Spool::Released> unsynced_;  // delivered, not yet covered by Store::sync()
  bool stopping_ = false;
  bool broken_ = false;
  std::thread thread_;
  Stats stats_;
};

}  // namespace axon::queue
