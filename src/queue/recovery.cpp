// Spool recovery: replays the records of the segments an earlier run left behind. See spool.h.
//
// Each segment is read record by record with pread: the header (whose own CRC makes its lengths trustworthy),
// the envelope, and the data in chunks to check its CRC (kept in memory only when small). A bad record — wrong
// magic, header CRC, envelope or data CRC, a length past the end of the file, or a read error — is either:
//   - a torn tail: nothing intact follows it and it is in the newest segment, the one being written when the
//     process died. Such records were never acknowledged (the 250 comes after fdatasync). They are cut off
//     (ftruncate + fsync), so the segment is whole again and a later crash cannot mistake them for damage;
//   - damage: anything else. The scan resumes at the next intact record (found by its magic and checksums), so
//     no intact record is ever dropped; the segment is marked damaged and moved to spool/damaged/ once its
//     intact records are released. Logged at error level with the offset.
// A CRC-valid record whose envelope cannot be decoded (a newer version's?) is skipped by its length and also
// marks the segment damaged, so it is kept.
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

enum class Read { ok, bad, unreadable_envelope };

struct Found {
  record::Header header;
  Spooled spooled;
};

// Reads and checks the record at `pos`. On ok fills `f` (data kept only when size <= inline_max).
Read read_record(int fd, uint64_t pos, uint64_t file_size, std::size_t inline_max, Found& f) {
  if (file_size - pos < record::kHeaderSize) return Read::bad;
  char head[record::kHeaderSize];
  if (!pread_all(fd, head, sizeof head, pos)) return Read::bad;
  record::Header h;
  if (!record::decode_header(std::string_view(head, sizeof head), h)) return Read::bad;
  if (h.total() > file_size - pos) return Read::bad;
  std::string env(h.envelope_size, '\0');
  if (!pread_all(fd, env.data(), env.size(), pos + record::kHeaderSize)) return Read::bad;
  if (crc32(env) != h.envelope_crc) return Read::bad;
  uint64_t data_at = pos + record::kHeaderSize + h.envelope_size;
  std::string data;
  uint32_t crc = 0;
  if (h.data_size <= inline_max) {
    data.resize(h.data_size);
    if (!pread_all(fd, data.data(), data.size(), data_at)) return Read::bad;
    crc = crc32(data);
  } else {
    std::string chunk(1u << 20, '\0');
    for (uint64_t done = 0; done < h.data_size;) {
      auto n = static_cast<std::size_t>(std::min<uint64_t>(chunk.size(), h.data_size - done));
      if (!pread_all(fd, chunk.data(), n, data_at + done)) return Read::bad;
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

// The offset of the next record after `from` that reads back intact (or unreadable-but-whole), or file_size.
uint64_t find_next(int fd, uint64_t from, uint64_t file_size, std::size_t inline_max) {
  constexpr std::size_t kChunk = 1u << 16;
  std::string buf(kChunk + 3, '\0');
  for (uint64_t at = from; at < file_size;) {
    auto n = static_cast<std::size_t>(std::min<uint64_t>(buf.size(), file_size - at));
    if (!pread_all(fd, buf.data(), n, at)) {  // unreadable here: look further on
      at += kChunk;
      continue;
    }
    std::string_view v(buf.data(), n);
    for (std::size_t i = v.find(record::kMagic, 0, 4); i != std::string_view::npos;
         i = v.find(record::kMagic, i + 1, 4)) {
      Found f;
      if (read_record(fd, at + i, file_size, inline_max, f) != Read::bad) return at + i;
    }
    if (n < buf.size()) break;
    at += kChunk;  // the 3 extra octets overlap the next window: a magic across the boundary is found there
  }
  return file_size;
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
    uint64_t pos = 0, records = 0;
    bool damaged = false;
    while (pos < size) {
      Found f;
      Read r = read_record(raw, pos, size, opts_.inline_max, f);
      if (r == Read::ok) {
        f.spooled.segment = no;
        f.spooled.file = file;
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
      uint64_t next = find_next(raw, pos + 1, size, opts_.inline_max);
      if (next == size && newest) {
        // A torn tail: cut it off, durably, so that the segment is whole again.
        spdlog::warn("spool: {}: cutting off a torn tail of {} octets at offset {} (never acknowledged)",
                     path.string(), size - pos, pos);
        if (::ftruncate(raw, static_cast<off_t>(pos)) != 0 || ::fsync(raw) != 0)
          return make_error(Errc::unavailable, sys_error("cannot cut the torn tail off", path));
        break;
      }
      spdlog::error("spool: {}: damaged record at offset {} ({} octets); {}", path.string(), pos, next - pos,
                    next < size ? "resuming at the next intact record" : "nothing intact after it");
      damaged = true;
      pos = next;
    }
    std::lock_guard lk(mu_);
    segments_[no] = Segment{records, 0, true, damaged};
    if (damaged) stats_.damaged_segments++;
  }
  std::lock_guard lk(mu_);
  for (auto& s : out) backlog_bytes_ += s.size;
  collect_locked();  // empty segments go now (a damaged one with nothing to replay goes to damaged/)
  return out;
}

}  // namespace axon::queue
