// Runs a C:/S: transcript (tests/unit/smtp/transcripts/*.txt) against smtp::ServerSession with fakes.
// Format, one item per line:
//   # comment                     C: text  (client sends text + CRLF)     S: text  (next reply line; '*' globs)
//   @config key=value             before anything else: SessionConfig fields, e.g. max_recipients=2, bare_lf=normalize
//   @implicit_tls DESCRIPTION     before anything else: the session starts with TLS up (an implicit-TLS port)
//   @raw bytes                    client sends bytes, with escapes \r \n \t \\ \xHH, no CRLF appended
//   @spool ok ID | @spool fail ERRC   the next action must be SpoolMessage; answer it
//   @tls DESCRIPTION              the next action must be StartTls; complete the handshake
//   @close                        the next action must be Close
//   @full | @room                 the server is (no longer) over its in-flight budget: MAIL gets 452 4.3.1
//   @timeout | @shutdown          idle timeout / server shutdown event
//   @wait_timeout                 the spool did not answer in time (the SpoolMessage must have been taken by
//                                 @spool_late first)
//   @spool_late ID                the next action must be SpoolMessage; keep it unanswered for @late_answer
//   @late_answer                  answer the message kept by @spool_late with ok (after @wait_timeout: stale)
//   @body bytes                   the last spooled message, after our Received: field, equals bytes (escaped)
//   @contains bytes | @lacks bytes   the last spooled message (whole) contains / does not contain bytes
// At the end no reply line and no action may be left over. The communication log is recorded too: its server
// lines must be exactly the reply lines, and no line of a spooled message may appear as a client line.
#pragma once

#include "../common/transcript_text.h"

#include <string>
#include <vector>

#include "smtp/server_session.h"

namespace axon::smtp::test {

enum class FeedMode { whole, line, byte };  // a batch of C: lines in one receive(), one per line, one per octet

struct SpooledCopy {
  core::Envelope envelope;
  std::string data;  // what the session streamed into the message's buffer
};

struct TranscriptOutcome {
  bool ok = true;
  std::string failure;                 // what went wrong, with the transcript line number
  std::vector<SpooledCopy> spooled;    // every SpoolMessage the session produced
  std::vector<TranscriptEvent> log;    // the session's communication log (SessionConfig::transcript is set)
};

TranscriptOutcome run_transcript(const std::string& text, FeedMode mode);
using axon::test::glob_match;
using axon::test::printable;
using axon::test::unescape;

}  // namespace axon::smtp::test
