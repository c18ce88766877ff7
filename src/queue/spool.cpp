// The spool's writer: group commit of submitted messages into segments. See spool.h; recovery is recovery.cpp.
#include "queue/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#include "queue/record.h"
#include "queue/spool_files.h"

namespace axon::queue {

namespace fs = std::filesystem;
using core::Errc;
using core::make_error;

SegmentFile::~SegmentFile() {
  if (fd >= 0) ::close(fd);
}

core::Result<std::string> Spooled::read() const {
  if (data) return *data;
  if (!file) return make_error(Errc::not_found, "spooled message " + id + " has no data");
  std::string out(size, '\0');
  if (!pread_all(file->fd, out.data(), size, data_offset))
    return make_error(Errc::temporary, "read spooled message " + id + ": " + std::strerror(errno));
  return out;
}

std::string Spool::encode_envelope(const std::string& id, const core::Envelope& e) {
  return record::encode_envelope(id, e);
}
core::Result<core::Envelope> Spool::decode_envelope(std::string_view json, std::string* id) {
  return record::decode_envelope(json, id);
}

core::Result<std::unique_ptr<Spool>> Spool::open(SpoolOptions opts) {
  std::error_code ec;
  fs::create_directories(opts.dir, ec);
  if (ec) return make_error(Errc::unavailable, "cannot create spool " + opts.dir.string() + ": " + ec.message());
  fs::permissions(opts.dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  fs::path lock = opts.dir / "lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::unavailable, sys_error("cannot open", lock));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return make_error(Errc::in_use, "spool " + opts.dir.string() + " is in use by another axon process");
  }
  core::SystemClock system_clock;
  auto ids = IdAllocator::open(opts.dir, opts.clock ? *opts.clock : system_clock);
  if (!ids) {
    ::close(fd);
    return ids.error();
  }
  return std::unique_ptr<Spool>(new Spool(std::move(opts), fd, std::move(*ids)));
}

Spool::Spool(SpoolOptions opts, int lock_fd, IdAllocator ids)
    : opts_(std::move(opts)), lock_fd_(lock_fd), ids_(std::move(ids)), budget_(opts_.intake, opts_.dir) {}

Spool::~Spool() {
  stop();
  seg_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void Spool::start(Sink sink) {
  sink_ = std::move(sink);
  writer_ = std::thread([this] { run(); });
}

void Spool::submit(core::Envelope envelope, std::unique_ptr<core::MessageBuffer> data, Done done, Cancel cancelled) {
  std::unique_ptr<IntakeBuffer> buf;
  if (auto* ib = dynamic_cast<IntakeBuffer*>(data.get())) {
    data.release();
    buf.reset(ib);
  } else {
    buf = std::make_unique<IntakeBuffer>(nullptr);
    if (auto* sb = dynamic_cast<core::StringBuffer*>(data.get())) buf->append(sb->data());
  }
  buf->flush();  // the rest of a spilled message's data, on the session's thread
  if (buf->failed()) return done(make_error(Errc::temporary, "message data could not be kept"));
  {
    std::lock_guard lk(mu_);
    if (!stopping_ && !broken_) {
      queue_.push_back(Pending{std::move(envelope), std::move(buf), std::move(done), {}, std::move(cancelled)});
      cv_.notify_one();
      return;
    }
  }
  done(make_error(Errc::unavailable, "spool is shutting down"));
}

void Spool::submit(core::Message msg, Done done) {
  auto buf = std::make_unique<core::StringBuffer>();
  buf->append(msg.data);
  submit(std::move(msg.envelope), std::move(buf), std::move(done));
}

void Spool::release(const std::vector<Released>& records) {
  std::lock_guard lk(mu_);
  for (const auto& r : records) {
    auto it = segments_.find(r.segment);
    if (it != segments_.end()) ++it->second.released;
    backlog_bytes_ -= std::min(backlog_bytes_, r.bytes);
  }
  collect_locked();
  backlog_cv_.notify_all();
}

// Unlinks closed segments whose records are all released. Losing an unlink in a crash only means a replay,
// which delivery's idempotence absorbs, so no directory fsync is needed here. A damaged segment is kept for the
// admin in damaged/ (its intact records were delivered; the damaged ones could not be).
void Spool::collect_locked() {
  for (auto it = segments_.begin(); it != segments_.end();) {
    if (it->second.unreadable) {  // kept in place for the next start
      ++it;
      continue;
    }
    if (it->second.closed && it->second.released >= it->second.records) {
      fs::path p = segment_path(opts_.dir, it->first);
      if (it->second.damaged) {
        if (auto r = move_to_damaged(opts_.dir, p); !r)
          spdlog::error("spool: {}", r.error().detail);
        else
          spdlog::error("spool: damaged segment {} kept as damaged/{}", p.filename().string(),
                        p.filename().string());
      } else {
        std::error_code ec;
        fs::remove(p, ec);
      }
      it = segments_.erase(it);
    } else {
      ++it;
    }
  }
}

void Spool::close_segment_locked() {
  if (!seg_) return;
  seg_.reset();
  segments_[open_no_].closed = true;
  collect_locked();
}

core::Result<void> Spool::open_segment() {
  open_no_ = ++seg_no_;
  fs::path p = segment_path(opts_.dir, open_no_);
  // No O_APPEND: copy_file_range refuses it; the file position is the append point. O_EXCL: never reuse a name.
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::temporary, sys_error("cannot create", p));
  seg_ = std::make_shared<SegmentFile>(fd);
  // The preamble (and its nonce) becomes durable with the first batch's fdatasync.
  std::string preamble = record::encode_preamble(seg_seed_);
  Writer w(fd);
  w.add(preamble);
  if (!w.finish()) {
    seg_.reset();
    ::unlink(p.c_str());
    return make_error(Errc::temporary, sys_error("cannot write", p));
  }
  // The new name must survive a crash too, before any record in it is acknowledged.
  if (!fsync_dir(opts_.dir)) {
    fatal(sys_error("cannot fsync", opts_.dir));
    return make_error(Errc::temporary, "spool directory fsync failed");
  }
  seg_bytes_ = record::kPreambleSize;
  seg_first_write_ = std::chrono::steady_clock::now();
  std::lock_guard lk(mu_);
  segments_[open_no_] = Segment{};
  return {};
}

void Spool::fatal(const std::string& why) {
  {
    std::lock_guard lk(mu_);
    if (broken_) return;
    broken_ = true;
  }
  spdlog::critical("spool: {}: no more mail is accepted; restart to replay the spool", why);
  if (opts_.on_fatal) opts_.on_fatal(why);
}

bool Spool::broken() const {
  std::lock_guard lk(mu_);
  return broken_;
}

// Appends the batch to the open segment and fdatasyncs it. On success fills `out` in batch order.
core::Result<void> Spool::write_batch(std::vector<Pending>& batch, std::vector<Spooled>& out) {
  if (!seg_) {
    if (auto r = open_segment(); !r) return r;
  }
  const int fd = seg_->fd;
  const uint64_t start = seg_bytes_;
  std::vector<std::string> heads;
  heads.reserve(batch.size());
  for (auto& p : batch) {
    auto id = ids_.next();
    if (!id) {
      fatal(id.error().detail);
      return id.error();
    }
    p.id = std::move(*id);
  }
  // Headers and in-memory data go out in one writev per run; a spilled message's data is copied in the kernel.
  Writer w(fd);
  uint64_t pos = start;
  out.reserve(batch.size());
  for (auto& p : batch) {
    std::string env = record::encode_envelope(p.id, p.envelope);
    record::Header h;
    h.envelope_size = static_cast<uint32_t>(env.size());
    h.data_size = p.data->size();
    h.envelope_crc = crc32(env);
    h.data_crc = p.data->crc();
    heads.push_back(record::encode_header(h, seg_seed_) + env);
    w.add(heads.back());
    if (p.data->spilled())
      w.copy_from(p.data->fd(), p.data->data_offset(), p.data->size());
    else
      w.add(p.data->memory());
    Spooled s;
    s.id = p.id;
    s.segment = open_no_;
    s.file = seg_;
    s.data_offset = pos + heads.back().size();
    s.size = h.data_size;
    s.fingerprint = h.fingerprint();
    out.push_back(std::move(s));
    pos += h.total();
  }
  bool ok = w.finish();
  if (!ok) {
    int err = errno;
    out.clear();
    // Cut the partial batch off again, so the segment holds only whole records; if that fails too, the
    // segment's tail is unknown and the spool stops (recovery will sort it out).
    if (::ftruncate(fd, static_cast<off_t>(start)) != 0 || ::lseek(fd, static_cast<off_t>(start), SEEK_SET) < 0) {
      fatal(sys_error("cannot cut a failed write off", segment_path(opts_.dir, open_no_)));
    }
    return make_error(Errc::temporary, "write " + segment_path(opts_.dir, open_no_).string() + ": " +
                                           std::strerror(err));
  }
  if (::fdatasync(fd) != 0) {
    out.clear();
    fatal(sys_error("cannot fdatasync", segment_path(opts_.dir, open_no_)));
    return make_error(Errc::temporary, "spool fdatasync failed");
  }
  seg_bytes_ = pos;
  return {};
}

void Spool::run() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lk(mu_);
      // Backpressure: hold the intake while too much is accepted but not yet in the store.
      backlog_cv_.wait(lk, [&] { return stopping_ || backlog_bytes_ < opts_.max_backlog_bytes; });
      bool have_open = seg_ && seg_bytes_ > record::kPreambleSize;
      auto deadline = seg_first_write_ + opts_.segment_max_age;
      if (have_open)
        cv_.wait_until(lk, deadline, [&] { return stopping_ || !queue_.empty(); });
      else
        cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (seg_ && seg_bytes_ > record::kPreambleSize &&
          (std::chrono::steady_clock::now() >= deadline || seg_bytes_ >= opts_.segment_max_bytes))
        close_segment_locked();
      if (queue_.empty()) {
        if (stopping_) break;
        continue;
      }
      while (!queue_.empty()) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    // Messages whose sessions gave up waiting (451 sent) are not written: they would arrive twice. An envelope
    // a record cannot hold (the session bounds recipients and targets, so only a misconfiguration) is refused
    // here, before its 250, rather than written and lost at recovery.
    std::erase_if(batch, [](Pending& p) {
      if (p.cancelled && p.cancelled->load()) {
        p.done(make_error(Errc::temporary, "cancelled"));
        return true;
      }
      if (!envelope_fits(p.envelope)) {
        p.done(make_error(Errc::too_big, "envelope too large for a spool record"));
        return true;
      }
      return false;
    });
    if (batch.empty()) continue;

