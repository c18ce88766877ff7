// queue::Spool — the durable intake of accepted messages. Sessions submit a message; a single writer thread
// appends every waiting message to the active segment file with one writev, makes it durable with ONE fdatasync
// (group commit: concurrent sessions share the fsync), and only then completes each submit (the session's 250)
// and hands the message to the sink (the router).
//
// Segments: spool/NNNNNNNNNNNN.seg, append-only, rotated by size or age. A segment is unlinked when it is closed
// and every record in it has been released (delivered into the store and made durable there by Store::sync()).
// After a crash, recover() returns every intact record of the segments left behind; delivery is idempotent by
// queue id, so replaying a record that was already delivered stores nothing twice. A torn record at a segment's
// tail (written but never fsynced, so never acknowledged) is ignored.
//
// Record: "AXS1" | u32 payload length | u32 CRC-32 of payload | payload = u32 envelope length | envelope (JSON) |
// message data. Security: the files hold untrusted message data; recovery bounds every length it reads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/envelope.h"
#include "core/error.h"

namespace axon::queue {

struct SpoolOptions {
  std::filesystem::path dir;                      // created if missing; locked against a second process
  std::size_t segment_max_bytes = 64u << 20;      // rotate past this size
  std::chrono::milliseconds segment_max_age{500};  // rotate a non-empty segment this long after its first write
  std::size_t max_backlog_bytes = 256u << 20;      // accepted but not yet released: past it, intake waits
  const core::Clock* clock = nullptr;             // queue ids; system clock when null
};

// A durable message handed to the sink, with the segment it lives in (to release it later).
struct Spooled {
  core::Message message;
  uint64_t segment = 0;
};

class Spool {
 public:
  using Done = std::function<void(core::Result<std::string>)>;  // queue id, or why it failed; writer thread
  using Sink = std::function<void(std::vector<Spooled>)>;       // durable messages, in order; writer thread

  static core::Result<std::unique_ptr<Spool>> open(SpoolOptions opts);
  ~Spool();

  // Intact records left by an earlier run, oldest first. Call once, before start().
  core::Result<std::vector<Spooled>> recover();
  // Starts the writer thread.
  void start(Sink sink);
  // Thread-safe. `done` runs on the writer thread once the message is on disk (or failed).
  void submit(core::Message msg, Done done);
  // The router has made these records durable elsewhere; their segments go once closed and fully released.
  struct Released {
    uint64_t segment;
    std::size_t bytes;  // the message data size, for the backlog bound
  };
  void release(const std::vector<Released>& records);
  // Stops intake, writes what is waiting, joins the writer.
  void stop();

  struct Stats {
    uint64_t batches = 0, messages = 0, fsyncs = 0, live_segments = 0, backlog_bytes = 0;
  };
  Stats stats() const;

  // The record's JSON part: the queue id and the envelope.
  static std::string encode_envelope(const std::string& id, const core::Envelope& e);
  static core::Result<core::Envelope> decode_envelope(std::string_view json, std::string* id);

 private:
  struct Pending {
    core::Message msg;
    Done done;
  };
  struct Segment {
    uint64_t records = 0, released = 0;
    bool closed = false;
  };
  explicit Spool(SpoolOptions opts, int lock_fd);
  void run();
  core::Result<void> open_segment();
  void close_segment_locked();
  void collect_locked();
  std::string next_id();

  SpoolOptions opts_;
  int lock_fd_ = -1;
  int seg_fd_ = -1;
  uint64_t seg_no_ = 0;
  std::size_t seg_bytes_ = 0;
  std::chrono::steady_clock::time_point seg_first_write_{};
  uint64_t last_id_us_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_, backlog_cv_;
  std::deque<Pending> queue_;
  std::map<uint64_t, Segment> segments_;
  std::size_t backlog_bytes_ = 0;
  bool stopping_ = false;
  Sink sink_;
  std::thread writer_;
  Stats stats_;
};

uint32_t crc32(std::string_view data, uint32_t crc = 0);

}  // namespace axon::queue
