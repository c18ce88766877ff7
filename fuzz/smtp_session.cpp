// Fuzzes a whole smtp::ServerSession: arbitrary bytes in pseudo-random splits, every action answered (spool
// alternately ok and failing, or timed out and answered late; TLS completed), small limits so that every limit
// path is reached. The communication log is on: its server lines must be exactly the output, and it never
// accounts for more octets than were fed (message data only as counts, command lines as processed).
// Byte 0 = flags (bit0 normalize, bit1 tls_available, bit2 require_tls, bit3 implicit TLS, bit4 every third spool
// answer comes after on_wait_timeout(), bit5 on_shutdown() halfway), byte 1 = split seed (its two high bits both
// set: the server is over its in-flight budget, MAIL gets 452).
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
  cfg.junk_command_limit = 8;
  cfg.transcript = true;
  cfg.max_received_headers = 3;
  cfg.bare_lf = (data[0] & 1) ? BareLf::normalize : BareLf::reject;
  cfg.tls_available = data[0] & 2;
  cfg.require_tls = data[0] & 4;
  uint32_t seed = data[1] | 1u;
  Policy policy;
  core::FakeClock clock;
  core::StringBuffers buffers;
  buffers.refuse = (data[1] & 0xC0) == 0xC0;  // sometimes over the in-flight budget: MAIL gets 452
  ServerSession s(cfg, policy, buffers, clock, PeerInfo{"192.0.2.1", 25, "client.example.org"});
  s.start((data[0] & 8) ? "TLSv1.3 TLS_AES_256_GCM_SHA384" : "");
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::size_t pos = 0;
  int spooled = 0;
  bool closed = false;
  uint64_t accounted = 0;  // octets the log says it saw from the client
  std::string logged;      // the log's server lines, as output
  auto check_log = [&] {
    for (const auto& e : s.take_transcript()) {
      switch (e.kind) {
        case TranscriptEvent::Kind::server: logged += e.text + "\r\n"; break;
        case TranscriptEvent::Kind::client:
          if (e.text.ends_with(" ***")) {  // a redacted AUTH line may be longer than what was sent
            accounted += 1;
            break;
          }
          if (e.text.size() >= cfg.max_command_line) std::abort();
          accounted += e.text.size() + 1;  // at least its LF
          break;
        case TranscriptEvent::Kind::data:
          if (e.text != "[" + std::to_string(e.octets) + " octets of message data]") std::abort();
          accounted += e.octets;
          break;
        case TranscriptEvent::Kind::note: break;
      }
    }
    if (accounted > pos) std::abort();
  };
  std::string out = s.take_output();
  bool shutdown_sent = false;
  check_log();
  while (pos < in.size() && !closed) {
    if ((data[0] & 32) && !shutdown_sent && pos >= in.size() / 2) {
      shutdown_sent = true;
      s.on_shutdown();
      out += s.take_output();
    }
    seed = seed * 1103515245u + 12345u;
    std::size_t n = std::min<std::size_t>(in.size() - pos, 1 + (seed >> 16) % 64);
    s.receive(in.substr(pos, n));
    pos += n;
    check_log();
    out += s.take_output();
    while (auto a = s.next_action()) {
      if (auto* m = std::get_if<SpoolMessage>(&*a)) {
        if (!m->data || m->data->size() > cfg.max_message_size + 1024) std::abort();  // body plus our Received:
        if (m->envelope.rcpts.empty() || m->envelope.rcpts.size() > cfg.max_recipients) std::abort();
        if (s.phase() != Phase::wait_spool) std::abort();
        SpoolResult r;
        r.ok = (spooled++ % 2) == 0;
        r.queue_id = "Q" + std::to_string(spooled);
        r.seq = m->seq;
        if ((data[0] & 16) && spooled % 3 == 0) {
          s.on_wait_timeout();
          if (s.phase() == Phase::wait_spool) std::abort();
        }
        s.on_spooled(r);  // late after a wait timeout: ignored
      } else if (std::holds_alternative<StartTls>(*a)) {
        if (s.phase() != Phase::wait_tls) std::abort();
        s.on_tls_ready("TLSv1.3 TLS_AES_256_GCM_SHA384");
      } else {
        closed = true;
        if (!s.closed()) std::abort();
      }
      check_log();
      out += s.take_output();
    }
    if (logged != out) std::abort();  // every reply line is in the log, in order, and nothing else
    logged.clear();
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
    check_log();
    if (logged != out + s.take_output()) std::abort();  // a body cut short is counted before the 421
  }
  return 0;
}
