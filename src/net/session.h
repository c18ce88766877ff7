// net::Session — what the network driver needs from any protocol: a sans-I/O session behind a thin adapter.
// The driver moves bytes, runs TLS handshakes, enforces timeouts and limits; it knows no protocol.
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
  wait,       // an asynchronous operation is under way; the adapter calls Wake when it is done
};

struct Peer {
  std::string ip;
  uint16_t port = 0;
  std::string local_ip;
  uint16_t local_port = 0;
  uint64_t connection_id = 0;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual void start() = 0;
  virtual void receive(std::string_view bytes) = 0;
  virtual void tls_ready(std::string description) = 0;  // e.g. "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"
  virtual void tls_failed() = 0;
  virtual void idle_timeout() = 0;
  virtual void shutdown() = 0;  // the server is draining: say goodbye
  virtual std::string take_output() = 0;
  virtual Step next_step() = 0;
};

// Runs `apply` on the connection's strand and resumes its loop. Safe to call from any thread, once per wait.
using Wake = std::function<void(std::function<void()> apply)>;
using SessionFactory = std::function<std::unique_ptr<Session>(const Peer&, Wake)>;

}  // namespace axon::net
