// Reading axon.toml: size check, TOML parsing (toml++, the only file that includes it), then every section and key
// checked against the schema and set on a typed Config; cross-key checks last (duplicate ports, per-IP limit).
// Every error reads "FILE: SECTION.KEY: what was expected, got what". Security: the file is admin-written but
// still untrusted bytes here: bounded to 1 MiB before parsing, toml++ bounds nesting (TOML_MAX_NESTED_VALUES),
// arrays are bounded by the schema, and nothing throws to the caller.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "config/config.h"
#include "config/schema.h"

namespace axon::config {
// toml++ 3.3.0 (Debian 12) calls some parse_* functions without checking their precondition on the current
// character: parse_key() from parse_table_header() on "[=" or "[[[1]]]" (marzer/tomlplusplus#294, fixed upstream by
// PR #301), parse_value() on "[2, }". Each function then reports a clean parse error or misreads one character;
// the reader stays bounds-checked. But those preconditions are asserts in debug builds and __builtin_assume
// (undefined behaviour) in clang release builds. So toml++'s asserts come here, where a failed precondition on the
// current character (`*cp`) is let through and any other assert aborts; and each assume becomes this checked
// assert. The Debian .so is built by gcc, where both are no-ops. Found by fuzz/config.cpp.
[[maybe_unused]] static void toml_assert_failed(const char* expr, const char* file, int line) {
  if (std::strstr(expr, "*cp")) return;
  std::fprintf(stderr, "%s:%d: toml++ assertion failed: %s\n", file, line, expr);
  std::abort();
}
}  // namespace axon::config
#define TOML_ASSERT(expr) ((expr) ? (void)0 : ::axon::config::toml_assert_failed(#expr, __FILE__, __LINE__))
#include <toml++/impl/preprocessor.h>
#undef TOML_ASSERT_ASSUME
#define TOML_ASSERT_ASSUME(expr) TOML_ASSERT(expr)
#include <toml++/toml.h>

