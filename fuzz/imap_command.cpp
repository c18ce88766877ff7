// Fuzzes the IMAP syntax layer (imap/framer.h, imap/parser.h) as a session drives it: the input is framed whole
// and again in pseudo-random pieces, and both runs must report the same frames and parse to the same commands.
// Invariants: the framer never keeps more than its limits allow and hands out exactly the announced literal
// octets; a refused command leaves the stream usable unless the refusal is fatal; parse results hold their
// limits; mailbox names, sequence sets and dates survive a round trip through the formatting helpers.
// Layout: byte 0 = flags (bit0 UTF8=ACCEPT, bit1 LITERAL- only, bit2 small limits, bit3 refuse some literals),
// byte 1 = split seed, then the client's octets. Untrusted input from unauthenticated peers.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "imap/datetime.h"
#include "imap/format.h"
#include "imap/framer.h"
#include "imap/mailbox_name.h"
#include "imap/mutf7.h"
#include "imap/parser.h"
#include "imap/seqset.h"

using namespace axon::imap;

namespace {

// An invariant; a failure names the line, so a crash report says which one broke.
#define check(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "imap_command.cpp:%d: %s\n", __LINE__, #cond);    \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

struct Run {
  std::vector<std::string> frames;  // kind + payload, literal data merged per literal
  std::vector<Parsed> parsed;
};

void check_set(const SequenceSet& s, const ParseOptions& opt) {
  check(s.elements().size() <= opt.max_ranges);
  for (uint32_t max : {0u, 1u, 7u, 4294967295u}) {
    std::vector<Range> r = s.resolve(max);
    for (std::size_t i = 0; i < r.size(); ++i) {
      check(r[i].first >= 1 && r[i].first <= r[i].last && r[i].last <= max);
      if (i) check(static_cast<uint64_t>(r[i - 1].last) + 1 < r[i].first);  // sorted, merged
    }
    // The compact form parses back to the same set.
    if (!r.empty()) {
      auto back = SequenceSet::parse(format_ranges(r), r.size());
      check(back.ok() && back->resolve(max) == r);
    }
  }
}

void check_mailbox(const std::string& name, bool utf8) {
  // A decoded name encodes and decodes back to itself.
  auto back = decode_mailbox_name(encode_mailbox_name(name, utf8), utf8);
  check(back && *back == name);
}

void check_keys(const std::vector<SearchKey>& keys, const ParseOptions& opt, std::size_t depth) {
  check(depth <= opt.max_depth + 1);
  for (const SearchKey& k : keys) {
    if (k.kind == SearchKey::Kind::uid || k.kind == SearchKey::Kind::sequence_set) check_set(k.set, opt);
    if (k.kind == SearchKey::Kind::not_) check(k.children.size() == 1);
    if (k.kind == SearchKey::Kind::or_) check(k.children.size() == 2);
    check_keys(k.children, opt, depth + 1);
  }
}

void check_command(const Command& c, const ParseOptions& opt, std::size_t streamed) {
  check(!c.tag.empty());
  if (const auto* f = std::get_if<Fetch>(&c.args)) {
    check(!f->items.empty() && f->items.size() <= opt.max_fetch_items);
    check_set(f->set, opt);
    for (const FetchItem& i : f->items) {
      if (i.partial) check(i.partial->length > 0);
      if (i.section.kind == Section::Kind::mime) check(!i.section.part.empty());
      (void)section_spec(i.section);
    }
  } else if (const auto* s = std::get_if<Store>(&c.args)) {
    check_set(s->set, opt);
  } else if (const auto* s = std::get_if<Search>(&c.args)) {
    check(!s->keys.empty());
    check_keys(s->keys, opt, 0);
  } else if (const auto* a = std::get_if<Append>(&c.args)) {
    check(!a->messages.empty());
    check_mailbox(a->mailbox, opt.utf8);
    for (const AppendMessage& m : a->messages) {
      check(!m.parts.empty());
      for (const AppendPart& p : m.parts)
        if (p.kind == AppendPart::Kind::text) check(p.stream_index < streamed);
      if (m.internal_date) {
        auto back = parse_date_time(format_date_time(m.internal_date->unix_seconds, m.internal_date->zone_minutes));
        check(back && *back == *m.internal_date);
      }
    }
  } else if (const auto* s = std::get_if<Select>(&c.args)) {
    check_mailbox(s->mailbox, opt.utf8);
  } else if (const auto* l = std::get_if<List>(&c.args)) {
    check(!l->patterns.empty());
    for (const auto& p : l->patterns) check_mailbox(p, opt.utf8);
  } else if (const auto* cp = std::get_if<Copy>(&c.args)) {
    check_set(cp->set, opt);
    check_mailbox(cp->mailbox, opt.utf8);
  }
}

Run run(std::string_view in, uint8_t flags, uint32_t seed, const FramerLimits& limits, const ParseOptions& opt) {
  Run out;
  Framer f(limits);
  std::string data;          // the current literal's octets
  std::size_t streamed = 0;  // streamed literals of the current command
  uint64_t expect = 0;
  bool closed = false;
  while (!in.empty() && !closed) {
    std::size_t n = in.size();
    if (seed != 0) {
      seed = seed * 1103515245u + 12345u;
      n = std::min<std::size_t>(n, 1 + (seed >> 16) % 9);
    }
    std::string_view piece = in.substr(0, n);
    in.remove_prefix(n);
    while (true) {
      const std::size_t before = piece.size();
      Frame fr = f.next(piece);
      check(piece.size() <= before);
      check(f.command().text.size() <= limits.max_command + 1);
      if (fr.kind == FrameKind::need_more) {
        check(piece.empty());
        break;
      }
      std::string rec(1, static_cast<char>('a' + static_cast<int>(fr.kind)));
      switch (fr.kind) {
        case FrameKind::need_more: break;
        case FrameKind::command: {
          out.parsed.push_back(parse_command(f.command(), opt));
          const Parsed& p = out.parsed.back();
          if (p.ok()) {
            check_command(*p, opt, streamed);
            if (p->name == CommandName::idle) f.expect_idle();
            if (p->name == CommandName::authenticate && !std::get<Authenticate>(p->args).initial_response)
              f.expect_auth_line();
          } else {
            check(!p.error().reason.empty());
          }
          rec += f.command().text;
          streamed = 0;
          break;
        }
        case FrameKind::continuation:
          rec += std::to_string(fr.literal.size);
          if ((flags & 8) && fr.literal.size % 5 == 3) {
            f.refuse_literal();
            rec += "refused";
            streamed = 0;
          } else if (fr.literal.streamed) {
            (void)append_mailbox(f.command(), opt);
          }
          break;
        case FrameKind::literal_begin:
          check(fr.literal.streamed && fr.literal.stream_index == streamed);
          check(fr.literal.size <= limits.max_message_literal);
          expect = fr.literal.size;
          data.clear();
          break;
        case FrameKind::literal_data:
          check(!fr.data.empty() && fr.data.size() <= expect - data.size());
          data.append(fr.data);
          continue;  // merged into literal_end's record
        case FrameKind::literal_end:
          check(data.size() == expect && fr.nul == (data.find('\0') != std::string::npos));
          rec += data;
          ++streamed;
          break;
        case FrameKind::refused:
          check(fr.refusal != Refusal::none);
          rec += std::string(fr.tag) + (fr.fatal ? "!" : "");
          closed = fr.fatal;
          check(f.closed() == fr.fatal);
          streamed = 0;
          break;
        case FrameKind::idle_done:
        case FrameKind::idle_other:
        case FrameKind::auth_line:
        case FrameKind::auth_cancel: rec += fr.data; break;
      }
      out.frames.push_back(std::move(rec));
      if (closed) break;
    }
  }
  return out;
}

bool same(const Parsed& a, const Parsed& b) {
  if (a.ok() != b.ok()) return false;
  if (a.ok()) return *a == *b;
  return a.error().tag == b.error().tag && a.error().reason == b.error().reason;
}

// The codecs on the raw octets.
void check_codecs(std::string_view s) {
  if (auto d = mutf7_decode(s)) {
    auto e = mutf7_encode(*d);
    check(e && *e == s);  // strict decoding: one encoding per name
  }
  if (auto e = mutf7_encode(s)) {
    auto d = mutf7_decode(*e);
    check(d && *d == s);
  }
  if (auto dt = parse_date_time(s)) {
    auto back = parse_date_time(format_date_time(dt->unix_seconds, dt->zone_minutes));
    check(back && *back == *dt);
  }
  if (auto d = parse_date(s)) check(parse_date(format_date(*d)) == d);
  const std::string q = imap_string(s, s.size() % 2);
  if (!q.empty() && q[0] == '"') check(q.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
  (void)valid_base64(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* raw, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = raw[0];
  const uint32_t seed = raw[1] | 1u;
  std::string_view in(reinterpret_cast<const char*>(raw) + 2, size - 2);

  ParseOptions opt;
  opt.utf8 = flags & 1;
  FramerLimits limits;
  limits.literal_plus = !(flags & 2);
  if (flags & 4) {
    limits.max_line = 48;
    limits.max_command = 96;
    limits.max_message_literal = 16;
    limits.max_literals = 4;
    opt.max_depth = 6;
    opt.max_ranges = 5;
    opt.max_search_keys = 12;
    opt.max_fetch_items = 5;
    opt.max_list_items = 5;
  }
  const Run whole = run(in, flags, 0, limits, opt);
  const Run split = run(in, flags, seed, limits, opt);
  check(whole.frames == split.frames);
  check(whole.parsed.size() == split.parsed.size());
  for (std::size_t i = 0; i < whole.parsed.size(); ++i) check(same(whole.parsed[i], split.parsed[i]));
  check_codecs(in.substr(0, 256));
  return 0;
}
