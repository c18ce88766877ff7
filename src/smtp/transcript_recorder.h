// smtp::TranscriptRecorder — builds the SMTP communication log of a ServerSession as TranscriptEvents: command
// lines as processed, reply lines as sent, one "[N octets of message data]" per DATA body or BDAT chunk instead of
// the data itself, and notes for what the session dropped. AUTH initial responses (RFC 4954 §4) become "***".
// Internal to the session (server_session.cpp). Security: records untrusted command lines verbatim (the log
// escapes control characters); never message data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smtp/command.h"
#include "smtp/server_session.h"

namespace axon::smtp {

class TranscriptRecorder {
 public:
  explicit TranscriptRecorder(bool on) : on_(on) {}

  // A command line as the session processes it (without its line ending), parsed as `cmd`.
  void client(std::string_view line, const CommandLine& cmd);
  // Output as sent: whole CRLF-terminated reply lines. Message data still being counted is logged first.
  void server(std::string_view rendered);
  // Message data: begin_data() when a DATA body or a BDAT chunk starts, data(n) for the octets read from the wire,
  // end_data() when it is complete (or cut short), which logs "[N octets of message data]".
  void begin_data();
  void data(uint64_t octets);
  void end_data();
  void note(std::string text);

  std::vector<TranscriptEvent> take() { return std::exchange(events_, {}); }

 private:
  bool on_;
  std::optional<uint64_t> data_;  // octets of the current body or chunk, while one is being read
  std::vector<TranscriptEvent> events_;
};

}  // namespace axon::smtp
