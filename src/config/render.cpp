// Writing from the schema: the commented axon.toml of `axon init` (render_toml, checked by check_init) and
// docs/configuration.md (render_markdown). Security: InitParams come from the admin's command line; they are
// written as escaped TOML strings, and the domain in the header comment has control characters replaced, so
// no parameter can add a line to the file.
#include <fmt/format.h>

#include <algorithm>

#include "config/config.h"
#include "config/schema.h"

namespace axon::config {
namespace {

using schema::Key;

constexpr std::size_t kWidth = 100;

// `text` as "# " comment lines of at most kWidth columns (a longer word gets its own line).
std::string comment(std::string_view text) {
  std::string out, line = "#";
  while (!text.empty()) {
    auto sp = text.find(' ');
    std::string_view word = text.substr(0, sp);
    text = sp == std::string_view::npos ? std::string_view() : text.substr(sp + 1);
    if (line.size() > 1 && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line = "#";
    }
    line += " ";
    line += word;
  }
  return out + line + "\n";
}

std::string printable(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

std::string_view reload_text(const Key& k) { return k.reload == schema::Reload::sighup ? "SIGHUP" : "restart"; }

// A Markdown table cell: pipes escaped, no line breaks.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

constexpr std::string_view rules =
    "Every key has a default; a key left out takes it. Unknown sections and keys are errors, so that a typo "
    "cannot pass silently, and so is a value out of range: nothing is clamped. Sizes are bytes, or strings with "
    "K, M or G (1024-based) such as \"50M\". Durations are seconds, or strings with s, m, h or d such as \"5m\" "
    "or \"1h30m\". Relative paths are relative to the folder of the config file. Keys marked SIGHUP take effect "
    "for new connections on `kill -HUP`; the others need a restart.";

}  // namespace

std::string render_toml(const InitParams& p) {
  Config c;
  c.hostname = p.hostname.empty() ? "mail." + p.domain : p.hostname;
  if (!p.listen.empty()) c.listen = p.listen;
  for (const auto& l : schema::listeners()) (c.*l.member).enabled = true;
  const Config standard;

  std::string out = comment(fmt::format("axon.toml: configuration of the Axon mail and XMPP server{}, written by "
                                        "`axon init`. docs/configuration.md (or `axon config docs`) lists every "
                                        "key.",
                                        p.domain.empty() ? "" : " for " + printable(p.domain)));
  out += "#\n" + comment(rules);
  for (const auto& s : schema::sections()) {
    out += "\n" + comment(s.doc) + fmt::format("[{}]\n", s.name);
    for (const auto& k : schema::keys()) {
      if (k.section != s.name) continue;
      std::string value;
      if (k.type == schema::Type::port)  // written even past 65535, so that a bad offset cannot pass
        value = std::to_string(std::get<int64_t>(k.get(standard)) + p.port_offset);
      else
        value = schema::toml_value(k, k.get(c));
      out += "\n" + comment(k.doc) + fmt::format("# reload: {}; type: {}\n{} = {}\n", reload_text(k),
                                                 schema::type_name(k), k.name, value);
    }
  }
  return out;
}

core::Result<void> check_init(const InitParams& p) {
  const Config standard;
  for (const auto& l : schema::listeners()) {
    int64_t port = (standard.*l.member).port;
    if (port + p.port_offset > 65535)
      return core::make_error(core::Errc::invalid,
                              fmt::format("axon init: port_offset: at most {} ({}.port is {} and ports end at "
                                          "65535), got {}",
                                          65535 - port, l.section, port, p.port_offset));
  }
  auto r = load_string(render_toml(p), "axon init", {});
  if (!r) return r.error();
  return {};
}

std::string render_markdown() {
  const Config defaults;
  std::string out =
      "# Configuration\n\n"
      "<!-- Generated from src/config/schema.cpp by `axon config docs` (build target config_docs); do not edit. "
      "-->\n\n"
      "Axon reads one TOML file, `axon.toml`. `axon init` writes it with every key below, its documentation and "
      "the values chosen at init (host name, listen addresses, ports with `--port-offset`).\n\n";
  out += std::string(rules) + "\n";
  for (const auto& s : schema::sections()) {
    out += fmt::format("\n## [{}]\n\n{}\n\n", s.name, s.doc);
    out += "| Key | Type | Default | Reload | Description |\n|---|---|---|---|---|\n";
    for (const auto& k : schema::keys()) {
      if (k.section != s.name) continue;
      out += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", k.name, cell(schema::type_name(k)),
                         cell(schema::toml_value(k, k.get(defaults))), reload_text(k), cell(k.doc));
    }
  }
  return out;
}

}  // namespace axon::config
