// Runs a C:/S: transcript (tests/unit/pop3/transcripts/*.txt) against pop3::Session on a real store (harness.h).
// Format, one item per line:
//   # comment          C: text  (client sends text + CRLF)          S: text  (next output line; '*' globs)
//   Before the first C:/S: line:
//   @config key=value  SessionConfig fields: allow_plaintext, tls_available (default true), max_line,
//                      max_auth_line, max_bad_commands, max_auth_failures, output_chunk
//   @peer IP           the client's address (default 127.0.0.1, loopback; anything else is remote)
//   @implicit_tls      the session starts with TLS up (pop3s)
//   @message bytes     a message (escapes \r \n \t \\ \xHH) delivered to alice's INBOX and published
//   Anywhere:
//   @raw bytes         client sends bytes (escaped), no CRLF appended
//   @tls               the session asked for the TLS handshake (Step::start_tls): complete it
//   @close             the session has closed (Step::close)
//   @wait              the session waits for an answer (Step::wait)
//   @auth hold|release|fail ERRC    hold the Authenticator's answers, answer them, or fail the next one
//   @sync hold|release|fail ERRC    the same for the SyncService
//   @store fail set_flags|expunge|open|messages     the wrapped store fails that operation from now on
//   @timeout | @wait_timeout | @shutdown            driver events
//   @inbox UID...      alice's INBOX holds exactly these UIDs now (published); "@inbox" alone: empty
//   @flags UID FLAGS   that message's flags: a list of seen, deleted, or "none"
// At the end no output line may be left over.
#pragma once

#include "../common/transcript_text.h"

#include <string>

namespace axon::pop3::test {

enum class FeedMode { whole, line, byte };  // a batch of C: lines in one receive(), one per line, one per octet

struct TranscriptOutcome {
  bool ok = true;
  std::string failure;  // what went wrong, with the transcript line number
};

TranscriptOutcome run_transcript(const std::string& text, FeedMode mode);
using axon::test::glob_match;
using axon::test::unescape;

}  // namespace axon::pop3::test
