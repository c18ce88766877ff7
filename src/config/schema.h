// config::schema — the one table of axon.toml keys (schema.cpp) and the value codecs it needs. load.cpp parses and
// validates with it, render.cpp writes axon.toml and docs/configuration.md from it. Internal to src/config and its
// tests. Security: the codecs see admin-written text from the config file; they check every bound and never
// overflow.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"

namespace axon::config::schema {

enum class Type {
  boolean,
  integer,      // min..max
  size,         // bytes: integer, or a string "50M" (K, M, G: 1024-based); min..max
  duration,     // seconds: integer, or a string "300s", "5m", "1h30m" (s, m, h, d); min..max
  string,       // checked by Key::check when set
  choice,       // one of Key::choices
  string_list,  // min..max entries, each checked by Key::check when set
  path,         // non-empty; relative paths resolve against the config file's folder
  port,         // 1..65535
};

enum class Reload { sighup, restart };

// A key's value, as the parser hands it to a setter and a getter hands it to the renderers. Integers, sizes,
// durations (seconds) and ports are int64_t; strings, choices and paths are std::string.
using Value = std::variant<bool, int64_t, std::string, std::vector<std::string>>;

struct Key {
  std::string_view section;
  std::string_view name;
  Type type = Type::string;
  std::string_view doc;  // one or two sentences, ending with a full stop
  Reload reload = Reload::restart;
  int64_t min = 0, max = 0;               // integer, size, duration, port; string_list: number of entries
  std::vector<std::string_view> choices;  // choice
  bool (*check)(std::string_view) = nullptr;  // string, string_list entries: extra syntax check
  std::string_view check_what;                // what `check` expects, for error messages and docs
  std::function<Value(const Config&)> get;
  std::function<void(Config&, const Value&)> set;
};

struct Section {
  std::string_view name;
  std::string_view doc;
};

// A listener's section; its `enabled` and `port` keys are in keys(). Ports of enabled listeners must differ.
struct ListenerSection {
  std::string_view section;
  Listener Config::*member;
};

const std::vector<Section>& sections();
const std::vector<Key>& keys();  // grouped by section, in sections() order
const std::vector<ListenerSection>& listeners();

inline constexpr std::size_t max_file_bytes = 1u << 20;  // a larger config file is refused before parsing

// Codecs. parse_* return nothing on a syntax error or overflow (range checks are the caller's).
std::optional<int64_t> parse_size(std::string_view s);      // "50M" -> 52428800, "1024" -> 1024
std::optional<int64_t> parse_duration(std::string_view s);  // "5m" -> 300, "1h30m" -> 5400, "20" -> 20
std::string format_size(int64_t bytes);                     // largest exact unit: 52428800 -> "50M", 1000 -> "1000"
std::string format_duration(int64_t seconds);               // largest exact unit: 300 -> "5m", 90 -> "90s"
std::string toml_string(std::string_view s);                // a quoted TOML basic string, escaped
std::string toml_value(const Key& k, const Value& v);       // the value as written in axon.toml
std::string expected(const Key& k);                         // "an integer from 1 to 1024", for error messages
std::string type_name(const Key& k);                        // "integer, 1 to 1024", for the docs

}  // namespace axon::config::schema
