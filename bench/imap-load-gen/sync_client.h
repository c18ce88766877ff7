// bench::SyncClient: a blocking IMAP4rev1 client for the one-connection measurements and for seeding: sends a
// tagged command and reads until its tagged response (RFC 3501 §2.2.2), tallying the untagged responses on the
// way (EXISTS, EXPUNGE, FETCH) and the literals' octets. APPEND waits for the "+" continuation before a
// synchronizing literal (§7.5), or sends a non-synchronizing one (RFC 7888) when the server announces LITERAL+.
// Security: reads the benchmark's own server's bytes; responses are bounded by ResponseReader.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "imap_reader.h"

namespace bench {

struct Reply {
  std::string tagged;             // the tagged response line
  std::string status;             // OK, NO or BAD (upper case)
  std::uint32_t exists = 0;       // last EXISTS seen, or 0
  std::uint32_t fetches = 0;      // untagged FETCH responses
  std::uint32_t expunges = 0;     // untagged EXPUNGE responses
  std::size_t literal_octets = 0;
  std::vector<std::string> untagged;  // the first few untagged responses' text, for diagnostics and parsing
  bool ok() const { return status == "OK"; }
};

class SyncClient {
 public:
  // Connects and reads the greeting; throws std::runtime_error when it is not "* OK".
  SyncClient(const std::string& host, int port, double timeout_s);
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // Sends "TAG command" and reads until the tagged response; throws on I/O or protocol errors only (a NO or BAD
  // is in the Reply). Literal octets go to *literal_sink when given.
  Reply command(std::string_view command, std::string* literal_sink = nullptr);
  // LOGIN with a quoted user and password; throws unless OK.
  void login(std::string_view user, std::string_view password);
  // APPEND to mailbox: "APPEND mailbox {n}" then the message (see the header).
  Reply append(std::string_view mailbox, std::string_view message);

  // Pipelined APPENDs with LITERAL+: sends each message without waiting, at most `window` outstanding; returns
  // the number that were not OK (the first failure's line in *first_error). Needs LITERAL+.
  std::size_t append_pipelined(std::string_view mailbox, const std::vector<std::string>& messages, std::size_t window,
                               std::string* first_error);

  bool has_capability(std::string_view cap) const;
  int fd() const { return fd_; }

 private:
  std::string next_tag();
  // Reads responses until the tagged one for `tag` (or, if until_continuation, a "+"); fills *reply.
  bool read_until(std::string_view tag, Reply* reply, bool until_continuation);

  int fd_ = -1;
  std::uint64_t tag_n_ = 0;
  std::string caps_;
  ResponseReader reader_;
  std::deque<Response> ready_;  // responses read but not yet consumed (pipelined replies)
};

}  // namespace bench
