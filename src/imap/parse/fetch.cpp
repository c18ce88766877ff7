// FETCH: RFC 9051 §6.4.5 and §9 (fetch, fetch-att, section, section-spec, section-part, section-text,
// header-list, partial, section-binary), RFC 3501 §6.4.5 (RFC822, RFC822.HEADER, RFC822.TEXT), RFC 3516 §4.2
// (BINARY, BINARY.PEEK, BINARY.SIZE), RFC 7162 §3.1.4 (MODSEQ, CHANGEDSINCE), §3.2.6 (VANISHED), RFC 8474 §5
// (EMAILID, THREADID), RFC 8514 §4 (SAVEDATE). Macros ALL, FAST and FULL are expanded here.
// Security: untrusted input after authentication; items bounded by max_fetch_items, part numbers by max_depth,
// header field lists by max_list_items. Cheap: no allocation but the items and their field names.
#include <array>

#include "imap/parse/commands.h"

namespace axon::imap::parse {

namespace {

using FK = FetchItem::Kind;

constexpr std::array<std::pair<std::string_view, FK>, 13> kSimpleItems{{
    {"FLAGS", FK::flags},
    {"UID", FK::uid},
    {"ENVELOPE", FK::envelope},
    {"INTERNALDATE", FK::internaldate},
    {"RFC822.SIZE", FK::rfc822_size},
    {"BODYSTRUCTURE", FK::bodystructure},
    {"RFC822", FK::rfc822},
    {"RFC822.HEADER", FK::rfc822_header},
    {"RFC822.TEXT", FK::rfc822_text},
    {"MODSEQ", FK::modseq},
    {"EMAILID", FK::emailid},
    {"THREADID", FK::threadid},
    {"SAVEDATE", FK::savedate},
}};

bool digit(char c) { return c >= '0' && c <= '9'; }

// section-part = nz-number *("." nz-number); leaves the reader after the last number. True when a "." follows
// that starts a section-text (it is consumed).
bool section_part(Reader& r, std::vector<uint32_t>& part, bool& text_follows) {
  text_follows = false;
  while (true) {
    uint32_t n = 0;
    if (part.size() >= r.options().max_depth) return r.fail("Section part nested too deeply");
    if (!r.nz_number(n, "section part")) return false;
    part.push_back(n);
    if (!r.eat('.')) return true;
    if (!digit(r.peek())) {
      text_follows = true;
      return true;
    }
  }
}

// header-list = "(" header-fld-name *(SP header-fld-name) ")"
bool header_list(Reader& r, std::vector<std::string>& fields) {
  if (!r.sp() || !r.expect('(', "Expected a header field list")) return false;
  do {
    if (!r.more(fields.size(), "header fields")) return false;
    fields.emplace_back();
    if (!r.astring(fields.back(), "header field name")) return false;
    if (fields.back().empty()) return r.fail("Invalid header field name");
  } while (r.eat(' '));
  return r.expect(')', "Invalid header field list");
}

// section = "[" [section-spec] "]"
bool section(Reader& r, Section& s) {
  if (!r.expect('[', "Expected a section")) return false;
  if (r.eat(']')) return true;
  bool text = true;
  if (digit(r.peek()) && !section_part(r, s.part, text)) return false;
  if (text) {
    std::string_view w = r.take(kName);
    if (keyword_is(w, "HEADER")) {
      s.kind = Section::Kind::header;
    } else if (keyword_is(w, "HEADER.FIELDS")) {
      s.kind = Section::Kind::header_fields;
      if (!header_list(r, s.fields)) return false;
    } else if (keyword_is(w, "HEADER.FIELDS.NOT")) {
      s.kind = Section::Kind::header_fields_not;
      if (!header_list(r, s.fields)) return false;
    } else if (keyword_is(w, "TEXT")) {
      s.kind = Section::Kind::text;
    } else if (keyword_is(w, "MIME") && !s.part.empty()) {  // section-text: MIME only after a part
      s.kind = Section::Kind::mime;
    } else {
      return r.fail("Invalid section");
    }
  }
  return r.expect(']', "Invalid section");
}

// section-binary = "[" [section-part] "]"
bool section_binary(Reader& r, Section& s) {
  if (!r.expect('[', "Expected a section")) return false;
  if (r.eat(']')) return true;
  bool text = false;
  if (!section_part(r, s.part, text)) return false;
  if (text) return r.fail("Invalid binary section");
  return r.expect(']', "Invalid binary section");
}

// partial = "<" number64 "." nz-number64 ">"
bool partial(Reader& r, FetchItem& item) {
  if (!r.eat('<')) return true;
  Partial p;
  if (!r.number64(p.offset, "partial offset") || !r.expect('.', "Invalid partial") ||
      !r.number64(p.length, "partial length") || !r.expect('>', "Invalid partial"))
    return false;
  if (p.length == 0) return r.fail("Invalid partial");
  item.partial = p;
  return true;
}

bool item(Reader& r, FetchItem& it) {
  std::string_view w = r.take(kName);
  if (w.empty()) return r.fail(r.at_end() ? "Missing FETCH item" : "Invalid FETCH item");
  for (const auto& [name, kind] : kSimpleItems) {
    if (keyword_is(w, name)) {
      it.kind = kind;
      return true;
    }
  }
  if (keyword_is(w, "BODY")) {
    if (r.peek() != '[') {
      it.kind = FK::body;
      return true;
    }
    it.kind = FK::body_section;
    return section(r, it.section) && partial(r, it);
  }
  if (keyword_is(w, "BODY.PEEK")) {
    it.kind = FK::body_section;
    it.peek = true;
    return section(r, it.section) && partial(r, it);
  }
  if (keyword_is(w, "BINARY") || keyword_is(w, "BINARY.PEEK")) {
    it.kind = FK::binary;
    it.peek = w.size() > 6;
    return section_binary(r, it.section) && partial(r, it);
  }
  if (keyword_is(w, "BINARY.SIZE")) {
    it.kind = FK::binary_size;
    return section_binary(r, it.section);
  }
  return r.fail("Unknown FETCH item");
}

bool add(Reader& r, Fetch& f, FK kind) {
  if (f.items.size() >= r.options().max_fetch_items) return r.fail("Too many FETCH items");
  f.items.push_back(FetchItem{kind, false, {}, std::nullopt});
  return true;
}

// "ALL" / "FULL" / "FAST" (RFC 9051 §6.4.5)
bool macro(Reader& r, Fetch& f, bool& matched) {
  matched = true;
  if (r.eat_keyword("FAST")) return add(r, f, FK::flags) && add(r, f, FK::internaldate) && add(r, f, FK::rfc822_size);
  if (r.eat_keyword("ALL"))
    return add(r, f, FK::flags) && add(r, f, FK::internaldate) && add(r, f, FK::rfc822_size) &&
           add(r, f, FK::envelope);
  if (r.eat_keyword("FULL"))
    return add(r, f, FK::flags) && add(r, f, FK::internaldate) && add(r, f, FK::rfc822_size) &&
           add(r, f, FK::envelope) && add(r, f, FK::body);
  matched = false;
  return true;
}

// fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
bool modifiers(Reader& r, Command& c, Fetch& f) {
  if (!r.expect('(', "Invalid FETCH modifiers")) return false;
  do {
    std::string_view w;
    if (!r.word(w, "FETCH modifier")) return false;
    if (keyword_is(w, "CHANGEDSINCE")) {
      // "CHANGEDSINCE" SP mod-sequence-value (RFC 7162 §3.1.4.1: 1..2^63-1)
      uint64_t n = 0;
      if (f.changedsince || !r.sp() || !r.number64(n, "mod-sequence")) return r.fail("Invalid CHANGEDSINCE");
      if (n == 0) return r.fail("Invalid mod-sequence");
      f.changedsince = n;
    } else if (keyword_is(w, "VANISHED")) {
      f.vanished = true;
    } else {
      return r.fail("Unknown FETCH modifier");
    }
  } while (r.eat(' '));
  if (!r.expect(')', "Invalid FETCH modifiers")) return false;
  // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE.
  if (f.vanished && (!c.uid || !f.changedsince)) return r.fail("VANISHED needs UID FETCH and CHANGEDSINCE");
  return true;
}

}  // namespace

bool fetch(Reader& r, Command& c) {
  // "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")
  //   [fetch-modifiers]
  Fetch f;
  if (!r.sp() || !r.sequence_set(f.set) || !r.sp()) return false;
  if (r.eat('(')) {
    do {
      if (f.items.size() >= r.options().max_fetch_items) return r.fail("Too many FETCH items");
      f.items.emplace_back();
      if (!item(r, f.items.back())) return false;
    } while (r.eat(' '));
    if (!r.expect(')', "Invalid FETCH item list")) return false;
  } else {
    bool matched = false;
    if (!macro(r, f, matched)) return false;
    if (!matched) {
      f.items.emplace_back();
      if (!item(r, f.items.back())) return false;
    }
  }
  if (r.eat(' ') && !modifiers(r, c, f)) return false;
  c.args = std::move(f);
  return r.end();
}

}  // namespace axon::imap::parse
