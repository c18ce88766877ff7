// Value codecs of the config schema: sizes ("50M"), durations ("5m", "1h30m"), TOML string quoting, and the
// wording of types in error messages and docs. Security: parses admin-written text from the config file; every
// number is checked for overflow.
#include <fmt/format.h>

#include <limits>

#include "config/schema.h"

namespace axon::config::schema {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// Digits at the front of `s`, consumed; nothing if there are none or they overflow int64_t.
std::optional<int64_t> take_number(std::string_view& s) {
  std::size_t i = 0;
  int64_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    int d = s[i] - '0';
    if (n > (kMax - d) / 10) return std::nullopt;
    n = n * 10 + d;
    ++i;
  }
  if (i == 0) return std::nullopt;
  s.remove_prefix(i);
  return n;
}

std::optional<int64_t> times(int64_t n, int64_t unit) {
  if (n > kMax / unit) return std::nullopt;
  return n * unit;
}

struct Unit {
  char c;
  int64_t n;
};

template <std::size_t N>
std::string format_units(int64_t v, const Unit (&units)[N], std::string_view none) {
  for (const auto& u : units)
    if (v > 0 && v % u.n == 0) return fmt::format("{}{}", v / u.n, u.c);
  return fmt::format("{}{}", v, none);
}

constexpr Unit size_units[] = {{'G', 1 << 30}, {'M', 1 << 20}, {'K', 1 << 10}};
constexpr Unit duration_units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

}  // namespace

std::optional<int64_t> parse_size(std::string_view s) {
  auto n = take_number(s);
  if (!n) return std::nullopt;
  if (s.empty()) return n;
  if (s.size() != 1) return std::nullopt;
  switch (s[0]) {
    case 'K': case 'k': return times(*n, 1 << 10);
    case 'M': case 'm': return times(*n, 1 << 20);
    case 'G': case 'g': return times(*n, 1 << 30);
    default: return std::nullopt;
  }
}

std::optional<int64_t> parse_duration(std::string_view s) {
  {
    std::string_view t = s;
    auto n = take_number(t);
    if (n && t.empty()) return n;  // bare seconds
  }
  if (s.empty()) return std::nullopt;
  int64_t total = 0;
  while (!s.empty()) {
    auto n = take_number(s);
    if (!n || s.empty()) return std::nullopt;
    int64_t unit = 0;
    switch (s[0]) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return std::nullopt;
    }
    s.remove_prefix(1);
    auto part = times(*n, unit);
    if (!part || *part > kMax - total) return std::nullopt;
    total += *part;
  }
  return total;
}

std::string format_size(int64_t bytes) { return format_units(bytes, size_units, ""); }

std::string format_duration(int64_t seconds) { return format_units(seconds, duration_units, "s"); }

std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04X}", c);
        else
          out += ch;
    }
  }
  out += '"';
  return out;
}

std::string toml_value(const Key& k, const Value& v) {
  if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto s = std::get_if<std::string>(&v)) return toml_string(*s);
  if (auto l = std::get_if<std::vector<std::string>>(&v)) {
    std::string out = "[";
    for (std::size_t i = 0; i < l->size(); ++i) out += (i ? ", " : "") + toml_string((*l)[i]);
    return out + "]";
  }
  int64_t n = std::get<int64_t>(v);
  if (k.type == Type::duration) return toml_string(format_duration(n));
  if (k.type == Type::size && n > 0 && n % 1024 == 0) return toml_string(format_size(n));
  return std::to_string(n);
}

std::string expected(const Key& k) {
  switch (k.type) {
    case Type::boolean: return "true or false";
    case Type::integer: return fmt::format("an integer from {} to {}", k.min, k.max);
    case Type::port: return fmt::format("a port number from {} to {}", k.min, k.max);
    case Type::size:
      return fmt::format("a size from {} to {} (bytes, or a string such as \"50M\" with K, M or G)",
                         format_size(k.min), format_size(k.max));
    case Type::duration:
      return fmt::format("a duration from {} to {} (seconds, or a string such as \"5m\" with s, m, h or d)",
                         format_duration(k.min), format_duration(k.max));
    case Type::string: return k.check_what.empty() ? std::string("a string") : std::string(k.check_what);
    case Type::choice: {
      std::string out = k.choices.size() == 2 ? "" : "one of ";
      for (std::size_t i = 0; i < k.choices.size(); ++i) {
        if (i) out += (k.choices.size() == 2 ? " or " : ", ");
        out += toml_string(k.choices[i]);
      }
      return out;
    }
    case Type::string_list: return fmt::format("an array of {} to {} strings", k.min, k.max);
    case Type::path: return "a non-empty path string";
  }
  return "a value";
}

std::string type_name(const Key& k) {
  switch (k.type) {
    case Type::boolean: return "boolean";
    case Type::integer: return fmt::format("integer, {} to {}", k.min, k.max);
    case Type::port: return "port";
    case Type::size: return fmt::format("size, {} to {}", format_size(k.min), format_size(k.max));
    case Type::duration: return fmt::format("duration, {} to {}", format_duration(k.min), format_duration(k.max));
    case Type::string: return "string";
    case Type::choice: return expected(k);
    case Type::string_list: return fmt::format("array of {} to {} strings", k.min, k.max);
    case Type::path: return "path";
  }
  return "value";
}

}  // namespace axon::config::schema
