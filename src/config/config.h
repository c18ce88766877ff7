// config::Config — axon.toml, typed. One schema table (schema.cpp) drives parsing, validation, the commented
// axon.toml written by `axon init` and docs/configuration.md. Security: the file is trusted-but-checked input
// (admin-written); the parser still has size and depth limits, and every error names file and key.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace axon::config {

// Standard ports; `axon init --port-offset N` writes each plus N.
namespace port {
inline constexpr uint16_t smtp = 25, submission = 587, submissions = 465, imap = 143, imaps = 993, pop3 = 110,
                          pop3s = 995, xmpp_client = 5222, xmpp_client_tls = 5223, xmpp_server = 5269, http = 80,
                          https = 443;
}

struct Listener {
  bool enabled = true;
  uint16_t port = 0;
};

struct Config {
  std::filesystem::path file;      // the config file this was read from (absolute)
  // Relative paths in the file are relative to the file's folder; these are resolved (absolute).

  // [server]
  std::string hostname = "localhost";           // our name in greetings and Received:
  std::vector<std::string> listen{"0.0.0.0", "::"};  // addresses every listener binds
  std::filesystem::path data_dir = "data";
  unsigned io_threads = 0;                      // 0: one per core
  std::string log_level = "info";               // trace, debug, info, warn, error
  std::size_t max_connections = 1000;           // total, all listeners (421 past it)
  std::size_t max_connections_per_ip = 50;     // as Postfix smtpd_client_connection_count_limit

  // [tls]
  std::filesystem::path tls_cert = "tls/cert.pem";
  std::filesystem::path tls_key = "tls/key.pem";

  // [smtp] — inbound MTA (port 25)
  Listener smtp{true, port::smtp};
  std::size_t smtp_max_message_size = 50u << 20;
  std::size_t smtp_max_recipients = 100;
  std::size_t smtp_max_command_line = 2048;
  std::size_t smtp_max_errors = 10;
  std::size_t smtp_junk_command_limit = 100;    // as Postfix smtpd_junk_command_limit
  std::size_t smtp_max_received_headers = 50;
  std::chrono::seconds smtp_idle_timeout{300};  // RFC 5321 §4.5.3.2.7: server timeout at least 5 minutes
  std::size_t smtp_min_data_rate = 500;         // bytes/s a request must keep up (Postfix smtpd_min_data_rate)
  std::chrono::seconds smtp_spool_timeout{60};  // spool answer awaited at most this long, then 451 4.3.0
  std::string smtp_bare_lf = "normalize";       // "reject" or "normalize" (Postfix 3.9 default)
  bool smtp_require_tls = false;
  bool smtp_transcripts = false;                // SMTP communication logs under data_dir/transcripts/
  std::size_t smtp_transcript_max_bytes = 1u << 20;  // per connection log
  std::size_t smtp_transcripts_max_total = std::size_t{1} << 30;  // all logs; the oldest are removed past it
  std::size_t smtp_transcripts_max_files = 100000;                 // all logs; no new one past it until pruned
  std::chrono::seconds smtp_transcripts_max_age{30 * 24 * 3600};  // older logs are removed

  // [directory]
  std::string plus_separator = "+";             // "" disables plus-addressing
  std::string postmaster;                       // postmaster@/abuse@ default target; "": each domain's first account

  // [auth] — logins over IMAP and POP3 (and submission later)
  bool auth_allow_plaintext = false;            // password logins without TLS from non-loopback peers
  std::chrono::seconds auth_failure_delay{2};   // a failed login is answered this late (Dovecot auth_failure_delay)
  std::chrono::seconds auth_cache_ttl{3600};    // a verified password is trusted this long without Argon2id again
  std::size_t auth_max_failures = 10;           // failed logins per IP address per minute before refusing all

  // [imap] and [imaps]
  Listener imap{false, port::imap}, imaps{false, port::imaps};
  std::size_t imap_max_line = 64u << 10;        // command line outside literals (Dovecot imap_max_line_length)
  std::size_t imap_append_limit = 50u << 20;    // largest APPEND (RFC 7889 APPENDLIMIT)
  std::chrono::seconds imap_idle_timeout{1800}; // RFC 9051 §5.4: autologout timer at least 30 minutes
  std::size_t imap_max_user_connections = 20;   // per account and IP (Dovecot mail_max_userip_connections)

  // [pop3] and [pop3s]
  Listener pop3{false, port::pop3}, pop3s{false, port::pop3s};
  std::chrono::seconds pop3_idle_timeout{600};  // RFC 1939 §3: autologout timer at least 10 minutes

  // [queue] — the spool and the data of messages being received
  uint64_t queue_memory_budget = 128u << 20;     // message data in RAM, all receiving sessions together
  uint64_t queue_message_memory = 1u << 20;      // one message's data in RAM before it spills to disk
  uint64_t queue_in_flight_limit = uint64_t{4} << 30;  // received, not yet spooled: past it MAIL gets 452 4.3.1

  // Filled by load(): ports of the services that `init` wrote but this version does not serve yet are still
  // validated so that a config written today keeps working when they arrive.
  Listener submission{false, port::submission}, submissions{false, port::submissions},
      xmpp_client{false, port::xmpp_client}, xmpp_client_tls{false, port::xmpp_client_tls},
      xmpp_server{false, port::xmpp_server}, http{false, port::http}, https{false, port::https};
};

// Reads and validates a config file. Errors: "FILE: KEY: what was expected" (Errc::invalid), or
// "FILE: cannot read ..." (Errc::not_found). Unknown keys are errors (typos must not pass silently).
core::Result<Config> load_file(const std::filesystem::path& file);
// The same from text; `name` is used in error messages, relative paths resolve against `base_dir`.
core::Result<Config> load_string(std::string_view text, std::string_view name,
                                 const std::filesystem::path& base_dir);

struct InitParams {
  std::string domain;
  std::string hostname;                  // default: "mail." + domain
  std::vector<std::string> listen;       // default: all interfaces
  uint16_t port_offset = 0;
};

// The commented axon.toml that `axon init` writes: every key, its default, its documentation and whether SIGHUP
// reloads it; values from `p` filled in (hostname, listen, ports with the offset). Call check_init(p) first: with
// bad parameters the text is written anyway and does not load.
std::string render_toml(const InitParams& p);
// Checks that render_toml(p) loads: every standard port + port_offset at most 65535, a valid hostname and listen
// addresses. Errors (Errc::invalid) read "axon init: KEY: what was expected, got what".
core::Result<void> check_init(const InitParams& p);
// docs/configuration.md, generated from the same schema.
std::string render_markdown();

}  // namespace axon::config
