// `axon serve`: wires config, store, spool, router and listeners, then runs until SIGTERM/SIGINT.
// Start-up order keeps "nothing half-started": config, TLS, store, spool lock and every listener's bind are
// checked before anything is served; a failure prints one line and exits 2.
#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "app/directory_cache.h"
#include "app/instance.h"
#include "app/imap_service.h"
#include "app/login_service.h"
#include "app/pop3_service.h"
#include "app/smtp_service.h"
#include "log/transcript.h"
#include "net/server.h"
#include "net/tls.h"
#include "queue/router.h"
#include "queue/spool.h"
#include "store/group_sync.h"

namespace axon::app {

namespace {

int startup_error(const std::string& msg) {
  std::fprintf(stderr, "axon: %s\n", msg.c_str());
  return exit_config;
}

// Reloads the directory snapshot when the store says it changed (CLI edits) or on SIGHUP, and runs periodic
// housekeeping (pruning transcripts); off the I/O threads.
class Maintenance {
 public:
  Maintenance(store::Store& store, DirectoryCache& cache) : store_(store), cache_(cache) {}
  ~Maintenance() { stop(); }

  bool reload() {
    auto v = store_.directory_version();
    auto d = store_.load_directory();
    if (!d) {
      spdlog::error("directory reload failed: {}", d.error().detail);
      return false;
    }
    auto snapshot = std::make_shared<const store::Directory>(std::move(*d));
    const auto& pm = cache_.postmaster();
    if (!pm.empty() && snapshot->resolve(pm, '\0').kind != store::Resolution::Kind::local)
      spdlog::warn("directory.postmaster {} is no account or alias here: postmaster@ and abuse@ go to each "
                   "domain's first account", pm);
    cache_.set(std::move(snapshot));
    if (v) version_ = *v;
    return true;
  }
  // Runs `task` every `period` on the maintenance thread; call before start().
  void every(std::chrono::seconds period, std::function<void()> task) {
    tasks_.push_back({period, std::chrono::steady_clock::now() + period, std::move(task)});
  }
  void start() {
    thread_ = std::thread([this] {
      std::unique_lock lk(mu_);
      while (!stop_) {
        cv_.wait_for(lk, std::chrono::seconds(1), [&] { return stop_ || hup_; });
        if (stop_) break;
        bool hup = std::exchange(hup_, false);
        lk.unlock();
        auto v = store_.directory_version();
        if (hup || (v && *v != version_)) {
          if (reload()) spdlog::info("directory reloaded ({})", hup ? "SIGHUP" : "changed");
        }
        for (auto& t : tasks_) {
          auto now = std::chrono::steady_clock::now();
          if (now < t.due) continue;
          t.task();
          t.due = now + t.period;
        }
        lk.lock();
      }
    });
  }
  void hup() {
    std::lock_guard lk(mu_);
    hup_ = true;
    cv_.notify_all();
  }
  void stop() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Task {
    std::chrono::seconds period;
    std::chrono::steady_clock::time_point due;
    std::function<void()> task;
  };
  store::Store& store_;
  DirectoryCache& cache_;
  std::vector<Task> tasks_;
  uint64_t version_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, hup_ = false;
  std::thread thread_;
};

spdlog::level::level_enum level_of(const std::string& s) {
  auto l = spdlog::level::from_str(s);
  return l == spdlog::level::off && s != "off" ? spdlog::level::info : l;
}

// Every connection may hold a socket, a spill file and a transcript, and the spool its segments: raise the soft
// limit on open files to the hard one, and say so when even that is tight for max_connections.
void raise_file_limit(std::size_t max_connections) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 3 * max_connections + 256)
    spdlog::warn("open file limit {} is low for server.max_connections = {} (want {}): raise it (LimitNOFILE=)",
                 rl.rlim_cur, max_connections, 3 * max_connections + 256);
}

}  // namespace

