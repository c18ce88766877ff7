// log::Transcript — protocol communication logs ("SMTP communication logs"): one folder per remote party
// (transcripts/<ip>/), one file per connection suffixed by direction: "<UTC stamp>-<connection>.IN" for
// sessions a peer opened to us, ".OUT" for ours (outbound, later). Lines are prefixed "C: " (client) and
// "S: " (server). AUTH secrets are redacted: the AUTH command's initial response and every client line answering
// a 334 challenge become "***". Each file is bounded; past the bound one "[truncated]" line ends it.
// Security: writes untrusted bytes to disk (as text lines, control characters other than TAB escaped).
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace axon::log {

class Transcript {
 public:
  static std::unique_ptr<Transcript> open(const std::filesystem::path& root, const std::string& peer_ip,
                                          uint64_t connection_id, const char* suffix, std::size_t max_bytes,
                                          core::TimePoint now);
  ~Transcript();

  void client(std::string_view bytes);
  void server(std::string_view bytes);
  void note(std::string_view text);  // "# ..." lines: TLS started, closed, ...

 private:
  Transcript(FILE* f, std::size_t max_bytes) : f_(f), max_(max_bytes) {}
  void lines(char who, std::string& pending, std::string_view bytes);
  void emit(char who, std::string_view line);

  FILE* f_;
  std::size_t max_, written_ = 0;
  bool truncated_ = false;
  bool redact_next_client_ = false;
  std::string client_pending_, server_pending_;
};

// Makes a string safe as a single path component (an IP address is, but be strict).
std::string safe_component(std::string_view s);

}  // namespace axon::log
