// queue::Spool — the durable intake of accepted messages. Sessions submit a message (its envelope and the
// IntakeBuffer its data streamed into); a single writer thread appends every waiting message to the active
// segment file (headers and data with one writev), makes the batch durable with ONE fdatasync (group commit:
// concurrent sessions share the fsync), and only then completes each submit (the session's 250) and hands the
// messages to the sink (the router). A spilled message's file becomes a segment of its own instead (no copy).
//
// Segments: spool/NNNNNNNNNNNN.seg, rotated by size or age; a big (spilled) message's file becomes a segment of
// its own, so its data is never copied (record.h: kSpillGap). A segment is unlinked when it is closed and every
// record in it has been released (delivered into the store and made durable there by Store::sync()).
// Record format: record.h. Queue ids: ids.h (a durable counter, never the clock).
//
// Failures. A failed write is cut off again (ftruncate to the batch's start) and the batch gets a temporary
// error; if even that fails, or fdatasync fails, the spool is broken for good: the kernel may already have
// dropped the dirty pages and would report success next time, so the error is never retried. Every later
// submit fails, and `on_fatal` tells the server to stop; the restart replays the segments.
//
// Recovery (recovery.cpp). recover() reads every segment left behind, record by record, without holding message
// data in memory (small messages excepted). A bad record that nothing intact follows in the newest segment is a
// torn tail (written but never acknowledged): it is cut off. Any other bad record is damage: the intact records
// after it are found again and replayed, and the segment is moved to spool/damaged/ once they are released. A
// segment with read errors (EIO) is neither cut nor moved: its readable records are replayed and it stays in
// spool/, to be read again at the next start (the error may pass; an unreadable record may be acknowledged mail).
// Security: the files hold untrusted message data; recovery bounds every length it reads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/envelope.h"
#include "core/error.h"
#include "queue/ids.h"
#include "queue/intake.h"

namespace axon::queue {

struct SpoolOptions {
  std::filesystem::path dir;                      // created if missing; locked against a second process
  std::size_t segment_max_bytes = 64u << 20;      // rotate past this size
  std::chrono::milliseconds segment_max_age{500};  // rotate a non-empty segment this long after its first write
  std::size_t max_backlog_bytes = 256u << 20;      // accepted but not yet released: past it, intake waits
  std::size_t inline_max = 64u << 10;              // data up to this size travels to the router in memory
  IntakeLimits intake;                             // memory and in-flight budgets of receiving sessions
  const core::Clock* clock = nullptr;             // a new spool's first id; system clock when null
  // The spool cannot make data durable any more (fsync failed): stop the server. Any thread, at most once.
  std::function<void(const std::string&)> on_fatal;
};

// An open segment file, shared by the writer and every record that still has to be read from it.
struct SegmentFile {
  explicit SegmentFile(int f) : fd(f) {}
  ~SegmentFile();
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;
  int fd;
};

// A durable message handed to the sink: where its data lives in which segment (to read and to release it).
struct Spooled {
  std::string id;
  core::Envelope envelope;
  uint64_t segment = 0;
  std::shared_ptr<const SegmentFile> file;  // only when the data is not in memory (no fd pinned otherwise)
  uint64_t data_offset = 0;  // in the segment
  uint64_t size = 0;         // data octets
  uint64_t fingerprint = 0;  // record.h: same id and another fingerprint is another message
  std::optional<std::string> data;  // the data itself when size <= inline_max

  // The whole data (from memory or the segment). For small messages and tests; delivery streams instead.
  core::Result<std::string> read() const;
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

  // A buffer for one transaction's data (nullptr while too much data is in flight: 452 4.3.1).
  std::unique_ptr<IntakeBuffer> begin_message() { return budget_.begin(); }
  IntakeBudget& budget() { return budget_; }

  // Thread-safe. `done` runs on the writer thread once the message is on disk (or failed). `data` is an
  // IntakeBuffer from begin_message() or a core::StringBuffer. Setting `*cancelled` (the session gave up waiting,
  // or its client went away) drops the message if the writer has not taken it yet (done gets an error); one
  // already being written is kept: a duplicate, never a loss.
  using Cancel = std::shared_ptr<std::atomic<bool>>;
  void submit(core::Envelope envelope, std::unique_ptr<core::MessageBuffer> data, Done done, Cancel cancelled = {});
  void submit(core::Message msg, Done done);  // data in memory (tests, tools)

  // The router has made these records durable elsewhere; their segments go once closed and fully released.
  struct Released {
    uint64_t segment;
    std::size_t bytes;  // the message data size, for the backlog bound
  };
  void release(const std::vector<Released>& records);
  // Stops intake, writes what is waiting, joins the writer.
  void stop();
  bool broken() const;

  struct Stats {
    uint64_t batches = 0, messages = 0, fsyncs = 0, live_segments = 0, backlog_bytes = 0, damaged_segments = 0;
  };
  Stats stats() const;

  // Whether the envelope's record fits record::kMaxEnvelope.
  static bool envelope_fits(const core::Envelope& e);
  // The record's JSON part: the queue id and the envelope (record.h).
  static std::string encode_envelope(const std::string& id, const core::Envelope& e);
  static core::Result<core::Envelope> decode_envelope(std::string_view json, std::string* id);

 private:
  struct Pending {
    core::Envelope envelope;
    std::unique_ptr<IntakeBuffer> data;
    Done done;
    std::string id;
    Cancel cancelled;
  };
  struct Segment {
    uint64_t records = 0, released = 0;
    bool closed = false;
    bool damaged = false;  // moved to damaged/ instead of unlinked
    bool unreadable = false;  // read errors: left where it is and read again at the next start
  };
  Spool(SpoolOptions opts, int lock_fd, IdAllocator ids);
  void run();
  core::Result<void> open_segment();
  void close_segment_locked();
  void collect_locked();
  core::Result<void> write_batch(std::vector<Pending>& batch, std::vector<Spooled>& out);
  enum class Own { done, fallback, failed };
  Own own_segment(Pending& p, Spooled& out, core::Error& err);
  void complete(std::vector<Pending>& batch, std::vector<Spooled>& durable);
  void fatal(const std::string& why);

  SpoolOptions opts_;
  int lock_fd_ = -1;
  IdAllocator ids_;
  IntakeBudget budget_;
  std::shared_ptr<SegmentFile> seg_;
  uint64_t seg_no_ = 0;   // the highest segment number used
  uint64_t open_no_ = 0;  // the open shared segment's number
  bool own_segments_ = true;  // spilled messages become their own segments (off once linkat is refused)
  uint32_t seg_seed_ = 0;  // record.h: the open segment's header CRC seed
  uint64_t seg_bytes_ = 0;
  std::chrono::steady_clock::time_point seg_first_write_{};

  mutable std::mutex mu_;
  std::condition_variable cv_, backlog_cv_;
  std::deque<Pending> queue_;
  std::map<uint64_t, Segment> segments_;
  std::size_t backlog_bytes_ = 0;
  bool stopping_ = false;
  bool broken_ = false;
  Sink sink_;
  std::thread writer_;
  Stats stats_;

  friend class Recovery;
};

}  // namespace axon::queue
