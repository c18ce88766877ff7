// Fuzzes config::load_string (axon.toml: admin-written, but parsed with size and depth limits), the schema's size
// and duration codecs, and render_toml/check_init with arbitrary init parameters. Checks, besides memory safety:
// codecs round-trip, a loaded config keeps its invariants, and parameters that pass check_init load back as given.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/schema.h"

namespace cfg = axon::config;

static void check(bool ok) {
  if (!ok) std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);

  auto r = cfg::load_string(s, "fuzz.toml", "/etc/axon");
  if (r) {
    check(r->max_connections_per_ip <= r->max_connections);
    check(r->smtp_max_command_line >= 512 && r->smtp_idle_timeout.count() >= 1);
    check(!r->listen.empty() && r->listen.size() <= 64);
    check(r->data_dir.is_absolute() && r->tls_cert.is_absolute() && r->tls_key.is_absolute());
  } else {
    check(r.error().detail.rfind("fuzz.toml", 0) == 0);
  }

  if (size < 64) {
    if (auto v = cfg::schema::parse_size(s)) check(cfg::schema::parse_size(cfg::schema::format_size(*v)) == v);
    if (auto v = cfg::schema::parse_duration(s))
      check(cfg::schema::parse_duration(cfg::schema::format_duration(*v)) == v);
  }

  // Init parameters (render_toml + load twice: slow, so only for inputs starting with 0xFF, which is never valid
  // TOML): 0xFF, two bytes of port offset, then "domain\0hostname\0listen address".
  if (size >= 3 && size < 512 && data[0] == 0xFF) {
    cfg::InitParams p;
    p.port_offset = static_cast<uint16_t>(data[1] << 8 | data[2]);
    std::string_view rest = s.substr(3);
    auto take = [&rest] {
      auto z = rest.find('\0');
      std::string part(rest.substr(0, z));
      rest = z == std::string_view::npos ? std::string_view() : rest.substr(z + 1);
      return part;
    };
    p.domain = take();
    p.hostname = take();
    if (!rest.empty()) p.listen = {take()};
    if (cfg::check_init(p).ok()) {
      auto c = cfg::load_string(cfg::render_toml(p), "init", "/");
      check(c.ok());
      check(c->hostname == (p.hostname.empty() ? "mail." + p.domain : p.hostname));
      check(c->smtp.port == 25 + p.port_offset);
    }
  }
  return 0;
}
