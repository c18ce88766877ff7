// bench select and partial modes: one connection, timed commands, and the memory of the server process that
// holds the other end of it (its peak resident set reset before each measured step; see util.h).
// select: LOGIN, then SELECT INBOX and FETCH 1:* (FLAGS) timed, REPEAT times on fresh connections; the median,
// and the first run apart (the others may find the mailbox's index still open or cached).
// partial: the largest message of INBOX fetched whole (UID FETCH uid BODY.PEEK[]), then again in partials of
// CHUNK octets (BODY.PEEK[]<offset.CHUNK>, RFC 3501 §6.4.5), each partial as long as asked and their
// concatenation the same octets as the whole.
// Security: the benchmark's own server's bytes.
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "options.h"
#include "sync_client.h"
#include "util.h"

namespace bench {

namespace {
struct Memory {
  ServerProcess proc;
  bool reset = false;
  long base_kib = -1;
};

Memory start_memory(int fd) {
  Memory m;
  m.proc = server_process_of(fd);
  if (m.proc.pid) {
    m.reset = reset_peak_rss(m.proc.pid);
    m.base_kib = status_kib(m.proc.pid, "VmRSS");
  }
  return m;
}

long peak_kib(const Memory& m) { return m.proc.pid ? status_kib(m.proc.pid, "VmHWM") : -1; }

std::string describe(const Memory& m, long peak) {
  if (!m.proc.pid) return "server process not found";
  char buf[200];
  std::snprintf(buf, sizeof buf, "server %s[%d] peak RSS %.1f MiB (%.1f MiB before%s)", m.proc.comm.c_str(), m.proc.pid,
                peak / 1024.0, m.base_kib / 1024.0, m.reset ? "" : "; peak not reset: lifetime peak");
  return buf;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
}  // namespace

int run_select(const Options& o) {
  std::vector<double> selects, fetches;
  long peak_max = -1;
  std::uint32_t exists = 0;
  int errors = 0;
  std::string server = "?";
  for (int rep = 1; rep <= o.repeat; ++rep) {
    try {
      SyncClient c(o.host, o.port, o.timeout);
      c.login(o.user, o.password);
      const Memory mem = start_memory(c.fd());
      const auto t0 = Clock::now();
      const Reply s = c.command("SELECT INBOX");
      const auto t1 = Clock::now();
      if (!s.ok()) throw std::runtime_error("SELECT: " + s.tagged);
      if (s.exists == 0) throw std::runtime_error("SELECT: INBOX is empty");
      if (o.expect > 0 && s.exists != static_cast<std::uint32_t>(o.expect))
        throw std::runtime_error("SELECT: " + std::to_string(s.exists) + " messages, expected " +
                                 std::to_string(o.expect));
      const Reply f = c.command("FETCH 1:* (FLAGS)");
      const auto t2 = Clock::now();
      if (!f.ok()) throw std::runtime_error("FETCH: " + f.tagged);
      if (f.fetches != s.exists)
        throw std::runtime_error("FETCH 1:* (FLAGS): " + std::to_string(f.fetches) + " responses for " +
                                 std::to_string(s.exists) + " messages");
      const long peak = peak_kib(mem);
      peak_max = std::max(peak_max, peak);
      exists = s.exists;
      c.command("LOGOUT");
      selects.push_back(seconds_between(t0, t1));
      fetches.push_back(seconds_between(t1, t2));
      server = mem.proc.comm;
      std::printf("select: run %d: SELECT %.1f ms (%u messages), FETCH 1:* (FLAGS) %.1f ms; %s\n", rep,
                  selects.back() * 1e3, s.exists, fetches.back() * 1e3, describe(mem, peak).c_str());
    } catch (const std::exception& e) {
      ++errors;
      std::printf("select: run %d: error: %s\n", rep, e.what());
    }
    std::fflush(stdout);
  }
  std::printf(
      "RESULT select_ms=%.1f fetch_flags_ms=%.1f first_select_ms=%.1f first_fetch_flags_ms=%.1f messages=%u server=%s "
      "server_peak_rss_kib=%ld errors=%d\n",
      median(selects) * 1e3, median(fetches) * 1e3, selects.empty() ? 0.0 : selects[0] * 1e3,
      fetches.empty() ? 0.0 : fetches[0] * 1e3, exists, server.c_str(), peak_max, errors);
  return errors == 0 ? 0 : 1;
}

int run_partial(const Options& o) {
  try {
    SyncClient c(o.host, o.port, o.timeout);
    c.login(o.user, o.password);
    const Reply s = c.command("SELECT INBOX");
    if (!s.ok() || s.exists == 0) throw std::runtime_error("SELECT INBOX: " + s.tagged + " (empty?)");
    const Reply list = c.command("FETCH 1:* (UID RFC822.SIZE)");
    if (!list.ok()) throw std::runtime_error("FETCH (UID RFC822.SIZE): " + list.tagged);
    long long uid = -1, size = -1;
    for (const auto& line : list.untagged) {
      const long long z = number_after(line, "RFC822.SIZE"), u = number_after(line, "UID");
      if (z > size && u > 0) size = z, uid = u;
    }
    if (uid < 0) throw std::runtime_error("no message with UID and RFC822.SIZE in INBOX");
    const std::string id = std::to_string(uid);

    std::string whole;
    whole.reserve(static_cast<std::size_t>(size));
    Memory mem = start_memory(c.fd());
    auto t0 = Clock::now();
    const Reply w = c.command("UID FETCH " + id + " BODY.PEEK[]", &whole);
    auto t1 = Clock::now();
    const double whole_s = seconds_between(t0, t1);
    const long whole_peak = peak_kib(mem);
    if (!w.ok()) throw std::runtime_error("UID FETCH BODY.PEEK[]: " + w.tagged);
    if (whole.size() != static_cast<std::size_t>(size))
      throw std::runtime_error("BODY[] is " + std::to_string(whole.size()) + " octets, RFC822.SIZE " +
                               std::to_string(size));
    std::printf("partial: UID %s, %lld octets; whole BODY.PEEK[] in %.1f ms; %s\n", id.c_str(), size, whole_s * 1e3,
                describe(mem, whole_peak).c_str());

    std::string parts;
    parts.reserve(static_cast<std::size_t>(size));
    std::size_t count = 0;
    mem = start_memory(c.fd());
    t0 = Clock::now();
    for (std::size_t off = 0; off < static_cast<std::size_t>(size); off += o.chunk, ++count) {
      const std::size_t before = parts.size();
      const Reply p =
          c.command("UID FETCH " + id + " BODY.PEEK[]<" + std::to_string(off) + "." + std::to_string(o.chunk) + ">",
                    &parts);
      if (!p.ok()) throw std::runtime_error("partial at " + std::to_string(off) + ": " + p.tagged);
      const std::size_t want = std::min(o.chunk, static_cast<std::size_t>(size) - off);
      if (parts.size() - before != want)
        throw std::runtime_error("partial at " + std::to_string(off) + " is " + std::to_string(parts.size() - before) +
                                 " octets, expected " + std::to_string(want));
    }
    t1 = Clock::now();
    const long partial_peak = peak_kib(mem);
    if (parts != whole) throw std::runtime_error("the partials put together differ from the whole message");
    c.command("LOGOUT");
    const double partial_s = seconds_between(t0, t1);
    std::printf("partial: %zu partials of %zu octets in %.1f ms, identical to the whole; %s\n", count, o.chunk,
                partial_s * 1e3, describe(mem, partial_peak).c_str());
    std::printf(
        "RESULT partial_ms=%.1f partial_peak_rss_kib=%ld partial_base_rss_kib=%ld whole_ms=%.1f whole_peak_rss_kib=%ld "
        "size=%lld server=%s errors=0\n",
        partial_s * 1e3, partial_peak, mem.base_kib, whole_s * 1e3, whole_peak, size,
        mem.proc.pid ? mem.proc.comm.c_str() : "?");
    return 0;
  } catch (const std::exception& e) {
    std::printf("partial: error: %s\nRESULT errors=1\n", e.what());
    return 1;
  }
}

}  // namespace bench
