// net::Session — what the network driver needs from any protocol: a sans-I/O session behind a thin adapter.
// The driver moves bytes, runs TLS handshakes, enforces timeouts and limits; it knows no protocol.
// Every call is made on the connection's strand, one at a time; after each the driver takes the output, then
// asks next_step(). Security: the bytes handed to receive() are untrusted.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace axon::net {

enum class Step {
  read,       // nothing to do until more bytes arrive
  start_tls,  // write pending output, then run the TLS server handshake
  close,      // write pending output, then close
  wait,       // an asynchronous operation is under way; the adapter calls Wake when it is done, or the driver
              // calls wait_timeout() when ListenerSpec::wait_timeout has passed
  write,      // more output is ready without more input: write what take_output() gave, then take output again
              // before reading. A long reply (a POP3 RETR, an IMAP FETCH) is made in bounded pieces this way, each
              // made only once the one before it is written, so no session holds a whole message in memory.
};

struct Peer {
  std::string ip;
  uint16_t port = 0;
  std::string local_ip;
  uint16_t local_port = 0;
  uint64_t connection_id = 0;
};

// TLS descriptions handed to sessions are "VERSION CIPHER": the protocol version, one space, the OpenSSL cipher
// name, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384". Sessions render it as they need (Received: adds "with cipher").
class Session {
 public:
  virtual ~Session() = default;
  // The connection is up. tls_description is empty on a plain connection; on an implicit-TLS listener the
  // handshake has completed before start() and tls_ready() is never called for it.
  virtual void start(std::string tls_description) = 0;
  virtual void receive(std::string_view bytes) = 0;
  virtual void tls_ready(std::string description) = 0;  // after Step::start_tls succeeded; "VERSION CIPHER"
  virtual void tls_failed() = 0;
  virtual void idle_timeout() = 0;  // the peer missed its deadline (see ListenerSpec): say goodbye
  virtual void wait_timeout() = 0;  // Step::wait lasted longer than ListenerSpec::wait_timeout; a later Wake
                                    // for that wait is still delivered and must be recognised as stale
  // The server is draining. Called once; the driver then goes on pumping (reads included) until the session
  // closes or the drain timeout cuts the connection, so a transfer in progress can finish.
  virtual void shutdown() = 0;
  virtual std::string take_output() = 0;
  virtual Step next_step() = 0;
};

// Runs `apply` on the connection's strand, in call order, and resumes its loop if it waits. Safe to call (and to
// destroy) from any thread, at any time: when the connection or the server is gone (the session destroyed),
// `apply` is dropped unrun.
using Wake = std::function<void(std::function<void()> apply)>;
using SessionFactory = std::function<std::unique_ptr<Session>(const Peer&, Wake)>;

}  // namespace axon::net
