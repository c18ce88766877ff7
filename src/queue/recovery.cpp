// Spool recovery: replays the records of the segments an earlier run left behind. See spool.h, record.h.
//
// Each segment is read record by record with pread: the preamble (the seed of its header CRCs), each header
// (whose own CRC makes its lengths trustworthy), the envelope, and the data in chunks to check its CRC (kept in
// memory only when small). A bad record — wrong magic, header CRC, envelope or data CRC, a length past the end of
// the file — is either:
//   - a torn tail: nothing intact follows it, it is in the newest segment (the one being written when the
//     process died), and every octet from it to the end could be read. Such records were never acknowledged (the
//     250 comes after fdatasync). The tail is saved to spool/damaged/NAME.tail, then cut off (ftruncate + fsync),
//     so the segment is whole again and a later crash cannot mistake it for damage;
//   - damage: anything else, a read error (EIO) above all: an unreadable record may be an acknowledged one, so
//     nothing is ever cut on a read error. The scan resumes at the next intact record (found by its magic and its
//     header CRC under the segment's secret seed, so message data cannot forge one), so no intact record is ever
//     dropped; the segment is marked damaged and moved to spool/damaged/ once its intact records are released.
//     Logged at error level with the offset. A segment with read errors is not moved either: it stays in spool/
//     and is read again at the next start (delivery is idempotent), since the error may pass.
// A CRC-valid record whose envelope cannot be decoded is skipped by its length and also marks the segment damaged.
// A segment whose preamble is unreadable is damage as a whole (its records cannot be told from message data),
// except an empty or cut-short newest segment, which never held an acknowledged record and is removed.
// Security: lengths come from disk; decode_header() bounds them and every read is checked against the file size.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#include "queue/record.h"
#include "queue/spool.h"
#include "queue/spool_files.h"