int cmd_serve(const std::filesystem::path& config_file) {
  Instance in;
  if (int rc = open_instance(config_file, in, Access::serve); rc) return rc;
  const auto& cfg = in.cfg;
  auto logger = spdlog::stderr_color_mt("axon");
  spdlog::set_default_logger(logger);
  spdlog::set_level(level_of(cfg.log_level));

  raise_file_limit(cfg.max_connections);
  auto tls = net::TlsContext::load(cfg.tls_cert, cfg.tls_key);
  if (!tls) return startup_error(cfg.file.string() + ": tls: " + tls.error().detail);

  core::SystemClock clock;
  // A lost fsync (spool or store) stops the server with status 1; the restart replays the spool. Set once.
  std::atomic<bool> failed{false};
  std::function<void()> stop_server;  // set once the server exists
  std::mutex stop_mu;
  auto on_fatal = [&](const std::string&) {
    if (failed.exchange(true)) return;
    std::lock_guard lk(stop_mu);
    if (stop_server) stop_server();
  };
  queue::SpoolOptions so;
  so.dir = cfg.data_dir / "spool";
  so.clock = &clock;
  so.intake.memory = cfg.queue_memory_budget;
  so.intake.per_message_memory = cfg.queue_message_memory;
  so.intake.in_flight = cfg.queue_in_flight_limit;
  so.on_fatal = on_fatal;
  auto spool = queue::Spool::open(so);
  if (!spool) return startup_error(spool.error().detail);

  DirectoryCache directory(cfg.plus_separator.empty() ? '\0' : cfg.plus_separator[0], cfg.postmaster);
  Maintenance maintenance(*in.store, directory);
  if (!maintenance.reload()) return startup_error("cannot load the directory from " + cfg.data_dir.string());

  // The readers' services (IMAP, POP3): logins and group commit. Before the server: they outlive its sessions.
  LoginOptions lo;
  lo.failure_delay = cfg.auth_failure_delay;
  lo.cache_ttl = cfg.auth_cache_ttl;
  lo.max_failures_per_minute = cfg.auth_max_failures;
  LoginService logins(*in.store, lo);
  store::GroupSync group_sync(*in.store, [&on_fatal](const std::string& why) {
    spdlog::critical("store: {}", why);
    on_fatal(why);
  });

  imap::SessionConfig imap_cfg;
  imap_cfg.hostname = cfg.hostname;
  imap_cfg.allow_plaintext = cfg.auth_allow_plaintext;
  imap_cfg.limits.max_line = cfg.imap_max_line;
  imap_cfg.limits.max_message_literal = cfg.imap_append_limit;
  imap_cfg.temp_dir = cfg.data_dir.string();
  imap::UserConnections imap_users(cfg.imap_max_user_connections);
  imap_cfg.user_connections = &imap_users;
  Pop3ServiceOptions pop3_opts;
  pop3_opts.session.hostname = cfg.hostname;
  pop3_opts.session.tls_available = true;
  pop3_opts.session.allow_plaintext = cfg.auth_allow_plaintext;

  net::ServerOptions no;
  no.threads = cfg.io_threads;
  no.max_connections = cfg.max_connections;
  no.max_connections_per_ip = cfg.max_connections_per_ip;
  net::Server server(no, *tls);

  SmtpServiceOptions smtp_opts;
  auto& sc = smtp_opts.session;
  sc.hostname = cfg.hostname;
  sc.max_command_line = cfg.smtp_max_command_line;
  sc.max_message_size = cfg.smtp_max_message_size;
  sc.max_recipients = cfg.smtp_max_recipients;
  sc.max_errors = cfg.smtp_max_errors;
  sc.junk_command_limit = cfg.smtp_junk_command_limit;
  sc.max_received_headers = cfg.smtp_max_received_headers;
  sc.bare_lf = cfg.smtp_bare_lf == "normalize" ? smtp::BareLf::normalize : smtp::BareLf::reject;
  sc.tls_available = true;
  sc.require_tls = cfg.smtp_require_tls;
  std::optional<log::TranscriptDir> transcripts;
  if (cfg.smtp_transcripts) {
    transcripts.emplace(cfg.data_dir / "transcripts",
                        log::TranscriptLimits{cfg.smtp_transcript_max_bytes, cfg.smtp_transcripts_max_total,
                                              cfg.smtp_transcripts_max_age, cfg.smtp_transcripts_max_files});
    if (auto st = transcripts->prepare(); !st) return startup_error(st.error().detail);
    sc.transcript = true;
    smtp_opts.transcripts = &*transcripts;
  }

  std::vector<std::string> serving;
  // Binds one listener of a reader protocol; false (after printing why) when it cannot.
  auto add_listener = [&](const char* name, const config::Listener& l, bool implicit_tls,
                          std::chrono::seconds idle, net::SessionFactory factory, std::string busy) -> bool {
    if (!l.enabled) return true;
    net::ListenerSpec spec;
    spec.name = name;
    spec.addresses = cfg.listen;
    spec.port = l.port;
    spec.implicit_tls = implicit_tls;
    spec.idle_timeout = idle;
    spec.wait_timeout = std::chrono::seconds(600);  // a group commit or a login never takes that long
    spec.factory = std::move(factory);
    spec.busy_reply = std::move(busy);
    if (auto st = server.listen(spec); !st) {
      startup_error(cfg.file.string() + ": " + name + ".port: " + st.error().detail);
      return false;
    }
    for (const auto& a : cfg.listen)
      serving.push_back(std::string(name) + " " + (a.find(':') != std::string::npos ? "[" + a + "]" : a) + ":" +
                        std::to_string(l.port));
    return true;
  };
  auto imap_factory = make_imap_factory(imap_cfg, *in.store, logins, group_sync);
  const std::string imap_busy = "* BYE Too many connections, try again later\r\n";
  if (!add_listener("imap", cfg.imap, false, cfg.imap_idle_timeout, imap_factory, imap_busy)) return exit_config;
  if (!add_listener("imaps", cfg.imaps, true, cfg.imap_idle_timeout, imap_factory, imap_busy)) return exit_config;
  if (cfg.smtp.enabled) {
    net::ListenerSpec spec;
    spec.name = "smtp";
    spec.addresses = cfg.listen;
    spec.port = cfg.smtp.port;
    spec.idle_timeout = cfg.smtp_idle_timeout;
    spec.min_data_rate = cfg.smtp_min_data_rate;
    spec.wait_timeout = cfg.smtp_spool_timeout;
    spec.factory = make_smtp_factory(smtp_opts, directory, **spool, clock);
    spec.busy_reply = "421 4.7.0 " + cfg.hostname + " Error: too many connections\r\n";
    if (auto st = server.listen(spec); !st) return startup_error(cfg.file.string() + ": smtp.port: " + st.error().detail);
    for (const auto& a : cfg.listen)
      serving.push_back("smtp " + (a.find(':') != std::string::npos ? "[" + a + "]" : a) + ":" +
                        std::to_string(cfg.smtp.port));
  }

  // POP3 with STLS and over implicit TLS: one set of session options, TLS known per connection.
  const std::string pop3_busy = "-ERR [SYS/TEMP] Too many connections, try again later.\r\n";
  auto pop3_factory = make_pop3_factory(pop3_opts, *in.store, logins, group_sync);
  if (!add_listener("pop3", cfg.pop3, false, cfg.pop3_idle_timeout, pop3_factory, pop3_busy) ||
      !add_listener("pop3s", cfg.pop3s, true, cfg.pop3_idle_timeout, pop3_factory, pop3_busy))
    return exit_config;

  // Everything that can fail at start-up has been checked; from here on we serve.
  queue::RouterOptions ro;
  ro.undeliverable_dir = cfg.data_dir / "undeliverable";
  ro.on_fatal = on_fatal;
  queue::Router router(*in.store, **spool, ro);
  auto recovered = (*spool)->recover();
  if (!recovered) return startup_error(recovered.error().detail);
  if (!recovered->empty()) {
    std::size_t n = recovered->size();
    auto st = router.deliver_now(std::move(*recovered));
    if (!st) {
      spdlog::critical("recovery: {}", st.error().detail);
      return exit_failed;
    }
    spdlog::info("recovered {} spooled messages", n);
  }
  router.start();
  (*spool)->start([&router](std::vector<queue::Spooled> msgs) { router.enqueue(std::move(msgs)); });
  if (transcripts) {
    auto prune = [&transcripts, &clock] {
      auto st = transcripts->prune(clock.now());
      if (st.files) spdlog::info("transcripts: removed {} old files ({} bytes), {} bytes kept", st.files, st.bytes,
                                 st.kept_bytes);
    };
    prune();  // at start-up, then every minute (smtp.transcripts_max_total, smtp.transcripts_max_age)
    maintenance.every(std::chrono::seconds(60), prune);
  }
  maintenance.start();

  boost::asio::signal_set signals(server.io(), SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          spdlog::info("SIGHUP: reloading directory and certificates");
          maintenance.hup();
          if (auto t = net::TlsContext::load(cfg.tls_cert, cfg.tls_key))
            server.set_tls(*t);
          else
            spdlog::error("certificate reload failed, keeping the old one: {}", t.error().detail);
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("signal {}: draining", sig);
        server.stop();
        signals.cancel();
      };
  signals.async_wait(on_signal);
  {
    // A fatal storage error stops the server like SIGTERM does (drain), from whichever thread it is found on.
    std::lock_guard lk(stop_mu);
    stop_server = [&server, &signals] {
      server.stop();
      boost::asio::post(server.io(), [&signals] { signals.cancel(); });
    };
    if (failed) stop_server();
  }

  std::printf("axon serving %s as %s\n", cfg.file.c_str(), cfg.hostname.c_str());
  for (const auto& s : serving) std::printf("  %s\n", s.c_str());
  std::fflush(stdout);
  spdlog::info("ready");

  server.run();
  {
    std::lock_guard lk(stop_mu);
    stop_server = nullptr;
  }
  (*spool)->stop();
  router.stop();
  maintenance.stop();
  if (failed) {
    spdlog::critical("stopped after a storage failure: mail acknowledged so far is in the spool and is "
                     "delivered at the next start");
    return exit_failed;
  }
  spdlog::info("stopped");
  return exit_ok;
}

}  // namespace axon::app
