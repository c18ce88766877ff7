#include "app/instance.h"

#include <cstdio>
#include <fstream>

#include "app/imap_service.h"
#include "core/address.h"
#include "net/tls.h"

namespace axon::app {

int open_instance(const std::filesystem::path& config_file, Instance& out, Access access) {
  auto cfg = config::load_file(config_file);
  if (!cfg) {
    std::fprintf(stderr, "axon: %s\n", cfg.error().detail.c_str());
    return exit_config;
  }
  out.cfg = std::move(*cfg);
  store::SqliteOptions so;
  so.data_dir = out.cfg.data_dir;
  so.read_only = access == Access::read_only;
  so.owner = access == Access::serve;
  if (access == Access::serve) so.summarizer = std::make_shared<MimeSummarizer>();  // FETCH's structure, once
  auto st = store::open_sqlite(so);
  if (!st) {
    std::fprintf(stderr, "axon: %s: server.data_dir: %s\n", out.cfg.file.c_str(), st.error().detail.c_str());
    return exit_config;
  }
  out.store = std::move(*st);
  return exit_ok;
}

int cmd_init(const std::filesystem::path& dir, const config::InitParams& params, bool force) {
  if (!core::valid_domain(params.domain) || params.domain.front() == '[') {
    std::fprintf(stderr, "axon: --domain: not a domain name: %s\n", params.domain.c_str());
    return exit_config;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "axon: %s: cannot create: %s\n", dir.c_str(), ec.message().c_str());
    return exit_config;
  }
  auto file = std::filesystem::absolute(dir / "axon.toml");
  if (std::filesystem::exists(file) && !force) {
    std::fprintf(stderr, "axon: %s exists (use --force to overwrite)\n", file.c_str());
    return exit_config;
  }
  config::InitParams p = params;
  p.domain = core::to_lower_ascii(p.domain);
  if (p.hostname.empty()) p.hostname = "mail." + p.domain;
  if (auto st = config::check_init(p); !st) {
    std::fprintf(stderr, "%s\n", st.error().detail.c_str());
    return exit_config;
  }
  {
    std::ofstream out(file);
    out << config::render_toml(p);
    if (!out) {
      std::fprintf(stderr, "axon: %s: cannot write\n", file.c_str());
      return exit_config;
    }
  }
  Instance in;
  if (int rc = open_instance(file, in); rc) return rc;
  if (!std::filesystem::exists(in.cfg.tls_cert) || force) {
    if (auto st = net::write_self_signed(in.cfg.tls_cert, in.cfg.tls_key, in.cfg.hostname); !st) {
      std::fprintf(stderr, "axon: tls: %s\n", st.error().detail.c_str());
      return exit_failed;
    }
  }
  if (auto st = in.store->add_domain(p.domain); !st && st.error().code != core::Errc::exists) {
    std::fprintf(stderr, "axon: %s\n", st.error().detail.c_str());
    return exit_failed;
  }
  std::printf("initialized %s\n  config   %s\n  domain   %s\n  hostname %s\n  tls      %s (self-signed)\n"
              "  data     %s\n",
              dir.c_str(), file.c_str(), p.domain.c_str(), in.cfg.hostname.c_str(), in.cfg.tls_cert.c_str(),
              in.cfg.data_dir.c_str());
  return exit_ok;
}

}  // namespace axon::app
