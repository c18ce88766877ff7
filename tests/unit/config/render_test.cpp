// Tests of render_toml (round trip through load_string, comments, init values, check_init) and render_markdown
// (the repository's docs/configuration.md must equal it).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config.h"
#include "config/schema.h"

namespace axon::config {
namespace {

Config round_trip(const InitParams& p) {
  std::string text = render_toml(p);
  auto r = load_string(text, "init.toml", "/srv/axon");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail) << "\n" << text;
  return r.ok() ? *r : Config{};
}

TEST(ConfigRender, RoundTripDefaults) {
  InitParams p;
  p.domain = "example.org";
  ASSERT_TRUE(check_init(p).ok());
  Config c = round_trip(p);
  Config d;
  EXPECT_EQ(c.hostname, "mail.example.org");
  EXPECT_EQ(c.listen, (std::vector<std::string>{"0.0.0.0", "::"}));
  EXPECT_EQ(c.data_dir, "/srv/axon/data");
  EXPECT_EQ(c.tls_cert, "/srv/axon/tls/cert.pem");
  EXPECT_EQ(c.io_threads, d.io_threads);
  EXPECT_EQ(c.log_level, d.log_level);
  EXPECT_EQ(c.max_connections, d.max_connections);
  EXPECT_EQ(c.max_connections_per_ip, d.max_connections_per_ip);
  EXPECT_EQ(c.smtp_max_message_size, d.smtp_max_message_size);
  EXPECT_EQ(c.smtp_max_recipients, d.smtp_max_recipients);
  EXPECT_EQ(c.smtp_max_command_line, d.smtp_max_command_line);
  EXPECT_EQ(c.smtp_max_errors, d.smtp_max_errors);
  EXPECT_EQ(c.smtp_junk_command_limit, d.smtp_junk_command_limit);
  EXPECT_EQ(c.smtp_max_received_headers, d.smtp_max_received_headers);
  EXPECT_EQ(c.smtp_idle_timeout, d.smtp_idle_timeout);
  EXPECT_EQ(c.smtp_min_data_rate, d.smtp_min_data_rate);
  EXPECT_EQ(c.smtp_spool_timeout, d.smtp_spool_timeout);
  EXPECT_EQ(c.smtp_bare_lf, d.smtp_bare_lf);
  EXPECT_EQ(c.smtp_require_tls, d.smtp_require_tls);
  EXPECT_EQ(c.smtp_transcripts, d.smtp_transcripts);
  EXPECT_EQ(c.smtp_transcript_max_bytes, d.smtp_transcript_max_bytes);
  EXPECT_EQ(c.smtp_transcripts_max_total, d.smtp_transcripts_max_total);
  EXPECT_EQ(c.smtp_transcripts_max_age, d.smtp_transcripts_max_age);
  EXPECT_EQ(c.plus_separator, d.plus_separator);
  // init writes every service enabled on its standard port.
  for (const auto& l : schema::listeners()) {
    EXPECT_TRUE((c.*l.member).enabled) << l.section;
    EXPECT_EQ((c.*l.member).port, (d.*l.member).port) << l.section;
  }
}

TEST(ConfigRender, RoundTripInitValues) {
  InitParams p;
  p.domain = "example.net";
  p.hostname = "mx1.example.net";
  p.listen = {"127.0.0.1", "::1"};
  p.port_offset = 10000;
  ASSERT_TRUE(check_init(p).ok());
  Config c = round_trip(p);
  EXPECT_EQ(c.hostname, "mx1.example.net");
  EXPECT_EQ(c.listen, p.listen);
  EXPECT_EQ(c.smtp.port, 10025);
  EXPECT_EQ(c.submission.port, 10587);
  EXPECT_EQ(c.imaps.port, 10993);
  EXPECT_EQ(c.xmpp_server.port, 15269);
  EXPECT_EQ(c.https.port, 10443);
}

TEST(ConfigRender, Comments) {
  InitParams p;
  p.domain = "example.org";
  std::string t = render_toml(p);
  EXPECT_EQ(t.rfind("# axon.toml: configuration of the Axon mail and XMPP server for example.org", 0), 0u) << t;
  EXPECT_NE(t.find("\n# Recipients accepted per message; RFC 5321 §4.5.3.1.8 asks for at least 100.\n"
                   "# reload: restart; type: integer, 100 to 10000\nmax_recipients = 100\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("# reload: restart; type: port\nport = 25\n"), std::string::npos);
  EXPECT_NE(t.find("max_message_size = \"50M\"\n"), std::string::npos);
  EXPECT_NE(t.find("idle_timeout = \"5m\"\n"), std::string::npos);
  EXPECT_NE(t.find("[imap]\n\n# Serve IMAP with STARTTLS (RFC 9051).\n"
                   "# reload: restart; type: boolean\nenabled = true\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("[submission]\n\n# Not served yet by this version; the port is reserved.\n"
                   "# reload: restart; type: boolean\nenabled = true\n"),
            std::string::npos)
      << t;
  // Every key is written, in its section.
  for (const auto& k : schema::keys()) {
    auto s = t.find("\n[" + std::string(k.section) + "]\n");
    ASSERT_NE(s, std::string::npos) << k.section;
    auto next = t.find("\n[", s + 1);
    auto at = t.find("\n" + std::string(k.name) + " = ", s);
    EXPECT_LT(at, next) << k.section << "." << k.name;
  }
  for (std::size_t a = 0, b; (b = t.find('\n', a)) != std::string::npos; a = b + 1)
    EXPECT_LE(b - a, 100u) << t.substr(a, b - a);
}

TEST(ConfigRender, ParametersCannotInjectLines) {
  InitParams p;
  p.domain = "example.org\n[evil]\nx = 1";
  p.hostname = "a\"\nb";
  std::string t = render_toml(p);
  EXPECT_EQ(t.find("\n[evil]"), std::string::npos);
  auto e = check_init(p);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().detail,
            "axon init: server.hostname: a DNS host name (letters, digits and '-' in dot-separated labels), got "
            "\"a\\\"\\nb\"");
}

TEST(ConfigRender, CheckInit) {
  InitParams p;
  p.domain = "example.org";
  p.port_offset = 60266;  // 5269 + 60266 = 65535
  EXPECT_TRUE(check_init(p).ok());
  p.port_offset = 60267;
  auto e = check_init(p);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, core::Errc::invalid);
  EXPECT_EQ(e.error().detail,
            "axon init: port_offset: at most 60266 (xmpp_server.port is 5269 and ports end at 65535), got 60267");
  p.port_offset = 0;
  p.listen = {"0.0.0.0", "bogus"};
  e = check_init(p);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().detail, "axon init: server.listen[1]: an IPv4 or IPv6 address, got \"bogus\"");
  p.listen = {};
  p.domain = "";
  e = check_init(p);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().detail.find("server.hostname"), std::string::npos);
}

TEST(ConfigRender, MarkdownTables) {
  std::string md = render_markdown();
  EXPECT_EQ(md.rfind("# Configuration\n", 0), 0u);
  for (const auto& s : schema::sections())
    EXPECT_NE(md.find("\n## [" + std::string(s.name) + "]\n"), std::string::npos) << s.name;
  EXPECT_NE(md.find("| `max_message_size` | size, 64K to 4G | `\"50M\"` | restart |"), std::string::npos) << md;
  EXPECT_NE(md.find("| `listen` | array of 1 to 64 strings | `[\"0.0.0.0\", \"::\"]` | restart |"),
            std::string::npos);
}

// docs/configuration.md is generated; refresh it with `cmake --build BUILD --target config_docs`.
TEST(ConfigDocs, RepositoryCopyIsCurrent) {
  std::ifstream in(AXON_CONFIG_DOCS, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << AXON_CONFIG_DOCS;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_TRUE(ss.str() == render_markdown())
      << AXON_CONFIG_DOCS << " is stale: run `cmake --build BUILD --target config_docs`";
}

}  // namespace
}  // namespace axon::config
