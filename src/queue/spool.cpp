#include "queue/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace axon::queue {

namespace fs = std::filesystem;
using core::Errc;
using core::make_error;

namespace {

constexpr char kMagic[4] = {'A', 'X', 'S', '1'};
constexpr std::size_t kHeader = 12;
constexpr uint32_t kMaxRecord = 1u << 30;  // no message is anywhere near this; bounds recovery reads

std::string sys_error(const std::string& what, const fs::path& p) {
  return what + " " + p.string() + ": " + std::strerror(errno);
}

void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t get32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

bool fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

fs::path segment_path(const fs::path& dir, uint64_t n) {
  char name[32];
  std::snprintf(name, sizeof name, "%012llu.seg", static_cast<unsigned long long>(n));
  return dir / name;
}

bool write_all(int fd, std::vector<iovec>& iov) {
  std::size_t i = 0;
  while (i < iov.size()) {
    int cnt = static_cast<int>(std::min<std::size_t>(iov.size() - i, IOV_MAX));
    ssize_t n = ::writev(fd, &iov[i], cnt);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    auto left = static_cast<std::size_t>(n);
    while (i < iov.size() && left >= iov[i].iov_len) left -= iov[i++].iov_len;
    if (left) {
      iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + left;
      iov[i].iov_len -= left;
    }
  }
  return true;
}

const char* body_name(core::BodyType b) {
  switch (b) {
    case core::BodyType::eight_bit_mime: return "8BITMIME";
    case core::BodyType::binary_mime: return "BINARYMIME";
    default: return "7BIT";
  }
}

}  // namespace

uint32_t crc32(std::string_view data, uint32_t crc) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (unsigned char ch : data) crc = table[(crc ^ ch) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::string Spool::encode_envelope(const std::string& id, const core::Envelope& e) {
  nlohmann::json j;
  j["id"] = id;
  j["from"] = e.mail_from;
  j["body"] = body_name(e.body);
  j["utf8"] = e.smtputf8;
  j["ret"] = e.dsn_ret;
  j["envid"] = e.dsn_envid;
  j["helo"] = e.helo;
  j["ip"] = e.peer_ip;
  j["tls"] = e.tls;
  j["auth"] = e.authenticated;
  j["received"] = std::chrono::duration_cast<std::chrono::microseconds>(e.received.time_since_epoch()).count();
  auto& rc = j["rcpts"] = nlohmann::json::array();
  for (const auto& r : e.rcpts)
    rc.push_back({{"addr", r.address}, {"targets", r.targets}, {"notify", r.notify}, {"orcpt", r.orcpt}});
  // Invalid UTF-8 (8-bit addresses without SMTPUTF8 never get here, but helo may) is replaced, not thrown.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<core::Envelope> Spool::decode_envelope(std::string_view text, std::string* id) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(Errc::invalid, "envelope is not a JSON object");
  try {
    core::Envelope e;
    if (id) *id = j.at("id").get<std::string>();
    e.mail_from = j.at("from").get<std::string>();
    auto body = j.at("body").get<std::string>();
    e.body = body == "8BITMIME"     ? core::BodyType::eight_bit_mime
             : body == "BINARYMIME" ? core::BodyType::binary_mime
                                    : core::BodyType::seven_bit;
    e.smtputf8 = j.at("utf8").get<bool>();
    e.dsn_ret = j.at("ret").get<std::string>();
    e.dsn_envid = j.at("envid").get<std::string>();
    e.helo = j.at("helo").get<std::string>();
    e.peer_ip = j.at("ip").get<std::string>();
    e.tls = j.at("tls").get<std::string>();
    e.authenticated = j.at("auth").get<bool>();
    e.received = core::TimePoint{std::chrono::microseconds(j.at("received").get<int64_t>())};
    for (const auto& r : j.at("rcpts")) {
      core::Recipient rc;
      rc.address = r.at("addr").get<std::string>();
      rc.targets = r.at("targets").get<std::vector<std::string>>();
      rc.notify = r.at("notify").get<std::string>();
      rc.orcpt = r.at("orcpt").get<std::string>();
      e.rcpts.push_back(std::move(rc));
    }
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return make_error(Errc::invalid, std::string("envelope: ") + ex.what());
  }
}

core::Result<std::unique_ptr<Spool>> Spool::open(SpoolOptions opts) {
  std::error_code ec;
  fs::create_directories(opts.dir, ec);
  if (ec) return make_error(Errc::unavailable, "cannot create spool " + opts.dir.string() + ": " + ec.message());
  fs::path lock = opts.dir / "lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::unavailable, sys_error("cannot open", lock));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return make_error(Errc::in_use, "spool " + opts.dir.string() + " is in use by another axon process");
  }
  return std::unique_ptr<Spool>(new Spool(std::move(opts), fd));
}

