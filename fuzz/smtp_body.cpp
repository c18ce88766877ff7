// Fuzzes the DATA and BDAT readers (smtp/body_reader.h) differentially: the same octets fed whole and in
// pseudo-random splits must give the same result, and the invariants of the smuggling defence must hold: the end
// of data is only CRLF "." CRLF and the same in both bare-LF policies.
// Layout: byte 0 = flags (bit0 normalize, bit1 BDAT, bit2 binary, bits3-7 size limit), byte 1 = split seed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/body_reader.h"

using namespace axon::smtp;

namespace {

struct Out {
  bool done = false;
  BodyVerdict verdict = BodyVerdict::ok;
  std::string data;
  std::size_t consumed = 0;
};

// Feeds `in` in pieces; piece lengths come from a small LCG (seed 0 = whole).
Out run_data(std::string_view in, BareLf policy, std::size_t max, uint32_t seed) {
  DataReader r(max, policy);
  Out o;
  std::size_t pos = 0;
  while (pos < in.size() && !r.done()) {
    std::size_t n = in.size() - pos;
    if (seed != 0) {
      seed = seed * 1103515245u + 12345u;
      n = std::min<std::size_t>(n, 1 + (seed >> 16) % 7);
    }
    std::size_t used = r.feed(in.substr(pos, n));
    if (used > n || (used < n && !r.done())) std::abort();  // takes everything until the end-of-data
    pos += used;
  }
  o.done = r.done();
  o.verdict = r.verdict();
  o.data = r.take_data();
  o.consumed = pos;
  return o;
}

// BDAT: the input is a list of chunks, each "len(1 byte)" + octets; the last one is LAST.
Out run_bdat(std::string_view in, BareLf policy, bool binary, std::size_t max, uint32_t seed) {
  BdatReader r(max, policy, binary);
  Out o;
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::size_t len = static_cast<unsigned char>(in[pos++]) % 32;
    len = std::min(len, in.size() - pos);
    bool last = pos + len >= in.size();
    r.begin_chunk(len, last);
    std::size_t end = pos + len;
    while (!r.chunk_done()) {
      std::size_t n = end - pos;
      if (seed != 0) {
        seed = seed * 1103515245u + 12345u;
        n = std::min<std::size_t>(n, 1 + (seed >> 16) % 5);
      }
      std::size_t used = r.feed(in.substr(pos, n));
      if (used != n) std::abort();
      pos += used;
    }
    if (last) break;
  }
  if (pos < in.size() || !r.done()) {
    if (!in.empty()) std::abort();
    return o;
  }
  o.done = true;
  o.verdict = r.verdict();
  o.data = r.take_data();
  o.consumed = pos;
  return o;
}

void check_text(const Out& o, BareLf policy, std::size_t max) {
  if (o.verdict != BodyVerdict::ok) {
    if (!o.data.empty()) std::abort();  // nothing kept once refused
    return;
  }
  if (o.data.size() > max) std::abort();
  (void)policy;
  // Accepted text data has only CRLF line ends, whatever the policy (normalize rewrites, reject refuses).
  for (std::size_t i = 0; i < o.data.size(); ++i) {
    if (o.data[i] == '\r' && (i + 1 >= o.data.size() || o.data[i + 1] != '\n')) std::abort();
    if (o.data[i] == '\n' && (i == 0 || o.data[i - 1] != '\r')) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const uint32_t seed = data[1] | 1u;
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  const BareLf policy = (flags & 1) ? BareLf::normalize : BareLf::reject;
  const std::size_t max = 16 + (flags >> 3) * 8;

  if (flags & 2) {
    const bool binary = flags & 4;
    Out whole = run_bdat(in, policy, binary, max, 0);
    Out split = run_bdat(in, policy, binary, max, seed);
    if (whole.done != split.done || whole.verdict != split.verdict || whole.data != split.data) std::abort();
    if (!binary && whole.done) check_text(whole, policy, max);
    return 0;
  }
  Out whole = run_data(in, policy, max, 0);
  Out split = run_data(in, policy, max, seed);
  if (whole.done != split.done || whole.verdict != split.verdict || whole.data != split.data ||
      whole.consumed != split.consumed)
    std::abort();
  // The bare-LF policy changes the content, never where the data ends (SMTP smuggling).
  const BareLf other = policy == BareLf::normalize ? BareLf::reject : BareLf::normalize;
  Out alt = run_data(in, other, max, seed);
  if (alt.done != whole.done || alt.consumed != whole.consumed) std::abort();
  if (whole.done) {
    // The end-of-data is exactly CRLF "." CRLF (or "." CRLF at the very start).
    std::string_view head = in.substr(0, whole.consumed);
    if (!(head == ".\r\n" || (head.size() >= 5 && head.substr(head.size() - 5) == "\r\n.\r\n"))) std::abort();
    check_text(whole, policy, max);
  }
  return 0;
}
