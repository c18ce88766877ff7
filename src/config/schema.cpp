// The schema of axon.toml: every section and key, its type and bounds, its documentation, whether SIGHUP reloads
// it, and how it reaches the typed Config. Parsing (load.cpp), axon.toml (render_toml) and docs/configuration.md
// (render_markdown) all read this one table; add a key here and nowhere else. Security: no input is seen here.
#include "config/schema.h"

#include <arpa/inet.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <type_traits>

#include "core/address.h"

namespace axon::config::schema {
namespace {

// The binding of a key to its Config member: a getter and a setter over Value.
template <class T>
void bind(Key& k, T Config::*m) {
  if constexpr (std::is_same_v<T, Listener>) {  // `enabled` or `port`, by the key's name
    if (k.name == "enabled") {
      k.get = [m](const Config& c) { return Value{(c.*m).enabled}; };
      k.set = [m](Config& c, const Value& v) { (c.*m).enabled = std::get<bool>(v); };
    } else {
      k.get = [m](const Config& c) { return Value{static_cast<int64_t>((c.*m).port)}; };
      k.set = [m](Config& c, const Value& v) { (c.*m).port = static_cast<uint16_t>(std::get<int64_t>(v)); };
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    k.get = [m](const Config& c) { return Value{c.*m}; };
    k.set = [m](Config& c, const Value& v) { c.*m = std::get<bool>(v); };
  } else if constexpr (std::is_integral_v<T>) {
    k.get = [m](const Config& c) { return Value{static_cast<int64_t>(c.*m)}; };
    k.set = [m](Config& c, const Value& v) { c.*m = static_cast<T>(std::get<int64_t>(v)); };
  } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
    k.get = [m](const Config& c) { return Value{static_cast<int64_t>((c.*m).count())}; };
    k.set = [m](Config& c, const Value& v) { c.*m = std::chrono::seconds(std::get<int64_t>(v)); };
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<std::string>>) {
    k.get = [m](const Config& c) { return Value{c.*m}; };
    k.set = [m](Config& c, const Value& v) { c.*m = std::get<T>(v); };
  } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
    k.get = [m](const Config& c) { return Value{(c.*m).string()}; };
    k.set = [m](Config& c, const Value& v) { c.*m = std::filesystem::path(std::get<std::string>(v)); };
  } else {
    static_assert(sizeof(T) == 0, "no binding for this member type");
  }
}

bool valid_hostname(std::string_view s) { return core::valid_domain(s, false); }

bool valid_ip(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  std::string z(s);
  if (z.find('\0') != std::string::npos) return false;
  unsigned char buf[16];
  return inet_pton(AF_INET, z.c_str(), buf) == 1 || inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

// RFC 5322 §3.2.3 atext other than letters and digits: a separator that cannot be mistaken for part of a name.
bool valid_plus_separator(std::string_view s) {
  return s.empty() || (s.size() == 1 && std::string_view("!#$%&'*+-/=?^_`{|}~").find(s[0]) != std::string_view::npos);
}

// An address (RFC 5321 §4.1.2 Mailbox) with a domain name, or "" for unset.
bool valid_postmaster(std::string_view s) {
  if (s.empty()) return true;
  auto a = core::parse_mailbox(s, true);
  return a && !a->domain.empty() && a->domain.front() != '[';
}

constexpr std::string_view not_served = "Not served yet by this version; the port is reserved.";

std::vector<Key> make_keys() {
  std::vector<Key> v;
  auto add = [&v](auto member, std::string_view section, std::string_view name, Type type, Reload reload,
                  int64_t min, int64_t max, std::string_view doc) -> Key& {
    Key& k = v.emplace_back();
    k.section = section;
    k.name = name;
    k.type = type;
    k.reload = reload;
    k.min = min;
    k.max = max;
    k.doc = doc;
    bind(k, member);
    return k;
  };
  constexpr auto sighup = Reload::sighup, restart = Reload::restart;
  constexpr int64_t K = 1024, M = K * K, G = M * K;

  // [server]
  auto& hostname = add(&Config::hostname, "server", "hostname", Type::string, restart, 0, 0,
                       "Our host name, in greetings, EHLO replies and Received: header fields; its DNS A/AAAA "
                       "records and the MX of the served domains should point here.");
  hostname.check = valid_hostname;
  hostname.check_what = "a DNS host name (letters, digits and '-' in dot-separated labels)";
  auto& listen = add(&Config::listen, "server", "listen", Type::string_list, restart, 1, 64,
                     "Addresses that every listener binds; \"0.0.0.0\" and \"::\" mean all IPv4 and IPv6 "
                     "interfaces.");
  listen.check = valid_ip;
  listen.check_what = "an IPv4 or IPv6 address";
  add(&Config::data_dir, "server", "data_dir", Type::path, restart, 0, 0,
      "Folder holding the store, the queue and transcripts; relative to this file's folder.");
  add(&Config::io_threads, "server", "io_threads", Type::integer, restart, 0, 1024,
      "Threads running the network event loops; 0 means one per CPU core.");
  auto& log_level = add(&Config::log_level, "server", "log_level", Type::choice, restart, 0, 0,
                        "Least severe log messages written.");
  log_level.choices = {"trace", "debug", "info", "warn", "error"};
  add(&Config::max_connections, "server", "max_connections", Type::integer, restart, 1, 1000000,
      "Connections accepted at once over all listeners; past it new connections get a temporary error "
      "(SMTP 421) and are closed.");
  add(&Config::max_connections_per_ip, "server", "max_connections_per_ip", Type::integer, restart, 1, 1000000,
      "Connections accepted at once from one IP address; at most max_connections.");

  // [tls]
  add(&Config::tls_cert, "tls", "cert", Type::path, sighup, 0, 0,
      "PEM certificate chain, leaf first; relative to this file's folder. Read again on SIGHUP.");
  add(&Config::tls_key, "tls", "key", Type::path, sighup, 0, 0,
      "PEM private key of the certificate; relative to this file's folder. Read again on SIGHUP.");

  // [smtp]
  add(&Config::smtp, "smtp", "enabled", Type::boolean, restart, 0, 0,
      "Accept mail from other servers (inbound MTA, RFC 5321).");
  add(&Config::smtp, "smtp", "port", Type::port, restart, 1, 65535,
      "TCP port of the inbound MTA; other servers only ever connect to 25.");
  add(&Config::smtp_max_message_size, "smtp", "max_message_size", Type::size, restart, 64 * K, 4 * G,
      "Largest message accepted, announced with EHLO SIZE (RFC 1870); RFC 5321 §4.5.3.1.7 asks for at least "
      "64K.");
  add(&Config::smtp_max_recipients, "smtp", "max_recipients", Type::integer, restart, 100, 10000,
      "Recipients accepted per message; RFC 5321 §4.5.3.1.8 asks for at least 100.");
  add(&Config::smtp_max_command_line, "smtp", "max_command_line", Type::size, restart, 512, 64 * K,
      "Longest command line in bytes, CRLF included; RFC 5321 §4.5.3.1.4 asks for at least 512.");
  add(&Config::smtp_max_errors, "smtp", "max_errors", Type::integer, restart, 1, 1000,
      "Failed commands in one session before the server answers 421 and closes it.");
  add(&Config::smtp_junk_command_limit, "smtp", "junk_command_limit", Type::integer, restart, 1, 1000000,
      "Commands that change nothing (HELO, EHLO, RSET, NOOP, VRFY, HELP) accepted in one session, counted again "
      "after each message accepted; each one past it counts as a failed command (see max_errors), so a client "
      "cannot hold a connection with them forever. As Postfix's smtpd_junk_command_limit.");
  add(&Config::smtp_max_received_headers, "smtp", "max_received_headers", Type::integer, restart, 1, 1000,
      "Received: header fields past which a message is refused as a mail loop (RFC 5321 §6.3).");
  add(&Config::smtp_idle_timeout, "smtp", "idle_timeout", Type::duration, restart, 1, 86400,
      "Time a client has after our reply to send its next request (a command, or message data with the time "
      "min_data_rate allows on top), else 421 and the session is closed; RFC 5321 §4.5.3.2.7 asks for at least "
      "5 minutes.");
  add(&Config::smtp_min_data_rate, "smtp", "min_data_rate", Type::integer, restart, 0, 1000000000,
      "Slowest rate in bytes per second at which a request may arrive: every n bytes read extend its "
      "idle_timeout deadline by n / min_data_rate seconds (Postfix smtpd_min_data_rate). 0 restarts idle_timeout "
      "at every read instead, so that a client sending a byte now and then holds its connection forever.");
  add(&Config::smtp_spool_timeout, "smtp", "spool_timeout", Type::duration, restart, 1, 3600,
      "Time a session waits for the spool to make a message durable; past it the client gets 451 4.3.0 and may "
      "retry, and the session goes on.");
  auto& bare_lf = add(&Config::smtp_bare_lf, "smtp", "bare_lf", Type::choice, restart, 0, 0,
                      "What to do with a line ending in LF without CR in message data (RFC 5321 §2.3.8): refuse "
                      "the message, or turn it into CRLF. Either way a bare LF never ends the data (no SMTP smuggling).");
  bare_lf.choices = {"reject", "normalize"};
  add(&Config::smtp_require_tls, "smtp", "require_tls", Type::boolean, restart, 0, 0,
      "Refuse MAIL FROM before STARTTLS (RFC 3207); leave false on the public MX, where senders may not "
      "support TLS.");
  add(&Config::smtp_transcripts, "smtp", "transcripts", Type::boolean, restart, 0, 0,
      "Write each session's commands and replies under data_dir/transcripts/, one folder per IPv4 address or "
      "IPv6 /64, for debugging. Message data is never written, only its size; AUTH secrets show as ***. Files "
      "are readable by the server's user only (0600, folders 0700).");
  add(&Config::smtp_transcript_max_bytes, "smtp", "transcript_max_bytes", Type::size, restart, 1 * K, 1 * G,
      "Largest transcript per connection; the rest of the session is not logged.");
  add(&Config::smtp_transcripts_max_total, "smtp", "transcripts_max_total", Type::size, restart, 1 * M,
      1024 * G,
      "Largest total size of all transcripts; past it the oldest are removed (checked at start-up and every "
      "minute).");
  add(&Config::smtp_transcripts_max_files, "smtp", "transcripts_max_files", Type::integer, restart, 100,
      100000000,
      "Most transcript files kept; past it (or past transcripts_max_total) no new transcript is started until "
      "the next pruning, so a flood of connections cannot use up the disk's inodes.");
  add(&Config::smtp_transcripts_max_age, "smtp", "transcripts_max_age", Type::duration, restart, 60,
      3650 * 86400,
      "Transcripts older than this are removed (checked at start-up and every minute).");

  // [directory]
  auto& plus = add(&Config::plus_separator, "directory", "plus_separator", Type::string, restart, 0, 0,
                   "Separator of subaddresses: with \"+\", mail to alice+lists@ goes to alice@. \"\" turns "
                   "plus-addressing off.");
  plus.check = valid_plus_separator;
  plus.check_what = "\"\" or one character of !#$%&'*+-/=?^_`{|}~";
  auto& postmaster = add(&Config::postmaster, "directory", "postmaster", Type::string, restart, 0, 0,
                         "Account or alias receiving mail for postmaster@ and abuse@ of every served domain and "
                         "for Postmaster without a domain (RFC 5321 §4.5.1, §4.1.1.3; RFC 2142), where no account "
                         "or alias of that name exists. \"\": each domain's first account (the oldest), or the first account "
                         "of any domain while a domain has none.");
  postmaster.check = valid_postmaster;
  postmaster.check_what = "\"\" or a mail address (local@domain)";

  // [queue]
  add(&Config::queue_memory_budget, "queue", "memory_budget", Type::size, restart, 1 * M, 64 * G,
      "Message data that all sessions receiving mail hold in memory together; past it a session's data goes to "
      "an unlinked spill file beside the spool, so no number of clients can exhaust memory.");
  add(&Config::queue_message_memory, "queue", "message_memory", Type::size, restart, 4 * K, 1 * G,
      "Data of one message held in memory before it spills to disk (small messages never touch the disk "
      "before the spool).");
  add(&Config::queue_in_flight_limit, "queue", "in_flight_limit", Type::size, restart, 1 * M, 1024 * G,
      "Message data received but not yet in the spool (memory and spill files together); past it new "
      "transactions get 452 4.3.1 (try again later) while the ones under way go on.");

  // [auth]
  add(&Config::auth_allow_plaintext, "auth", "allow_plaintext", Type::boolean, restart, 0, 0,
      "Accept passwords (IMAP LOGIN, AUTHENTICATE PLAIN, POP3 USER/PASS) on connections without TLS from "
      "addresses other than loopback. Off, as Dovecot's disable_plaintext_auth: clients must use STARTTLS, STLS "
      "or the implicit-TLS ports.");
  add(&Config::auth_failure_delay, "auth", "failure_delay", Type::duration, restart, 0, 60,
      "A failed login is answered this many seconds late (Dovecot auth_failure_delay), so guessing passwords is "
      "slow; other sessions go on meanwhile.");
  add(&Config::auth_cache_ttl, "auth", "cache_ttl", Type::duration, restart, 0, 86400,
      "After a successful login the password is remembered (as a keyed hash, in memory only) for this long, so "
      "clients that log in again and again do not pay Argon2id each time; a password change forgets it. 0 turns "
      "the cache off.");
  add(&Config::auth_max_failures, "auth", "max_failures", Type::integer, restart, 1, 1000000,
      "Failed logins accepted from one IP address (IPv6: one /64) per minute; past it every login from there "
      "fails until the minute is over.");

  // [imap]
  add(&Config::imap, "imap", "enabled", Type::boolean, restart, 0, 0, "Serve IMAP with STARTTLS (RFC 9051).");
  add(&Config::imap, "imap", "port", Type::port, restart, 1, 65535, "TCP port of IMAP; clients expect 143.");
  add(&Config::imap_max_line, "imap", "max_line", Type::size, restart, 1 * K, 16 * M,
      "Longest command line outside literals; a longer one gets BAD and the rest of the line is skipped "
      "(Dovecot imap_max_line_length).");
  add(&Config::imap_append_limit, "imap", "append_limit", Type::size, restart, 64 * K, 4 * G,
      "Largest message APPEND accepts, announced as APPENDLIMIT (RFC 7889); a bigger literal is refused with "
      "[TOOBIG] before it is sent.");
  add(&Config::imap_idle_timeout, "imap", "idle_timeout", Type::duration, restart, 60, 86400,
      "Time a client may stay silent (IDLE included) before the server says BYE; RFC 9051 §5.4 asks for at "
      "least 30 minutes.");
  add(&Config::imap_max_user_connections, "imap", "max_user_connections", Type::integer, restart, 1, 100000,
      "IMAP sessions one account may have open from one IP address (Dovecot mail_max_userip_connections).");
  add(&Config::imaps, "imaps", "enabled", Type::boolean, restart, 0, 0, "Serve IMAP over implicit TLS (RFC 8314).");
  add(&Config::imaps, "imaps", "port", Type::port, restart, 1, 65535,
      "TCP port of IMAP over implicit TLS; clients expect 993.");

  // [pop3]
  add(&Config::pop3, "pop3", "enabled", Type::boolean, restart, 0, 0, "Serve POP3 with STLS (RFC 1939, RFC 2595).");
  add(&Config::pop3, "pop3", "port", Type::port, restart, 1, 65535, "TCP port of POP3; clients expect 110.");
  add(&Config::pop3_idle_timeout, "pop3", "idle_timeout", Type::duration, restart, 60, 86400,
      "Time a client may stay silent before the server closes the session; RFC 1939 §3 asks for at least 10 "
      "minutes.");
  add(&Config::pop3s, "pop3s", "enabled", Type::boolean, restart, 0, 0, "Serve POP3 over implicit TLS (RFC 8314).");
  add(&Config::pop3s, "pop3s", "port", Type::port, restart, 1, 65535,
      "TCP port of POP3 over implicit TLS; clients expect 995.");

  // Services that `axon init` writes and this version does not serve yet.
  for (const auto& l : listeners()) {
    if (l.section == "smtp" || l.section.starts_with("imap") || l.section.starts_with("pop3")) continue;
    add(l.member, l.section, "enabled", Type::boolean, restart, 0, 0, not_served);
    add(l.member, l.section, "port", Type::port, restart, 1, 65535, not_served);
  }
  return v;
}

}  // namespace

const std::vector<Section>& sections() {
  static const std::vector<Section> s{
      {"server", "The server as a whole: its name, addresses, data and limits."},
      {"tls", "Certificate and key used by STARTTLS and the implicit-TLS ports."},
      {"smtp", "Inbound SMTP: mail from other servers to our domains (RFC 5321)."},
      {"directory", "How recipient addresses map to accounts."},
      {"queue", "The spool of accepted mail and the budgets of message data being received."},
      {"auth", "Password logins (IMAP, POP3): where they are allowed, how failures are slowed down, and the "
               "cache of verified passwords."},
      {"imap", "IMAP with STARTTLS (RFC 9051, RFC 3501), and the limits of every IMAP session."},
      {"imaps", "IMAP over implicit TLS (RFC 8314); sessions follow [imap]'s limits."},
      {"pop3", "POP3 with STLS (RFC 1939, RFC 2449, RFC 2595), and the limits of every POP3 session."},
      {"pop3s", "POP3 over implicit TLS (RFC 8314); sessions follow [pop3]'s limits."},
      {"submission", "Message submission with STARTTLS (RFC 6409). Not served yet by this version; the port is "
                     "reserved."},
      {"submissions", "Message submission over implicit TLS (RFC 8314). Not served yet by this version; the port "
                      "is reserved."},
      {"xmpp_client", "XMPP client connections with STARTTLS (RFC 6120). Not served yet by this version; the port "
                      "is reserved."},
      {"xmpp_client_tls", "XMPP client connections over implicit TLS (XEP-0368). Not served yet by this version; "
                          "the port is reserved."},
      {"xmpp_server", "XMPP server-to-server connections (RFC 6120). Not served yet by this version; the port is "
                      "reserved."},
      {"http", "HTTP (autoconfig, MTA-STS, ACME). Not served yet by this version; the port is reserved."},
      {"https", "HTTPS (autoconfig, MTA-STS, web admin). Not served yet by this version; the port is reserved."},
  };
  return s;
}

const std::vector<ListenerSection>& listeners() {
  static const std::vector<ListenerSection> l{
      {"smtp", &Config::smtp},
      {"submission", &Config::submission},
      {"submissions", &Config::submissions},
      {"imap", &Config::imap},
      {"imaps", &Config::imaps},
      {"pop3", &Config::pop3},
      {"pop3s", &Config::pop3s},
      {"xmpp_client", &Config::xmpp_client},
      {"xmpp_client_tls", &Config::xmpp_client_tls},
      {"xmpp_server", &Config::xmpp_server},
      {"http", &Config::http},
      {"https", &Config::https},
  };
  return l;
}

const std::vector<Key>& keys() {
  static const std::vector<Key> k = make_keys();
  return k;
}

}  // namespace axon::config::schema