Spool::Spool(SpoolOptions opts, int lock_fd) : opts_(std::move(opts)), lock_fd_(lock_fd) {}

Spool::~Spool() {
  stop();
  if (seg_fd_ >= 0) ::close(seg_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

core::Result<std::vector<Spooled>> Spool::recover() {
  std::vector<std::pair<uint64_t, fs::path>> found;
  std::error_code ec;
  for (const auto& ent : fs::directory_iterator(opts_.dir, ec)) {
    auto name = ent.path().filename().string();
    if (ent.path().extension() != ".seg") continue;
    found.emplace_back(std::strtoull(name.c_str(), nullptr, 10), ent.path());
  }
  if (ec) return make_error(Errc::unavailable, "cannot list spool " + opts_.dir.string() + ": " + ec.message());
  std::sort(found.begin(), found.end());
  std::vector<Spooled> out;
  for (const auto& [no, path] : found) {
    seg_no_ = std::max(seg_no_, no);
    std::ifstream in(path, std::ios::binary);
    std::string buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t pos = 0, records = 0, unreadable = 0;
    while (buf.size() - pos >= kHeader) {
      if (std::memcmp(buf.data() + pos, kMagic, 4) != 0) break;
      uint32_t len = get32(buf.data() + pos + 4), crc = get32(buf.data() + pos + 8);
      if (len > kMaxRecord || len < 4 || buf.size() - pos - kHeader < len) break;  // torn tail
      std::string_view payload(buf.data() + pos + kHeader, len);
      if (crc32(payload) != crc) break;
      uint32_t elen = get32(payload.data());
      if (elen > len - 4) break;
      core::Message m;
      auto env = decode_envelope(payload.substr(4, elen), &m.id);
      pos += kHeader + len;
      if (!env) {  // CRC-valid but unreadable (a newer version's record?): keep the segment on disk
        ++unreadable;
        continue;
      }
      m.envelope = std::move(*env);
      m.data = std::string(payload.substr(4 + elen));
      out.push_back(Spooled{std::move(m), no});
      ++records;
    }
    // A segment with unreadable records is never unlinked; its readable records replay idempotently.
    if (!unreadable) segments_[no] = Segment{records, 0, true};
  }
  for (auto& s : out) backlog_bytes_ += s.message.data.size();
  return out;
}

void Spool::start(Sink sink) {
  sink_ = std::move(sink);
  writer_ = std::thread([this] { run(); });
}

void Spool::submit(core::Message msg, Done done) {
  {
    std::lock_guard lk(mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(msg), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(make_error(Errc::unavailable, "spool is shutting down"));
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
// which delivery's idempotence absorbs, so no directory fsync is needed here.
void Spool::collect_locked() {
  for (auto it = segments_.begin(); it != segments_.end();) {
    if (it->second.closed && it->second.released >= it->second.records) {
      std::error_code ec;
      fs::remove(segment_path(opts_.dir, it->first), ec);
      it = segments_.erase(it);
    } else {
      ++it;
    }
  }
}

void Spool::close_segment_locked() {
  if (seg_fd_ < 0) return;
  ::close(seg_fd_);
  seg_fd_ = -1;
  segments_[seg_no_].closed = true;
  collect_locked();
}

core::Result<void> Spool::open_segment() {
  fs::path p = segment_path(opts_.dir, ++seg_no_);
  seg_fd_ = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (seg_fd_ < 0) return make_error(Errc::temporary, sys_error("cannot create", p));
  // The new name must survive a crash too, before any record in it is acknowledged.
  if (!fsync_dir(opts_.dir)) return make_error(Errc::temporary, sys_error("cannot fsync", opts_.dir));
  seg_bytes_ = 0;
  seg_first_write_ = std::chrono::steady_clock::now();
  std::lock_guard lk(mu_);
  segments_[seg_no_] = Segment{};
  return {};
}

std::string Spool::next_id() {
  auto now = opts_.clock ? opts_.clock->now() : std::chrono::system_clock::now();
  auto us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count());
  last_id_us_ = std::max(last_id_us_ + 1, us);  // strictly increasing within this spool (it is locked)
  static const char digits[] = "0123456789ABCDEFGHJKLMNPQRSTVWXZ";  // Crockford-style base32
  std::string id;
  for (uint64_t v = last_id_us_; v; v >>= 5) id.push_back(digits[v & 31]);
  std::reverse(id.begin(), id.end());
  return id;
}

void Spool::run() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lk(mu_);
      // Backpressure: hold the intake while too much is accepted but not yet in the store.
      backlog_cv_.wait(lk, [&] { return stopping_ || backlog_bytes_ < opts_.max_backlog_bytes; });
      bool have_open = seg_fd_ >= 0 && seg_bytes_ > 0;
      auto deadline = seg_first_write_ + opts_.segment_max_age;
      if (have_open)
        cv_.wait_until(lk, deadline, [&] { return stopping_ || !queue_.empty(); });
      else
        cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (seg_fd_ >= 0 && seg_bytes_ > 0 &&
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

    core::Result<void> st;
    if (seg_fd_ < 0) st = open_segment();
    std::vector<std::string> headers;
    std::vector<iovec> iov;
    headers.reserve(batch.size());
    std::size_t bytes = 0;
    if (st) {
      for (auto& p : batch) {
        p.msg.id = next_id();
        std::string env = encode_envelope(p.msg.id, p.msg.envelope);
        std::string h(kMagic, 4);
        std::string pl_head;
        put32(pl_head, static_cast<uint32_t>(env.size()));
        pl_head += env;
        uint32_t len = static_cast<uint32_t>(pl_head.size() + p.msg.data.size());
        uint32_t crc = crc32(p.msg.data, crc32(pl_head));
        put32(h, len);
        put32(h, crc);
        h += pl_head;
        headers.push_back(std::move(h));
        bytes += headers.back().size() + p.msg.data.size();
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        iov.push_back({headers[i].data(), headers[i].size()});
        if (!batch[i].msg.data.empty())
          iov.push_back({const_cast<char*>(batch[i].msg.data.data()), batch[i].msg.data.size()});
      }
      if (!write_all(seg_fd_, iov))
        st = make_error(Errc::temporary, sys_error("cannot write", segment_path(opts_.dir, seg_no_)));
      else if (::fdatasync(seg_fd_) != 0)
        st = make_error(Errc::temporary, sys_error("cannot fdatasync", segment_path(opts_.dir, seg_no_)));
    }
    if (!st) {
      // A failed write may have left a torn tail: start a fresh segment for the next batch. The torn records
      // were never acknowledged; recovery skips them (it stops reading a segment at the first bad record).
      std::lock_guard lk(mu_);
      close_segment_locked();
      for (auto& p : batch) p.done(st.error());
      continue;
    }
    std::vector<Spooled> durable;
    durable.reserve(batch.size());
    {
      std::lock_guard lk(mu_);
      segments_[seg_no_].records += batch.size();
      stats_.batches++;
      stats_.fsyncs++;
      stats_.messages += batch.size();
      for (auto& p : batch) backlog_bytes_ += p.msg.data.size();
    }
    seg_bytes_ += bytes;
    for (auto& p : batch) {
      p.done(p.msg.id);
      durable.push_back(Spooled{std::move(p.msg), seg_no_});
    }
    if (sink_) sink_(std::move(durable));
  }
  std::lock_guard lk(mu_);
  close_segment_locked();
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

}  // namespace axon::queue
