// APPEND: RFC 9051 §6.3.12 (flags, date-time, literal), RFC 4466 §2.3 (append-message = append-opts SP
// append-data), RFC 3502 (MULTIAPPEND: several messages), RFC 3516 §4.4 (literal8), RFC 4469 §5 (CATENATE
// parts: TEXT literal / URL astring), RFC 6855 §4 (UTF8 (literal8)). The message octets were streamed by the
// framer; parts name them by stream_index.
// Security: untrusted input after authentication; the number of messages and parts is bounded by the framer's
// literal limit and by max_list_items.
#include "imap/parse/commands.h"

namespace axon::imap::parse {

namespace {

AppendPart text_part(const Literal& l) {
  AppendPart p;
  p.kind = AppendPart::Kind::text;
  p.stream_index = l.stream_index;
  p.size = l.size;
  p.binary = l.binary;
  return p;
}

// "CATENATE" SP "(" cat-part *(SP cat-part) ")"; cat-part = "TEXT" SP literal / "URL" SP astring
bool catenate(Reader& r, AppendMessage& m) {
  if (!r.sp() || !r.expect('(', "Invalid CATENATE parts")) return false;
  do {
    std::string_view w;
    if (!r.more(m.parts.size(), "CATENATE parts") || !r.word(w, "CATENATE part") || !r.sp()) return false;
    if (keyword_is(w, "TEXT")) {
      const Literal* l = nullptr;
      if (!r.message_literal(l)) return false;
      m.parts.push_back(text_part(*l));
    } else if (keyword_is(w, "URL")) {
      AppendPart p;
      p.kind = AppendPart::Kind::url;
      if (!r.astring(p.url, "URL")) return false;
      m.parts.push_back(std::move(p));
    } else {
      return r.fail("Unknown CATENATE part");
    }
  } while (r.eat(' '));
  return r.expect(')', "Invalid CATENATE parts");
}

// [flag-list SP] [date-time SP] append-data
bool message(Reader& r, AppendMessage& m) {
  if (r.peek() == '(') {
    if (!r.flag_list(m.flags) || !r.sp()) return false;
  }
  if (r.peek() == '"') {
    m.internal_date.emplace();
    if (!r.date_time(*m.internal_date) || !r.sp()) return false;
  }
  if (r.at_literal()) {
    const Literal* l = nullptr;
    if (!r.message_literal(l)) return false;
    m.parts.push_back(text_part(*l));
    return true;
  }
  std::string_view w;
  if (!r.word(w, "message")) return false;
  if (keyword_is(w, "CATENATE")) {
    m.catenate = true;
    return catenate(r, m);
  }
  if (keyword_is(w, "UTF8")) {
    // "UTF8" SP "(" literal8 ")"
    const Literal* l = nullptr;
    if (!r.sp() || !r.expect('(', "Invalid UTF8 message") || !r.message_literal(l)) return false;
    if (!l->binary) return r.fail("UTF8 needs literal8");
    m.utf8 = true;
    m.parts.push_back(text_part(*l));
    return r.expect(')', "Invalid UTF8 message");
  }
  return r.fail("Message literal expected");
}

}  // namespace

bool append(Reader& r, Command& c) {
  // "APPEND" SP mailbox 1*(SP append-message)
  Append a;
  if (!r.sp() || !r.mailbox(a.mailbox)) return false;
  do {
    if (!r.sp() || !r.more(a.messages.size(), "messages")) return false;
    a.messages.emplace_back();
    if (!message(r, a.messages.back())) return false;
  } while (!r.at_end());
  c.args = std::move(a);
  return r.end();
}

}  // namespace axon::imap::parse
