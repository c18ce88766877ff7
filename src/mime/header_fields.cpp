// MIME structured header fields; see header_fields.h. RFC 2045 §5.1 (Content-Type), §6.1 (Content-Transfer-
// Encoding), RFC 2231 §3-4 (parameter continuations and charsets), RFC 2183 (Content-Disposition), RFC 3282
// (Content-Language). Security: untrusted header text; bounded by the caller.
#include "mime/header_fields.h"

#include <algorithm>
#include <cstdint>

#include "mime/lexer.h"

namespace axon::mime {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower_str(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

// One "; attribute=value" (RFC 2045 §5.1). <0 broken, 0 nothing more, >0 got one.
int next_param(Lexer& lx, std::string& key, std::string& value) {
  key.clear();
  value.clear();
  if (lx.at_end()) return 0;
  if (lx.peek() != ';') return -1;
  lx.skip();
  if (lx.skip_cfws() <= 0) return -1;
  if (lx.mime_token(key) <= 0 || key.empty()) return -1;
  if (lx.peek() != '=') return -1;
  lx.skip();
  int r = lx.skip_cfws();
  if (r <= 0) {
    // "name=" and nothing: an empty value
  } else if (lx.peek() == '"') {
    r = lx.quoted_string(value);
  } else if (lx.peek() == '=') {
    // Broken but common: name==?utf-8?b?...?= (an encoded word where a token belongs). Up to ';' or space.
    const char* start = lx.pos();
    while (!lx.at_end() && lx.peek() != ';' && lx.peek() != ' ' && lx.peek() != '\t' && lx.peek() != '\r' &&
           lx.peek() != '\n')
      lx.skip();
    value.assign(start, lx.pos());
  } else {
    r = lx.mime_token(value);
  }
  return r < 0 ? -1 : 1;
}

struct Piece {
  std::string key;  // lower-cased name without the "*n*" suffix
  std::string name; // as given, for the merged name
  std::string value;
  uint32_t index = 0;
  bool extended = false;
};

// "name*", "name*3", "name*3*": an RFC 2231 piece. False for anything else ("a*b" is a plain name).
bool rfc2231_piece(const std::string& key, Piece& piece) {
  std::size_t star = key.find('*');
  if (star == std::string::npos || star == 0) return false;
  std::size_t i = star + 1;
  uint64_t index = 0;
  bool digits = false;
  while (i < key.size() && key[i] >= '0' && key[i] <= '9') {
    index = index * 10 + static_cast<unsigned>(key[i] - '0');
    if (index > 100000) return false;
    digits = true;
    ++i;
  }
  bool extended = false;
  if (i == key.size() && !digits) {
    extended = true;  // "name*": one extended value
  } else if (i < key.size() && key[i] == '*') {
    extended = true;
    ++i;
  }
  if (i != key.size()) return false;
  piece.name = key.substr(0, star);
  piece.key = lower_str(piece.name);
  piece.index = static_cast<uint32_t>(index);
  piece.extended = extended;
  return true;
}

void escape_percent(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else
      out.push_back(c);
  }
}

// RFC 2231 §3-4: pieces of one name numbered 0..n-1 are joined; an extended value keeps its charset'lang' prefix
// and %XX escapes, so unescaped pieces are escaped to match and the merged name ends in "*". Names whose numbers
// have gaps are kept piece by piece ("name*1", "name*3*").
void merge_pieces(std::vector<Piece>& pieces, std::vector<Param>& out) {
  std::stable_sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
    return a.key != b.key ? a.key < b.key : a.index < b.index;
  });
  for (std::size_t i = 0, next; i < pieces.size(); i = next) {
    bool contiguous = true, any_extended = false;
    uint32_t want = 0;
    for (next = i; next < pieces.size() && pieces[next].key == pieces[i].key; ++next) {
      if (pieces[next].index != want) contiguous = false;
      if (pieces[next].extended) any_extended = true;
      ++want;
    }
    if (!contiguous) {
      for (std::size_t j = i; j < next; ++j) {
        std::string name = pieces[j].name + "*" + std::to_string(pieces[j].index);
        if (pieces[j].extended) name += "*";
        out.push_back({std::move(name), std::move(pieces[j].value)});
      }
      continue;
    }
    std::string value;
    if (any_extended && !pieces[i].extended) value = "''";
    for (std::size_t j = i; j < next; ++j) {
      if (any_extended && !pieces[j].extended)
        escape_percent(value, pieces[j].value);
      else
        value += pieces[j].value;
    }
    out.push_back({pieces[i].name + (any_extended ? "*" : ""), std::move(value)});
  }
}