namespace axon::queue {

namespace fs = std::filesystem;
using core::Errc;
using core::make_error;

namespace {

enum class Read { ok, bad, io_error, unreadable_envelope };

struct Found {
  record::Header header;
  Spooled spooled;
};

// pread_all, telling a read error (errno set) from the end of the file.
Read read_at(int fd, char* buf, uint64_t n, uint64_t offset) {
  if (pread_all(fd, buf, n, offset)) return Read::ok;
  return errno != 0 ? Read::io_error : Read::bad;
}

// Reads and checks the record at `pos`. On ok fills `f` (data kept only when size <= inline_max).
Read read_record(int fd, uint64_t pos, uint64_t file_size, uint32_t seed, std::size_t inline_max, Found& f) {
  if (file_size - pos < record::kHeaderSize) return Read::bad;
  char head[record::kHeaderSize];
  if (Read r = read_at(fd, head, sizeof head, pos); r != Read::ok) return r;
  record::Header h;
  if (!record::decode_header(std::string_view(head, sizeof head), seed, h)) return Read::bad;
  if (h.total() > file_size - pos) return Read::bad;
  std::string env(h.envelope_size, '\0');
  if (Read r = read_at(fd, env.data(), env.size(), pos + record::kHeaderSize); r != Read::ok) return r;
  if (crc32(env) != h.envelope_crc) return Read::bad;
  uint64_t data_at = pos + record::kHeaderSize + h.envelope_size;
  std::string data;
  uint32_t crc = 0;
  if (h.data_size <= inline_max) {
    data.resize(h.data_size);
    if (Read r = read_at(fd, data.data(), data.size(), data_at); r != Read::ok) return r;
    crc = crc32(data);
  } else {
    std::string chunk(1u << 20, '\0');
    for (uint64_t done = 0; done < h.data_size;) {
      auto n = static_cast<std::size_t>(std::min<uint64_t>(chunk.size(), h.data_size - done));
      if (Read r = read_at(fd, chunk.data(), n, data_at + done); r != Read::ok) return r;
      crc = crc32(std::string_view(chunk.data(), n), crc);
      done += n;
    }
  }
  if (crc != h.data_crc) return Read::bad;
  f.header = h;
  auto e = record::decode_envelope(env, &f.spooled.id);
  if (!e) return Read::unreadable_envelope;
  f.spooled.envelope = std::move(*e);
  f.spooled.data_offset = data_at;
  f.spooled.size = h.data_size;
  f.spooled.fingerprint = h.fingerprint();
  if (h.data_size <= inline_max) f.spooled.data = std::move(data);
  return Read::ok;
}

struct Next {
  uint64_t offset;       // of the next record that reads back whole, or the file size
  bool read_error = false;  // some octets on the way could not be read
};

Next find_next(int fd, uint64_t from, uint64_t file_size, uint32_t seed, std::size_t inline_max) {
  constexpr std::size_t kChunk = 1u << 16;
  std::string buf(kChunk + 3, '\0');
  Next out{file_size};
  for (uint64_t at = from; at < file_size;) {
    auto n = static_cast<std::size_t>(std::min<uint64_t>(buf.size(), file_size - at));
    if (read_at(fd, buf.data(), n, at) != Read::ok) {  // unreadable here: look further on
      out.read_error = true;
      at += kChunk;
      continue;
    }
    std::string_view v(buf.data(), n);
    for (std::size_t i = v.find(record::kMagic, 0, 4); i != std::string_view::npos;
         i = v.find(record::kMagic, i + 1, 4)) {
      Found f;
      Read r = read_record(fd, at + i, file_size, seed, inline_max, f);
      if (r == Read::ok || r == Read::unreadable_envelope) {
        out.offset = at + i;
        return out;
      }
      if (r == Read::io_error) out.read_error = true;
    }
    if (n < buf.size()) break;
    at += kChunk;  // the 3 extra octets overlap the next window: a magic across the boundary is found there
  }
  return out;
}

}  // namespace

core::Result<std::vector<Spooled>> Spool::recover() {
  std::vector<std::pair<uint64_t, fs::path>> found;
  std::error_code ec;
  for (const auto& ent : fs::directory_iterator(opts_.dir, ec)) {
    if (ent.path().extension() != ".seg") continue;
    auto name = ent.path().filename().string();
    found.emplace_back(std::strtoull(name.c_str(), nullptr, 10), ent.path());
  }
  if (ec) return make_error(Errc::unavailable, "cannot list spool " + opts_.dir.string() + ": " + ec.message());
  // Segment numbers also skip those kept in damaged/, so a new damaged segment never meets an old one's name.
  for (const auto& ent : fs::directory_iterator(opts_.dir / "damaged", ec))
    seg_no_ = std::max<uint64_t>(seg_no_, std::strtoull(ent.path().filename().c_str(), nullptr, 10));
  std::sort(found.begin(), found.end());
  std::vector<Spooled> out;
  for (const auto& [no, path] : found) {
    seg_no_ = std::max(seg_no_, no);
    const bool newest = no == found.back().first;
    int raw = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (raw < 0) return make_error(Errc::unavailable, sys_error("cannot open", path));
    auto file = std::make_shared<SegmentFile>(raw);
    struct stat st{};
    if (::fstat(raw, &st) != 0) return make_error(Errc::unavailable, sys_error("cannot stat", path));
    const auto size = static_cast<uint64_t>(st.st_size);
    uint64_t pos = record::kPreambleSize, records = 0;
    bool damaged = false, unreadable = false;
    uint32_t seed = 0, first = 0;
    char pre[record::kPreambleSize];
    Read pr = size < sizeof pre ? Read::bad : read_at(raw, pre, sizeof pre, 0);
    if (pr == Read::ok && record::decode_preamble(std::string_view(pre, sizeof pre), seed, first)) {
      pos = first;  // a message's own segment has a gap before its record
    } else {
      if (newest && pr != Read::io_error && size < sizeof pre) {
        spdlog::warn("spool: {}: removing a segment cut short before its first record", path.string());
        ::unlink(path.c_str());
        continue;
      }
      spdlog::error("spool: {}: unreadable segment preamble; the whole segment is kept{}", path.string(),
                    pr == Read::io_error ? " in place (read error)" : " as damaged");
      pos = size;
      damaged = true;
      unreadable = pr == Read::io_error;
    }
    while (pos < size) {
      Found f;
      Read r = read_record(raw, pos, size, seed, opts_.inline_max, f);
      if (r == Read::ok) {
        f.spooled.segment = no;
        if (!f.spooled.data) f.spooled.file = file;
        out.push_back(std::move(f.spooled));
        ++records;
        pos += f.header.total();
        continue;
      }
      if (r == Read::unreadable_envelope) {
        spdlog::error("spool: {} offset {}: a record with an unreadable envelope is kept, not replayed",
                      path.string(), pos);
        damaged = true;
        pos += f.header.total();
        continue;
      }
      Next next = find_next(raw, pos + 1, size, seed, opts_.inline_max);
      // A message's own segment (first > preamble) is written whole before its 250, like the newest segment.
      bool tail_ok = newest || first > record::kPreambleSize;
      if (next.offset == size && tail_ok && r != Read::io_error && !next.read_error) {
        // A torn tail: keep a copy for the admin, then cut it off durably so the segment is whole again.
        spdlog::warn("spool: {}: cutting off a torn tail of {} octets at offset {} (never acknowledged; a copy is "
                     "in damaged/)",
                     path.string(), size - pos, pos);
        if (auto s = save_tail(opts_.dir, path, raw, pos, size - pos); !s) return s.error();
        if (::ftruncate(raw, static_cast<off_t>(pos)) != 0 || ::fsync(raw) != 0)
          return make_error(Errc::unavailable, sys_error("cannot cut the torn tail off", path));
        break;
      }
      spdlog::error("spool: {}: damaged record at offset {} ({} octets{}); {}", path.string(), pos,
                    next.offset - pos, r == Read::io_error || next.read_error ? ", read errors" : "",
                    next.offset < size ? "resuming at the next intact record" : "nothing intact after it");
      damaged = true;
      unreadable = unreadable || r == Read::io_error || next.read_error;
      pos = next.offset;
    }
    if (unreadable)
      spdlog::error("spool: {}: read errors; the segment stays in place and is read again at the next start",
                    path.string());
    std::lock_guard lk(mu_);
    segments_[no] = Segment{records, 0, true, damaged, unreadable};
    if (damaged) stats_.damaged_segments++;
  }
  std::lock_guard lk(mu_);
  for (auto& s : out) backlog_bytes_ += s.size;
  collect_locked();  // empty segments go now (a damaged one with nothing to replay goes to damaged/)
  return out;
}

}  // namespace axon::queue