namespace axon::config {
namespace {

using schema::Key;
using schema::Type;
using schema::Value;

// At most 64 bytes of `s`, cut at a UTF-8 character boundary.
std::string_view clip(std::string_view s, bool& clipped) {
  clipped = s.size() > 64;
  if (!clipped) return s;
  std::size_t cut = 64;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

// A key as the admin would write it: bare if it can be, else quoted.
std::string key_text(std::string_view k) {
  bool clipped = false;
  std::string_view c = clip(k, clipped);
  bool bare = !k.empty() && k.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
                                std::string_view::npos;
  std::string out = bare ? std::string(c) : schema::toml_string(c);
  return clipped ? out + "..." : out;
}

// A TOML value as it appears in an error message after "got".
std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: {
      bool clipped = false;
      std::string out = schema::toml_string(clip(n.as_string()->get(), clipped));
      return clipped ? out + "..." : out;
    }
    case toml::node_type::integer: return std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: return fmt::format("{} (a float)", n.as_floating_point()->get());
    case toml::node_type::boolean: return n.as_boolean()->get() ? "true" : "false";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return fmt::format("an array of {} entries", n.as_array()->size());
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

// toml++ 3.3.0's is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable() for many code points
// (U+00A1..U+0499 among them), so a non-ASCII character where the parser looks for whitespace is undefined
// behaviour: after a value, key or bracket, and after a backslash in a basic string. Found by fuzz/config.cpp.
// TOML never allows non-ASCII there (TOML 1.0: only in strings and comments), so such text is refused before
// toml++ sees it. Returns the offset of the first such byte, or npos.
std::size_t find_unsafe_byte(std::string_view t) {
  enum { outside, comment, basic, literal, ml_basic, ml_literal } state = outside;
  auto high = [&](std::size_t i) { return i < t.size() && static_cast<unsigned char>(t[i]) >= 0x80; };
  auto run = [&](std::size_t i, char q) {  // length of a run of `q` from i
    std::size_t n = 0;
    while (i + n < t.size() && t[i + n] == q) ++n;
    return n;
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    switch (state) {
      case outside:
        if (c == '#') {
          state = comment;
        } else if (c == '"' || c == '\'') {
          bool multi = run(i, c) >= 3;
          state = c == '"' ? (multi ? ml_basic : basic) : (multi ? ml_literal : literal);
          if (multi) i += 2;
        } else if (high(i)) {
          return i;
        }
        break;
      case comment:
        if (c == '\n') state = outside;
        break;
      case literal:
        if (c == '\'' || c == '\n') state = outside;
        break;
      case basic:
      case ml_basic:
        if (c == '\\') {
          std::size_t j = i + 1;
          while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n')) ++j;
          if (high(i + 1) || (j > i + 1 && high(j))) return high(i + 1) ? i + 1 : j;
          ++i;  // the escaped character
        } else if (state == basic && (c == '"' || c == '\n')) {
          state = outside;
        } else if (state == ml_basic && run(i, '"') >= 3) {
          i += std::min<std::size_t>(run(i, '"'), 5) - 1;  // up to two quotes before the delimiter are content
          state = outside;
        }
        break;
      case ml_literal:
        if (run(i, '\'') >= 3) {
          i += std::min<std::size_t>(run(i, '\''), 5) - 1;
          state = outside;
        }
        break;
    }
  }
  return std::string_view::npos;
}

class Loader {
 public:
  explicit Loader(std::string_view name) : name_(name) {}

  core::Error error(std::string_view where, std::string_view expected, std::string_view got) const {
    return core::make_error(core::Errc::invalid, fmt::format("{}: {}: {}, got {}", name_, where, expected, got));
  }

  // Unknown sections and keys, and sections that are not tables.
  std::optional<core::Error> check_names(const toml::table& doc) const {
    const auto& sections = schema::sections();
    for (auto&& [key_name, node] : doc) {
      const toml::key& name = key_name;  // clang 14 cannot capture a structured binding
      auto section = std::find_if(sections.begin(), sections.end(), [&](auto& s) { return s.name == name.str(); });
      if (section == sections.end()) {
        std::string known;
        for (const auto& s : sections) known += (known.empty() ? "" : ", ") + std::string(s.name);
        return error(key_text(name.str()), fmt::format("a section of axon.toml ({})", known),
                     node.is_table() ? "an unknown section" : describe(node));
      }
      const toml::table* t = node.as_table();
      if (!t) return error(name.str(), fmt::format("a table ([{}])", name.str()), describe(node));
      for (auto&& [key, value] : *t) {
        if (find(name.str(), key.str())) continue;
        std::string known;
        for (const auto& k : schema::keys())
          if (k.section == name.str()) known += (known.empty() ? "" : ", ") + std::string(k.name);
        return error(fmt::format("{}.{}", name.str(), key_text(key.str())),
                     fmt::format("a key of [{}] ({})", name.str(), known), "an unknown key");
      }
    }
    return std::nullopt;
  }

  // One key: type and bounds checked, then set on `c`.
  std::optional<core::Error> read(const Key& k, const toml::node& n, Config& c) const {
    std::string where = fmt::format("{}.{}", k.section, k.name);
    auto bad = [&] { return error(where, schema::expected(k), describe(n)); };
    const std::string* str = n.is_string() ? &n.as_string()->get() : nullptr;
    switch (k.type) {
      case Type::boolean:
        if (!n.is_boolean()) return bad();
        k.set(c, Value{n.as_boolean()->get()});
        return std::nullopt;
      case Type::integer:
      case Type::port: {
        if (!n.is_integer()) return bad();
        int64_t v = n.as_integer()->get();
        if (v < k.min || v > k.max) return bad();
        k.set(c, Value{v});
        return std::nullopt;
      }
      case Type::size:
      case Type::duration: {
        std::optional<int64_t> v;
        if (n.is_integer())
          v = n.as_integer()->get();
        else if (str)
          v = k.type == Type::size ? schema::parse_size(*str) : schema::parse_duration(*str);
        if (!v || *v < k.min || *v > k.max) return bad();
        k.set(c, Value{*v});
        return std::nullopt;
      }
      case Type::string:
        if (!str || (k.check && !k.check(*str))) return bad();
        k.set(c, Value{*str});
        return std::nullopt;
      case Type::choice:
        if (!str || std::find(k.choices.begin(), k.choices.end(), *str) == k.choices.end()) return bad();
        k.set(c, Value{*str});
        return std::nullopt;
      case Type::path: {
        if (!str || str->empty() || str->find('\0') != std::string::npos) return bad();
        k.set(c, Value{*str});  // resolved in load() with the defaults
        return std::nullopt;
      }
      case Type::string_list: {
        const toml::array* a = n.as_array();
        if (!a || a->size() < static_cast<std::size_t>(k.min) || a->size() > static_cast<std::size_t>(k.max))
          return bad();
        std::vector<std::string> list;
        for (std::size_t i = 0; i < a->size(); ++i) {
          const toml::node& e = *a->get(i);
          std::string at = fmt::format("{}[{}]", where, i);
          if (!e.is_string()) return error(at, "a string", describe(e));
          const std::string& s = e.as_string()->get();
          if (k.check && !k.check(s)) return error(at, k.check_what, describe(e));
          if (std::find(list.begin(), list.end(), s) != list.end())
            return error(at, "an entry not listed before", describe(e));
          list.push_back(s);
        }
        k.set(c, Value{std::move(list)});
        return std::nullopt;
      }
    }
    return bad();
  }

  // Checks that involve several keys.
  std::optional<core::Error> cross_check(const Config& c) const {
    if (c.max_connections_per_ip > c.max_connections)
      return error("server.max_connections_per_ip",
                   fmt::format("at most server.max_connections ({})", c.max_connections),
                   std::to_string(c.max_connections_per_ip));
    const auto& ls = schema::listeners();
    for (std::size_t i = 0; i < ls.size(); ++i) {
      const Listener& a = c.*ls[i].member;
      if (!a.enabled) continue;
      for (std::size_t j = 0; j < i; ++j) {
        const Listener& b = c.*ls[j].member;
        if (b.enabled && b.port == a.port)
          return error(fmt::format("{}.port", ls[i].section),
                       fmt::format("a port that no other enabled listener uses (like {}.port)", ls[j].section),
                       std::to_string(a.port));
      }
    }
    return std::nullopt;
  }

 private:
  static const Key* find(std::string_view section, std::string_view name) {
    for (const auto& k : schema::keys())
      if (k.section == section && k.name == name) return &k;
    return nullptr;
  }

  std::string_view name_;
};

core::Result<Config> load(std::string_view text, std::string_view name, const std::filesystem::path& base_dir) {
  if (text.size() > schema::max_file_bytes)
    return core::make_error(core::Errc::invalid,
                            fmt::format("{}: a config file of at most 1 MiB, got {} bytes", name, text.size()));
  if (auto at = find_unsafe_byte(text); at != std::string_view::npos) {
    std::size_t line = 1 + std::count(text.begin(), text.begin() + at, '\n');
    std::size_t column = at - (text.rfind('\n', at) == std::string_view::npos ? 0 : text.rfind('\n', at) + 1) + 1;
    return core::make_error(core::Errc::invalid,
                            fmt::format("{}:{}:{}: TOML syntax: a non-ASCII character outside a string or comment, "
                                        "or after a backslash",
                                        name, line, column));
  }
  toml::table doc;
  try {
    doc = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    return core::make_error(core::Errc::invalid, fmt::format("{}:{}:{}: TOML syntax: {}", name, e.source().begin.line,
                                                             e.source().begin.column, e.description()));
  }
  Loader loader(name);
  if (auto e = loader.check_names(doc)) return *e;
  Config c;
  c.file = std::filesystem::path(name);
  for (const auto& k : schema::keys()) {
    const toml::node* n = doc.get(k.section) && doc.get(k.section)->is_table()
                              ? doc.get(k.section)->as_table()->get(k.name)
                              : nullptr;
    if (n)
      if (auto e = loader.read(k, *n, c)) return *e;
    if (k.type == Type::path) {  // relative paths, defaults included, are relative to the config file's folder
      std::filesystem::path p(std::get<std::string>(k.get(c)));
      if (p.is_relative() && !base_dir.empty()) p = base_dir / p;
      k.set(c, Value{p.lexically_normal().string()});
    }
  }
  if (auto e = loader.cross_check(c)) return *e;
  return c;
}

}  // namespace

core::Result<Config> load_string(std::string_view text, std::string_view name, const std::filesystem::path& base_dir) {
  try {
    return load(text, name, base_dir);
  } catch (const std::exception& e) {  // bad_alloc and the like: never thrown to the caller
    return core::make_error(core::Errc::temporary, fmt::format("{}: cannot load: {}", name, e.what()));
  }
}

core::Result<Config> load_file(const std::filesystem::path& file) {
  std::string name = file.string();
  try {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(file, ec);
    if (ec) abs = file;
    if (std::filesystem::is_directory(abs, ec))
      return core::make_error(core::Errc::not_found, fmt::format("{}: cannot read: is a directory", name));
    std::ifstream in(abs, std::ios::binary);
    if (!in) return core::make_error(core::Errc::not_found, fmt::format("{}: cannot read: {}", name, std::strerror(errno)));
    std::string text(schema::max_file_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return core::make_error(core::Errc::not_found, fmt::format("{}: cannot read: {}", name, std::strerror(errno)));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > schema::max_file_bytes)
      return core::make_error(core::Errc::invalid, fmt::format("{}: a config file of at most 1 MiB, got more", name));
    auto r = load_string(text, name, abs.parent_path());
    if (r) r->file = abs;
    return r;
  } catch (const std::exception& e) {
    return core::make_error(core::Errc::temporary, fmt::format("{}: cannot load: {}", name, e.what()));
  }
}

}  // namespace axon::config
