// Fuzzes spool recovery (queue/recovery.cpp) over damaged segments. A fuzzer cannot forge the CRCs, so the
// input describes a segment instead: records written the real way (preamble, seeded header CRCs, envelopes),
// then damage (octets flipped, garbage inserted, the file cut short). Recovery must not crash, must return only
// records that were written (intact, never one forged from message data), all of them when nothing was damaged,
// and must read back each one's data exactly.
// Input: byte 0 = number of records (mod 8); then per record a length byte and that many data octets; the rest
// is damage, 4 octets each: kind, position (2 octets, scaled to the file), value.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "queue/record.h"
#include "queue/spool.h"

using namespace axon;
namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path dir = [] {
    spdlog::set_level(spdlog::level::off);
    fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    return base / ("axon-fuzz-spool-" + std::to_string(::getpid()));
  }();
  if (size < 1) return 0;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);

  std::size_t pos = 1;
  uint32_t seed = 0;
  std::string seg = queue::record::encode_preamble(seed);
  std::map<std::string, std::string> written;  // queue id -> data
  int n = data[0] % 8;
  for (int i = 0; i < n && pos < size; ++i) {
    std::size_t len = std::min<std::size_t>(data[pos++], size - pos);
    std::string body(reinterpret_cast<const char*>(data) + pos, len);
    pos += len;
    core::Envelope e;
    e.mail_from = "s@example.net";
    e.rcpts.push_back({"a@example.org", {"a@example.org"}, "", ""});
    std::string id = "ID" + std::to_string(i);
    std::string env = queue::record::encode_envelope(id, e);
    queue::record::Header h;
    h.envelope_size = static_cast<uint32_t>(env.size());
    h.data_size = body.size();
    h.envelope_crc = queue::crc32(env);
    h.data_crc = queue::crc32(body);
    seg += queue::record::encode_header(h, seed) + env + body;
    written[id] = body;
  }
  bool damaged = false;
  for (; pos + 4 <= size; pos += 4) {
    damaged = true;
    std::size_t at = (static_cast<std::size_t>(data[pos + 1]) << 8 | data[pos + 2]) % (seg.size() + 1);
    switch (data[pos] % 3) {
      case 0:
        if (at < seg.size()) seg[at] = static_cast<char>(seg[at] ^ (data[pos + 3] | 1));
        break;
      case 1: seg.insert(at, std::string(data[pos + 3] % 40 + 1, static_cast<char>(data[pos + 3]))); break;
      default: seg.resize(at); break;
    }
  }
  { std::ofstream(dir / "000000000001.seg", std::ios::binary) << seg; }

  {
    queue::SpoolOptions o{dir};
    o.inline_max = 16;  // both ways of keeping data: in memory and read back from the segment
    auto s = queue::Spool::open(o);
    if (!s) std::abort();
    auto rec = (*s)->recover();
    if (!rec) std::abort();
    for (const auto& r : *rec) {
      auto it = written.find(r.id);
      if (it == written.end()) std::abort();  // a record nobody wrote
      auto d = r.read();
      if (!d || *d != it->second) std::abort();
    }
    if (!damaged && rec->size() != written.size()) std::abort();
  }
  fs::remove_all(dir, ec);
  return 0;
}
