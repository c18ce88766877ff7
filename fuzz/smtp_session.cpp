// Fuzzes a whole smtp::ServerSession: arbitrary bytes in pseudo-random splits, every action answered (spool
// alternately ok and failing, TLS completed), small limits so that every limit path is reached.
// Byte 0 = flags (bit0 normalize, bit1 tls_available, bit2 require_tls), byte 1 = split seed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/address.h"
#include "core/clock.h"
#include "smtp/server_session.h"

using namespace axon;
using namespace axon::smtp;

namespace {

class Policy final : public RecipientPolicy {
 public:
  RcptDecision resolve(const core::Address& a, bool) const override {
    // An empty domain is the bare <Postmaster>.
    if (!a.domain.empty() && a.domain != "example.com" && a.domain != "mx.example.com")
      return {RcptDecision::Kind::relay_denied, {}};
    if (a.local == "busy") return {RcptDecision::Kind::temp_fail, {}};
    if (a.local == "nobody") return {RcptDecision::Kind::unknown_user, {}};
    return {RcptDecision::Kind::accept, {a.key()}};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  SessionConfig cfg;
  cfg.hostname = "mx.example.com";
  cfg.max_command_line = 128;
  cfg.max_message_size = 2048;
  cfg.max_recipients = 4;
  cfg.max_errors = 50;
  cfg.max_received_headers = 3;
  cfg.bare_lf = (data[0] & 1) ? BareLf::normalize : BareLf::reject;
  cfg.tls_available = data[0] & 2;
  cfg.require_tls = data[0] & 4;
  uint32_t seed = data[1] | 1u;
  Policy policy;
  core::FakeClock clock;
  ServerSession s(cfg, policy, clock, PeerInfo{"192.0.2.1", 25, "client.example.org"});
  s.start();
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::size_t pos = 0;
  int spooled = 0;
  bool closed = false;
  std::string out = s.take_output();
  while (pos < in.size() && !closed) {
    seed = seed * 1103515245u + 12345u;
    std::size_t n = std::min<std::size_t>(in.size() - pos, 1 + (seed >> 16) % 64);
    s.receive(in.substr(pos, n));
    pos += n;
    out += s.take_output();
    while (auto a = s.next_action()) {
      if (auto* m = std::get_if<SpoolMessage>(&*a)) {
        if (m->data.size() > cfg.max_message_size + 1024) std::abort();  // body plus our Received: field
        if (m->envelope.rcpts.empty() || m->envelope.rcpts.size() > cfg.max_recipients) std::abort();
        if (s.phase() != Phase::wait_spool) std::abort();
        SpoolResult r;
        r.ok = (spooled++ % 2) == 0;
        r.queue_id = "Q" + std::to_string(spooled);
        s.on_spooled(r);
      } else if (std::holds_alternative<StartTls>(*a)) {
        if (s.phase() != Phase::wait_tls) std::abort();
        s.on_tls_ready("TLSv1.3 TLS_AES_256_GCM_SHA384");
      } else {
        closed = true;
        if (!s.closed()) std::abort();
      }
      out += s.take_output();
    }
    // Every reply is whole lines of "DDD" + SP/"-"; keep only the tail to bound memory.
    if (!out.empty() && (out.size() < 2 || out.substr(out.size() - 2) != "\r\n")) std::abort();
    std::size_t line = 0;
    while (line < out.size()) {
      std::size_t eol = out.find("\r\n", line);
      if (eol == std::string::npos || eol - line < 4) std::abort();
      char sep = out[line + 3];
      if (sep != ' ' && sep != '-') std::abort();
      line = eol + 2;
    }
    out.clear();
  }
  if (!closed) {
    s.on_idle_timeout();
    if (!s.closed()) std::abort();
  }
  return 0;
}
