// log::Transcript, log::TranscriptDir — protocol communication logs ("SMTP communication logs"). One folder per
// remote party under the root: per IPv4 address ("192.0.2.7") or per IPv6 /64 ("2001_db8_1_2__64", the prefix
// with ':' as '_' and its length; IPv4-mapped IPv6 counts as IPv4). One file per connection suffixed by direction:
// "<UTC stamp>-<connection>.IN" for sessions a peer opened to us, ".OUT" for ours (outbound, later). Lines are
// "C: " (client), "S: " (server) and "# " (notes); the protocol session decides what a line is, so message data
// arrives here only as "[N octets of message data]". AUTH secrets are redacted again here: the AUTH command's
// initial response and every client line answering a 334 challenge become "***". Each file is bounded (past the
// bound one "[truncated]" line ends it); the whole folder is bounded by total size and age (prune()).
// Files are 0600 and folders 0700: logs name addresses and hosts, readable by the server's user only.
// Security: writes untrusted bytes to disk (as text lines, control characters other than TAB escaped); folder
// names come from the parsed address, never from raw peer text.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace axon::log {

class Transcript {
 public:
  ~Transcript();
  Transcript(const Transcript&) = delete;
  Transcript& operator=(const Transcript&) = delete;

  void client(std::string_view line);     // one line, without its line ending
  void server(std::string_view line);
  void message_data(uint64_t octets);     // "C: [N octets of message data]"
  void note(std::string_view text);       // "# ...": connection opened, TLS started, ...
  void flush();                           // after a burst of lines (one write)

 private:
  friend class TranscriptDir;
  Transcript(FILE* f, std::size_t max_bytes, std::atomic<uint64_t>* total) : f_(f), max_(max_bytes), total_(total) {}
  void emit(char who, std::string_view line);

  FILE* f_;
  std::atomic<uint64_t>* total_;  // the folder's live byte count (TranscriptDir)
  std::size_t max_, written_ = 0;
  bool truncated_ = false;
  bool redact_next_client_ = false;
};

struct TranscriptLimits {
  std::size_t max_file_bytes = 1u << 20;             // per connection
  uint64_t max_total_bytes = uint64_t{1} << 30;      // all files together; the oldest go first
  std::chrono::seconds max_age{30 * 24 * 3600};      // older files go
  uint64_t max_files = 100000;                       // all files together (inodes are shared with the store)
};

struct PruneStats {
  std::size_t files = 0;  // removed
  uint64_t bytes = 0;     // removed
  uint64_t kept_bytes = 0;
};

// The transcripts root. open() may run on any thread, also while prune() runs on another.
class TranscriptDir {
 public:
  TranscriptDir(std::filesystem::path root, TranscriptLimits limits) : root_(std::move(root)), limits_(limits) {}

  // Creates the root with mode 0700, or makes an existing one 0700. Errors name the path.
  core::Result<void> prepare() const;
  // A new log for one connection; nullptr when it cannot be created (logging is best effort), or while the
  // folder is at max_files or max_total_bytes: counted live between the prune() runs, so a flood of
  // connections cannot fill the disk or its inodes in the meantime (logging resumes after the next prune()).
  std::unique_ptr<Transcript> open(std::string_view peer_ip, uint64_t connection_id, const char* suffix,
                                   core::TimePoint now) const;
  // Removes log files older than max_age, then the oldest ones while the total is above max_total_bytes, and empty
  // peer folders; makes modes 0600/0700 on the way. Only "*.IN"/"*.OUT" files one level down are considered.
  PruneStats prune(core::TimePoint now) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  TranscriptLimits limits_;
  mutable std::atomic<uint64_t> files_{0}, bytes_{0};  // as of the last prune(), plus what was written since
};

// The folder of a peer: "192.0.2.7", "2001_db8_1_2__64"; anything that is not an IP address is made safe.
std::string peer_folder(std::string_view ip);

// Makes a string safe as a single path component (an IP address is, but be strict).
std::string safe_component(std::string_view s);

}  // namespace axon::log