    // Big messages first: each spilled one becomes its own segment (no copy of its data); one directory fsync
    // makes all their new names durable.
    std::vector<Pending> own;
    std::vector<Spooled> own_out;
    for (auto it = batch.begin(); it != batch.end() && !broken();) {
      Spooled s;
      core::Error err;
      switch (own_segment(*it, s, err)) {
        case Own::fallback:
          ++it;
          break;
        case Own::failed:
          it->done(err);
          it = batch.erase(it);
          break;
        case Own::done:
          own.push_back(std::move(*it));
          own_out.push_back(std::move(s));
          it = batch.erase(it);
          break;
      }
    }
    if (!own.empty() && !fsync_dir(opts_.dir)) {
      fatal(sys_error("cannot fsync", opts_.dir));
      for (auto& p : own) p.done(make_error(Errc::temporary, "spool directory fsync failed"));
      own.clear();
      own_out.clear();
    }
    if (!own.empty()) complete(own, own_out);

    if (batch.empty()) continue;
    std::vector<Spooled> durable;
    core::Result<void> st = broken() ? core::Result<void>(make_error(Errc::temporary, "spool is broken"))
                                     : write_batch(batch, durable);
    if (!st) {
      for (auto& p : batch) p.done(st.error());
      continue;
    }
    {
      std::lock_guard lk(mu_);
      segments_[open_no_].records += batch.size();
      stats_.fsyncs++;
    }
    complete(batch, durable);
  }
  std::lock_guard lk(mu_);
  close_segment_locked();
}

