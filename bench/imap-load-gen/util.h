// bench utilities: TCP connections (blocking, or non-blocking for the event loop), the clock, and the server
// process behind a connection: which process holds the other end of our loopback socket (found through
// /proc/net/tcp and /proc/PID/fd), its resident set (VmRSS) and its peak (VmHWM, reset by writing 5 to
// /proc/PID/clear_refs, which needs root or the same user).
// Security: reads /proc of this machine; no untrusted input.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace bench {

using Clock = std::chrono::steady_clock;
inline double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Case-insensitive ASCII comparison (IMAP keywords and status words are case-insensitive, RFC 3501 §9).
bool iequals(std::string_view a, std::string_view b);

// A connected TCP socket to host:port (numeric address or name), blocking, with send and receive timeouts;
// throws std::runtime_error naming the address and the errno text.
int connect_blocking(const std::string& host, int port, double timeout_s);
// A non-blocking socket whose connect is under way (or done); throws on immediate failure.
int connect_nonblocking(const std::string& host, int port);
void set_nodelay(int fd);

// Writes all of data on a blocking socket; throws on error or timeout.
void write_all(int fd, std::string_view data);

struct ServerProcess {
  int pid = 0;       // 0: not found
  std::string comm;  // its /proc/PID/comm
};
// The process (other than this one) that holds the server end of the TCP connection fd.
ServerProcess server_process_of(int fd);
// /proc/PID/status field in KiB ("VmRSS", "VmHWM"), or -1.
long status_kib(int pid, std::string_view field);
// Resets the peak resident set of pid to its current one (clear_refs 5); false when not allowed.
bool reset_peak_rss(int pid);

}  // namespace bench
