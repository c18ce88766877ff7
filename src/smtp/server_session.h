// smtp::ServerSession — the receiving side of RFC 5321 as a sans-I/O state machine: it is fed bytes and events
// and hands back bytes to send and actions (start TLS, spool a message, close). It never touches a socket, a
// clock (it asks core::Clock) or a file. Extensions: PIPELINING (RFC 2920), 8BITMIME (RFC 6152), SIZE (RFC 1870),
// ENHANCEDSTATUSCODES (RFC 2034/3463), SMTPUTF8 (RFC 6531), CHUNKING/BDAT (RFC 3030), STARTTLS (RFC 3207),
// DSN parameters (RFC 3461, parsed and kept in the envelope).
// With SessionConfig::transcript it also records its communication log (TranscriptEvent): it alone knows which
// octets are commands and which are message data.
// Security: sees untrusted bytes from unauthenticated peers; every buffer is bounded by SessionConfig.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/address.h"
#include "core/clock.h"
#include "core/envelope.h"
#include "core/error.h"
#include "core/message_buffer.h"

namespace axon::smtp {

// What the directory says about one RCPT TO address.
struct RcptDecision {
  enum class Kind {
    accept,        // local: targets holds the accounts it reaches
    unknown_user,  // our domain, no such mailbox: 550 5.1.1
    relay_denied,  // not our domain and the client may not relay: 554 5.7.1
    temp_fail,     // lookup failed for now: 451 4.3.0
  };
  Kind kind = Kind::unknown_user;
  std::vector<std::string> targets;
};

// Recipient policy. Implemented over the in-memory directory snapshot; must not block. The bare <Postmaster>
// (RFC 5321 §4.1.1.3) comes with local part "postmaster" and an empty domain: the policy names its accounts.
class RecipientPolicy {
 public:
  virtual ~RecipientPolicy() = default;
  virtual RcptDecision resolve(const core::Address& rcpt, bool authenticated) const = 0;
};

enum class BareLf { reject, normalize };

struct SessionConfig {
  std::string hostname = "localhost";      // our name in the greeting, EHLO reply and Received:
  std::size_t max_command_line = 2048;     // octets incl. CRLF (RFC 5321 §4.5.3.1.4 minimum is 512)
  std::size_t max_message_size = 50u << 20;  // SIZE (RFC 1870), whole message data
  std::size_t max_recipients = 100;        // per transaction, then 452 4.5.3 (RFC 5321 §4.5.3.1.8)
  std::size_t max_errors = 10;             // protocol errors per session, then 421 4.7.0 and close
  std::size_t junk_command_limit = 100;    // HELO/EHLO/RSET/NOOP/VRFY/HELP; each one past it is an error (Postfix)
  std::size_t max_received_headers = 50;   // more Received: fields is a loop: 554 5.4.6 (RFC 5321 §6.3)
  BareLf bare_lf = BareLf::normalize;        // bare LF or bare CR in DATA/BDAT text: reject the message, or normalize to CRLF
  bool tls_available = false;              // advertise STARTTLS
  bool require_tls = false;                // refuse MAIL before STARTTLS (530 5.7.0)
  bool transcript = false;                 // record the communication log (take_transcript())
};

// One line of the SMTP communication log, in the order the session handled things (with PIPELINING: each
// command line, then its reply lines). Message data is never recorded, only its size on the wire.
struct TranscriptEvent {
  enum class Kind {
    client,  // a command line as processed, without its line ending; an AUTH initial response is "***"
    server,  // one reply line as sent, without CRLF
    data,    // "[N octets of message data]": one per DATA body (every octet after the DATA line, up to and
             // including the final "." CRLF) and one per BDAT chunk (its octets, also when the chunk is refused)
    note,    // something the session dropped: an over-long command line, input sent after STARTTLS
  };
  Kind kind = Kind::client;
  std::string text;
  uint64_t octets = 0;  // data: N
};

struct PeerInfo {
  std::string ip;        // textual remote address
  uint16_t port = 0;
  std::string reverse;   // PTR name when known, else empty
};

// ---- actions the driver carries out --------------------------------------------------------------------------

struct StartTls {};       // after writing pending output: TLS handshake, then on_tls_ready() or on_tls_failed()
struct SpoolMessage {     // make durable; then on_spooled(); the session waits meanwhile (input is held, bounded)
  core::Envelope envelope;
  std::unique_ptr<core::MessageBuffer> data;  // Received: first, dot-unstuffed, CRLF line ends
  uint64_t seq = 0;       // echoed in SpoolResult::seq, so that an answer after on_wait_timeout() is told apart
};
struct Close {};          // after writing pending output, close the connection
using Action = std::variant<StartTls, SpoolMessage, Close>;

// The spool's answer for an earlier SpoolMessage.
struct SpoolResult {
  bool ok = false;
  std::string queue_id;   // reported in "250 2.0.0 Ok: queued as ID"
  core::Errc error = core::Errc::temporary;  // when !ok: mapped to 451 4.3.0 / 452 4.3.1 / 552 ...
  uint64_t seq = 0;       // SpoolMessage::seq of the message answered; any other value is a stale answer
};

enum class Phase { greeting, ready, mail, rcpt, data, bdat, wait_spool, wait_tls, closed };

class ServerSession {
 public:
  // `buffers` gives each transaction the buffer its message data streams into (MAIL gets 452 4.3.1 when it
  // refuses); the session never holds a whole message itself.
  ServerSession(const SessionConfig& cfg, const RecipientPolicy& policy, core::MessageBuffers& buffers,
                const core::Clock& clock, PeerInfo peer);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  // Queues the 220 greeting. tls_desc is empty on a plain connection; on an implicit-TLS port (RFC 8314) the
  // handshake came first and tls_desc describes it, as for on_tls_ready(): STARTTLS is then neither offered nor
  // accepted (RFC 3207 §4.2) and Received: says ESMTPS (RFC 3848).
  void start(std::string tls_desc = {});
  // Feeds bytes from the peer. Processes as much as it can; input after a pending action is kept until then (at
  // most 64 KiB: past that the session answers 421 4.7.0 once the action completes, and closes).
  void receive(std::string_view bytes);
  // TLS is up: RFC 3207 §4.2 — forget everything known from before (EHLO, transaction) and discard any input
  // received before the handshake (command injection, CVE-2011-0411 style). tls_desc is "VERSION CIPHER", e.g.
  // "TLSv1.3 TLS_AES_256_GCM_SHA384" (the protocol version, one space, the OpenSSL cipher name); Received:
  // renders it as "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)".
  void on_tls_ready(std::string tls_desc);
  void on_tls_failed();  // handshake failed: the driver closes
  // The spool's answer; ignored unless r.seq is that of the SpoolMessage the session is waiting for.
  void on_spooled(const SpoolResult& r);
  // The spool did not answer in time: 451 4.3.0 (the message was not accepted; the client retries) and the
  // session goes on. A later answer for that message is ignored.
  void on_wait_timeout();
  void on_idle_timeout();  // 421 4.4.2 and Close
  // Server draining: between commands 421 4.3.2 and Close at once; inside DATA/BDAT (or while the spool or the
  // TLS handshake works) the message is read to its end and answered first, then 421 4.3.2 and Close.
  void on_shutdown();

  // Output, to be taken after every call above: bytes first, then actions in order.
  std::string take_output();
  std::optional<Action> next_action();
  // The communication log since the last call (empty unless SessionConfig::transcript).
  std::vector<TranscriptEvent> take_transcript();

  Phase phase() const;
  bool closed() const;  // no more input will be processed

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace axon::smtp
