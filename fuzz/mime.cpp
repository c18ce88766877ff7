// Fuzzes the MIME module end to end. A message is parsed whole and in pseudo-random pieces (the Summaries must be
// equal and keep the parser's invariants, also under small limits); BODY, BODYSTRUCTURE and ENVELOPE must be
// well-formed IMAP (balanced lists, quoted strings without CR/LF/8-bit, literals of the stated length, no NUL);
// the Summary must survive serialize/deserialize; every section the tree has must lie inside the message; the
// decoders run over headers and bodies. Arbitrary octets also go to deserialize(), whose successes must render
// and round-trip too.
// Layout: byte 0 = mode and limits (bit 0: deserialize the rest; bit 1: small limits), byte 1 = split seed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mime/address.h"
#include "mime/base_subject.h"
#include "mime/body_decoder.h"
#include "mime/encoded_word.h"
#include "mime/parser.h"
#include "mime/render.h"
#include "mime/section.h"
#include "mime/serialize.h"
#include "mime/text_decoder.h"

using namespace axon::mime;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// A tokenizer for what FETCH sends: NIL, numbers, quoted strings, literals and parenthesized lists.
void check_imap(std::string_view s) {
  int depth = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '(') {
      ++depth;
      ++i;
    } else if (c == ')') {
      check(--depth >= 0);
      ++i;
    } else if (c == ' ') {
      ++i;
    } else if (c == '"') {
      for (++i;; ++i) {
        check(i < s.size());
        const auto u = static_cast<unsigned char>(s[i]);
        check(u != '\r' && u != '\n' && u != 0 && u < 0x80);
        if (s[i] == '\\') {
          check(i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\'));
          ++i;
        } else if (s[i] == '"') {
          ++i;
          break;
        }
      }
    } else if (c == '{') {
      const std::size_t close = s.find("}\r\n", i);
      check(close != std::string_view::npos && close > i + 1);
      std::size_t n = 0;
      for (std::size_t k = i + 1; k < close; ++k) {
        check(s[k] >= '0' && s[k] <= '9');
        n = n * 10 + static_cast<std::size_t>(s[k] - '0');
        check(n <= s.size());
      }
      i = close + 3;
      check(n <= s.size() - i);
      check(s.substr(i, n).find('\0') == std::string_view::npos);
      i += n;
    } else if (s.compare(i, 3, "NIL") == 0) {
      i += 3;
    } else {
      check(c >= '0' && c <= '9');
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    }
  }
  check(depth == 0);
}

void check_part(const Part& p, uint64_t from, uint64_t limit) {
  check(from <= p.header_start && p.header_start <= p.body_start && p.body_start <= p.body_end &&
        p.body_end <= limit && p.body_lines <= p.body_size());
  if (p.kind == PartKind::leaf) check(p.children.empty());
  if (p.kind == PartKind::message)
    check(p.children.size() == 1 && p.children[0].header_start == p.body_start &&
          p.children[0].body_end == p.body_end);
  uint64_t prev = p.body_start;
  for (const auto& c : p.children) {
    check_part(c, prev, p.body_end);
    prev = c.body_end;
  }
}

// Every section of every part, and some that do not exist: ranges stay inside the message.
void check_sections(const Summary& s, const Part& p, std::vector<uint32_t>& path, std::string_view msg) {
  using Kind = SectionSpec::Kind;
  for (Kind k : {Kind::full, Kind::header, Kind::header_fields, Kind::text, Kind::mime}) {
    SectionSpec spec{path, k, {"subject"}};
    if (auto r = section_range(s, spec)) {
      check(r->offset <= s.size && r->length <= s.size - r->offset);
      if (!msg.empty() && k == Kind::header_fields && r->length < 4096)
        (void)filter_header_fields(msg.substr(r->offset, r->length), spec.fields, path.size() % 2 == 1);
    }
  }
  const std::size_t n = p.kind == PartKind::multipart ? p.children.size() : 1;
  if (path.size() > 40) return;
  for (uint32_t i = 1; i <= n + 1; ++i) {
    path.push_back(i);
    const Part* child = find_part(s, path);
    if (child != nullptr && child != &p) check_sections(s, *child, path, msg);
    path.pop_back();
  }
}

void exercise(const Summary& s, std::string_view msg) {
  check_part(s.root, 0, s.size);
  check(s.root.header_start == 0 && s.root.body_end == s.size);
  check_imap(imap_body(s, false));
  check_imap(imap_body(s, true));
  check_imap(imap_body(s, true, true));
  check_imap(imap_envelope(s));
  auto back = deserialize(serialize(s));
  check(back.ok() && *back == s);
  std::vector<uint32_t> path;
  check_sections(s, s.root, path, msg);
  if (s.root.envelope) {
    const Envelope& e = *s.root.envelope;
    if (e.subject) (void)base_subject(*e.subject);
    if (e.from) (void)display_sort_key(*e.from);
    if (e.to) (void)first_address(*e.to);
  }
}

// Decoding each leaf's body: in one piece and in two must agree.
void decode_leaves(const Part& p, std::string_view msg) {
  for (const auto& c : p.children) decode_leaves(c, msg);
  if (p.kind != PartKind::leaf || p.body_end > msg.size()) return;
  const std::string_view body = msg.substr(p.body_start, p.body_size());
  TextDecoder a(p), b(p);
  std::string one, two;
  a.feed(body, one);
  a.finish(one);
  b.feed(body.substr(0, body.size() / 2), two);
  b.feed(body.substr(body.size() / 2), two);
  b.finish(two);
  check(one == two && a.error() == b.error());
  (void)param_utf8(p.params, "name");
  (void)param_utf8(p.disposition_params, "filename");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  uint32_t seed = data[1] | 1u;
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  if (flags & 1) {
    auto r = deserialize(in);
    if (r.ok()) exercise(*r, {});
    return 0;
  }

  Limits limits;
  if (flags & 2) {
    limits.max_depth = 1 + (flags >> 2) % 4;
    limits.max_parts = 1 + (flags >> 4) % 6;
    limits.max_header_bytes = 16 + (flags >> 5) * 8;
    limits.max_total_header_bytes = 64 + (flags >> 2) * 16;
    limits.max_boundary = 1 + (flags >> 3) % 8;
  }
  Parser whole(limits);
  whole.feed(in);
  const Summary s = whole.finish();
  check(s.size == in.size());

  Parser split(limits);
  std::size_t pos = 0;
  while (pos < in.size()) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(in.size() - pos, 1 + (seed >> 16) % 9);
    split.feed(in.substr(pos, n));
    pos += n;
  }
  check(split.finish() == s);

  exercise(s, in);
  decode_leaves(s.root, in);
  (void)decode_header(in.substr(0, 2000));
  return 0;
}