std::vector<Param> params_from(Lexer& lx) {
  std::vector<Param> out;
  std::vector<Piece> pieces;
  std::string key, value;
  while (true) {
    int r = next_param(lx, key, value);
    if (r == 0) break;
    if (r < 0) {
      // Broken parameter: skip one character and try again (up to the next ';').
      if (lx.at_end()) break;
      lx.skip();
      continue;
    }
    Piece piece;
    if (rfc2231_piece(key, piece)) {
      piece.value = value;
      pieces.push_back(std::move(piece));
    } else {
      out.push_back({key, value});
    }
  }
  if (!pieces.empty()) merge_pieces(pieces, out);
  return out;
}

}  // namespace

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::vector<Param> parse_params(std::string_view rest) {
  Lexer lx(rest);
  lx.skip_cfws();
  return params_from(lx);
}

std::optional<ContentType> parse_content_type(std::string_view value) {
  Lexer lx(value);
  if (lx.skip_cfws() <= 0) return std::nullopt;
  ContentType ct;
  if (lx.mime_token(ct.type) <= 0 || ct.type.empty()) return std::nullopt;
  if (lx.peek() != '/') return std::nullopt;
  lx.skip();
  if (lx.skip_cfws() <= 0) return std::nullopt;
  int r = lx.mime_token(ct.subtype);
  if (r < 0 || ct.subtype.empty()) return std::nullopt;
  if (r > 0) ct.params = params_from(lx);
  return ct;
}

std::optional<Disposition> parse_content_disposition(std::string_view value) {
  Lexer lx(value);
  if (lx.skip_cfws() <= 0) return std::nullopt;
  Disposition d;
  int r = lx.mime_token(d.value);
  if (r < 0 || d.value.empty()) return std::nullopt;
  if (r > 0) d.params = params_from(lx);
  return d;
}

std::optional<std::string> parse_transfer_encoding(std::string_view value) {
  Lexer lx(value);
  if (lx.skip_cfws() <= 0) return std::nullopt;
  std::string token;
  if (lx.mime_token(token) < 0 || token.empty()) return std::nullopt;
  if (!lx.at_end()) return std::nullopt;  // anything after the mechanism (CFWS was skipped)
  return token;
}

std::vector<std::string> parse_content_language(std::string_view value) {
  // Content-Language: 1#Language-tag (RFC 3282 §2); tags are atoms here ("en-US").
  std::vector<std::string> out;
  Lexer lx(value);
  lx.skip_cfws();
  while (true) {
    std::string tag;
    if (lx.atom(tag) < 0) break;
    out.push_back(std::move(tag));
    if (lx.at_end() || lx.peek() != ',') break;
    lx.skip();
    lx.skip_cfws();
  }
  return out;
}

const Param* find_param(const std::vector<Param>& params, std::string_view name) {
  for (const auto& p : params)
    if (iequals_ascii(p.name, name)) return &p;
  return nullptr;
}

FieldSplit split_field(std::string_view line) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {line, std::nullopt};
  std::size_t n = colon;
  while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t')) --n;
  return {line.substr(0, n), line.substr(colon + 1)};
}

std::string_view trim_value_start(std::string_view v) {
  std::size_t i = 0;
  while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
  if (i == v.size() && !v.empty()) i = 1;  // only white space: skip just the first one
  return v.substr(i);
}

}  // namespace axon::mime