// Durable messages: account for them, answer their sessions (the 250), hand them to the sink.
void Spool::complete(std::vector<Pending>& batch, std::vector<Spooled>& durable) {
  {
    std::lock_guard lk(mu_);
    stats_.batches++;
    stats_.messages += batch.size();
    for (auto& s : durable) backlog_bytes_ += s.size;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& p = batch[i];
    auto& s = durable[i];
    s.envelope = std::move(p.envelope);
    if (p.data && !p.data->spilled() && s.size <= opts_.inline_max) {
      s.data = std::move(p.data->memory());
      s.file.reset();  // the data travels in memory: pin no segment descriptor
    }
    p.data.reset();  // its memory and in-flight share go back to the budget
    p.done(s.id);
  }
  if (sink_) sink_(std::move(durable));
}

// A spilled message's file becomes its own segment: its record's header and envelope go into the gap the spill
// file left before the data, the preamble at 0, then a name (linkat through /proc: the file is an O_TMPFILE) and
// fdatasync. `fallback`: the message goes into the shared segment the ordinary way (not spilled, no O_TMPFILE,
// an envelope larger than the gap, no name could be given); `failed`: an I/O error (fatal for fdatasync).
Spool::Own Spool::own_segment(Pending& p, Spooled& out, core::Error& err) {
  IntakeBuffer& b = *p.data;
  if (!b.spilled() || !b.linkable() || !own_segments_) return Own::fallback;
  auto id = ids_.next();
  if (!id) {
    fatal(id.error().detail);
    err = id.error();
    return Own::failed;
  }
  std::string env = record::encode_envelope(*id, p.envelope);
  if (record::kPreambleSize + record::kHeaderSize + env.size() > b.data_offset()) return Own::fallback;
  const auto first = static_cast<uint32_t>(b.data_offset() - record::kHeaderSize - env.size());
  uint32_t seed = 0;
  std::string preamble = record::encode_preamble(seed, first);
  record::Header h;
  h.envelope_size = static_cast<uint32_t>(env.size());
  h.data_size = b.size();
  h.envelope_crc = crc32(env);
  h.data_crc = b.crc();
  std::string head = record::encode_header(h, seed) + env;
  const int fd = b.fd();
  if (::pwrite(fd, preamble.data(), preamble.size(), 0) != static_cast<ssize_t>(preamble.size()) ||
      ::pwrite(fd, head.data(), head.size(), first) != static_cast<ssize_t>(head.size())) {
    err = make_error(Errc::temporary, std::string("write a spill file's record header: ") + std::strerror(errno));
    return Own::failed;
  }
  const uint64_t no = ++seg_no_;
  fs::path path = segment_path(opts_.dir, no);
  char proc[64];
  std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (::linkat(AT_FDCWD, proc, AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) != 0) {
    spdlog::warn("spool: cannot name a spill file ({}); big messages are copied into segments", std::strerror(errno));
    own_segments_ = false;
    return Own::fallback;
  }
  if (::fdatasync(fd) != 0) {
    fatal(sys_error("cannot fdatasync", path));
    err = make_error(Errc::temporary, "spool fdatasync failed");
    return Own::failed;
  }
  p.id = std::move(*id);
  out.id = p.id;
  out.segment = no;
  out.file = std::make_shared<SegmentFile>(b.release_fd());
  out.data_offset = b.data_offset();
  out.size = h.data_size;
  out.fingerprint = h.fingerprint();
  std::lock_guard lk(mu_);
  segments_[no] = Segment{1, 0, true};
  stats_.fsyncs++;
  return Own::done;
}

void Spool::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  backlog_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

Spool::Stats Spool::stats() const {
  std::lock_guard lk(mu_);
  Stats s = stats_;
  s.live_segments = segments_.size();
  s.backlog_bytes = backlog_bytes_;
  return s;
}

bool Spool::envelope_fits(const core::Envelope& e) {
  // A cheap upper bound first (JSON escapes an octet into at most 6); the exact size only when it is close.
  std::size_t bound = 4096 + e.mail_from.size() + e.helo.size() + e.peer_ip.size() + e.tls.size() +
                      e.dsn_envid.size() + e.dsn_ret.size();
  for (const auto& r : e.rcpts) {
    bound += 64 + r.address.size() + r.notify.size() + r.orcpt.size();
    for (const auto& t : r.targets) bound += 8 + t.size();
  }
  if (bound * 6 <= record::kMaxEnvelope) return true;
  return record::encode_envelope(std::string(16, 'X'), e).size() <= record::kMaxEnvelope;
}

}  // namespace axon::queue
