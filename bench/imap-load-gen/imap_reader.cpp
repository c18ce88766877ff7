// bench::ResponseReader: response classification and the literal marker at the end of a line (RFC 3501 §4.3,
// §7; RFC 7888 for the "{n+}" form, which servers do not send but which costs nothing to accept).
// Security: as imap_reader.h: the benchmark's own server's bytes; sizes are bounded before use.
#include "imap_reader.h"

#include <cctype>

namespace bench {

namespace {
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

ResponseReader::LiteralEnd ResponseReader::literal_at_end(std::string_view line, std::size_t* size) {
  if (line.empty() || line.back() != '}') return LiteralEnd::none;
  std::size_t end = line.size() - 1;
  if (end > 0 && line[end - 1] == '+') --end;
  std::size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(line[begin - 1]))) --begin;
  if (begin == end || begin == 0 || line[begin - 1] != '{') return LiteralEnd::none;
  if (end - begin > 12) return LiteralEnd::bad;
  std::size_t n = 0;
  for (std::size_t i = begin; i < end; ++i) n = n * 10 + static_cast<std::size_t>(line[i] - '0');
  if (n > kMaxLiteral) return LiteralEnd::bad;
  *size = n;
  return LiteralEnd::literal;
}

bool ResponseReader::finish(std::string* error) {
  std::string_view t = cur_.text;
  if (t.starts_with("+")) {
    cur_.kind = Response::Kind::continuation;
    return true;
  }
  if (t.starts_with("* ")) {
    cur_.kind = Response::Kind::untagged;
    std::string_view rest = t.substr(2);
    if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest[0]))) {
      std::size_t i = 0;
      std::uint64_t n = 0;
      while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])) && i < 11)
        n = n * 10 + static_cast<std::uint64_t>(rest[i++] - '0');
      if (n > 0xffffffffu || i >= rest.size() || rest[i] != ' ') {
        *error = "bad untagged response: " + std::string(t.substr(0, 200));
        return false;
      }
      cur_.number = static_cast<std::uint32_t>(n);
      rest.remove_prefix(i + 1);
    }
    cur_.word = upper(rest.substr(0, rest.find(' ')));
    return true;
  }
  const std::size_t sp = t.find(' ');
  if (sp == 0 || sp == std::string_view::npos) {
    *error = "bad response line: " + std::string(t.substr(0, 200));
    return false;
  }
  cur_.kind = Response::Kind::tagged;
  cur_.tag = t.substr(0, sp);
  std::string_view rest = t.substr(sp + 1);
  cur_.status = upper(rest.substr(0, rest.find(' ')));
  return true;
}

long long number_after(std::string_view text, std::string_view name) {
  for (std::size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    const bool starts_word = at == 0 || text[at - 1] == ' ' || text[at - 1] == '(';
    std::size_t i = at + name.size();
    if (!starts_word || i >= text.size() || text[i] != ' ') continue;
    ++i;
    if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) continue;
    long long n = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && n < (1LL << 50); ++i)
      n = n * 10 + (text[i] - '0');
    return n;
  }
  return -1;
}

std::string capabilities_in(std::string_view text) {
  std::string_view list;
  if (const std::size_t at = text.find("[CAPABILITY "); at != std::string_view::npos) {
    list = text.substr(at + 12);
    list = list.substr(0, list.find(']'));
  } else if (text.starts_with("* CAPABILITY ")) {
    list = text.substr(13);
  } else {
    return {};
  }
  std::string out = " ";
  for (char c : list) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out += ' ';
  return out;
}

}  // namespace bench
