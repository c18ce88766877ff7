// ENVELOPE / BODY / BODYSTRUCTURE rendering; see render.h. RFC 9051 §9 (formal syntax: envelope, body,
// body-type-1part, body-type-mpart, body-ext-1part, body-ext-mpart, body-fld-*), RFC 3501 §9 likewise.
// Security: output for clients from stored data; recursion depth is the part tree's (at most 256).
#include "mime/render.h"

#include "mime/header_fields.h"
#include "mime/imap_string.h"

namespace axon::mime {

namespace {

constexpr std::string_view kEmptyBody = R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0))";
constexpr std::string_view kEmptyBodyExt = R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))";

void write_addresses(std::string& out, const std::vector<Address>& list) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const auto& a : list) {
    out += '(';
    append_imap_nstring_for_humans(out, a.name);
    out += " NIL ";  // addr-adl: source routes are not reported
    append_imap_nstring(out, a.mailbox);
    out += ' ';
    append_imap_nstring(out, a.host);
    out += ')';
  }
  out += ')';
}

std::vector<Address> addresses(const std::optional<std::string>& v) {
  return v ? parse_address_list(*v) : std::vector<Address>{};
}

void write_envelope(std::string& out, const Envelope& env) {
  out += '(';
  append_imap_nstring(out, env.date);
  out += ' ';
  append_imap_nstring_for_humans(out, env.subject);
  const auto from = addresses(env.from);
  auto sender = addresses(env.sender);
  auto reply_to = addresses(env.reply_to);
  out += ' ';
  write_addresses(out, from);
  out += ' ';
  write_addresses(out, sender.empty() ? from : sender);
  out += ' ';
  write_addresses(out, reply_to.empty() ? from : reply_to);
  out += ' ';
  write_addresses(out, addresses(env.to));
  out += ' ';
  write_addresses(out, addresses(env.cc));
  out += ' ';
  write_addresses(out, addresses(env.bcc));
  out += ' ';
  append_imap_nstring(out, env.in_reply_to);
  out += ' ';
  append_imap_nstring(out, env.message_id);
  out += ')';
}

// body-fld-param: ("name" "value" ...) or NIL; text parts get "charset" "us-ascii" when they have no charset.
void write_params(std::string& out, const std::vector<Param>& params, bool default_charset) {
  const bool add_charset = default_charset && find_param(params, "charset") == nullptr;
  if (params.empty() && !add_charset) {
    out += "NIL";
    return;
  }
  out += '(';
  bool first = true;
  for (const auto& p : params) {
    if (!first) out += ' ';
    first = false;
    append_imap_string(out, p.name);
    out += ' ';
    append_imap_string(out, p.value);
  }
  if (add_charset) {
    if (!first) out += ' ';
    out += R"("charset" "us-ascii")";
  }
  out += ')';
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc, shared by both extension forms.
void write_ext_common(std::string& out, const Part& p) {
  out += ' ';
  if (!p.disposition) {
    out += "NIL";
  } else {
    out += '(';
    append_imap_string(out, *p.disposition);
    out += ' ';
    write_params(out, p.disposition_params, false);
    out += ')';
  }
  out += ' ';
  if (p.language.empty()) {
    out += "NIL";
  } else {
    out += '(';
    for (std::size_t i = 0; i < p.language.size(); ++i) {
      if (i > 0) out += ' ';
      append_imap_string(out, p.language[i]);
    }
    out += ')';
  }
  out += ' ';
  append_imap_nstring_nolf(out, p.location);
}

struct Style {
  bool extended;
  bool rev2;
};

void write_part(std::string& out, const Part& p, Style st);

void write_multipart(std::string& out, const Part& p, Style st) {
  if (p.children.empty())
    out += st.extended ? kEmptyBodyExt : kEmptyBody;
  for (const auto& c : p.children) write_part(out, c, st);
  out += ' ';
  append_imap_string(out, p.subtype);
  if (!st.extended) return;
  out += ' ';
  write_params(out, p.params, false);
  write_ext_common(out, p);
}

void write_single(std::string& out, const Part& p, Style st) {
  bool text = false;
  const bool global = iequals_ascii(p.subtype, "global");
  const bool message = p.kind == PartKind::message && p.children.size() == 1 && (!global || st.rev2);
  if (message) {
    out += global ? R"("message" "global")" : R"("message" "rfc822")";
  } else if (p.type.empty()) {
    text = true;
    out += R"("text" "plain")";
  } else {
    text = iequals_ascii(p.type, "text");
    append_imap_string(out, p.type);
    out += ' ';
    append_imap_string(out, p.subtype);
  }
  out += ' ';
  write_params(out, p.params, text);
  out += ' ';
  append_imap_nstring_nolf(out, p.id);
  out += ' ';
  append_imap_nstring_nolf(out, p.description);
  out += ' ';
  if (p.encoding)
    append_imap_string(out, *p.encoding);
  else
    out += R"("7bit")";
  out += ' ';
  out += std::to_string(p.body_size());
  if (text) {
    out += ' ';
    out += std::to_string(p.body_lines);
  } else if (message) {
    const Part& inner = p.children.front();
    out += ' ';
    write_envelope(out, inner.envelope.value_or(Envelope{}));
    out += ' ';
    write_part(out, inner, st);
    out += ' ';
    out += std::to_string(p.body_lines);
  }
  if (!st.extended) return;
  out += ' ';
  append_imap_nstring_nolf(out, p.md5);
  write_ext_common(out, p);
}

void write_part(std::string& out, const Part& p, Style st) {
  out += '(';
  if (p.kind == PartKind::multipart)
    write_multipart(out, p, st);
  else
    write_single(out, p, st);
  out += ')';
}

}  // namespace

std::string imap_envelope(const Envelope& env) {
  std::string out;
  write_envelope(out, env);
  return out;
}

std::string imap_envelope(const Summary& s) { return imap_envelope(s.root.envelope.value_or(Envelope{})); }

std::string imap_body(const Part& part, bool extended, bool imap4rev2) {
  std::string out;
  write_part(out, part, Style{extended, imap4rev2});
  return out;
}

std::string imap_body(const Summary& s, bool extended, bool imap4rev2) {
  return imap_body(s.root, extended, imap4rev2);
}

}  // namespace axon::mime
