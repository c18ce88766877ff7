// Commands of any state and of the not-authenticated state, and the small extensions: CAPABILITY, NOOP, LOGOUT
// (RFC 9051 §6.1), STARTTLS, AUTHENTICATE (§6.2.2, SASL-IR RFC 4959 §3), LOGIN (§6.2.3), ENABLE (RFC 5161 §3.1),
// ID (RFC 2971 §3.1, §3.3 limits), COMPRESS (RFC 4978 §3); and every command that takes no arguments.
// Security: untrusted input before authentication; LOGIN and AUTHENTICATE carry secrets, which the parser only
// copies into the Command (it never puts them into a BAD reason).
#include "imap/parse/commands.h"

namespace axon::imap::parse {

bool no_arguments(Reader& r, Command&) { return r.end(); }

bool authenticate(Reader& r, Command& c) {
  // "AUTHENTICATE" SP auth-type [SP (base64 / "=")]; auth-type = atom
  Authenticate a;
  std::string_view mech;
  if (!r.sp() || !r.word(mech, "mechanism")) return false;
  a.mechanism = upper(mech);
  if (r.eat(' ')) {
    std::string_view ir = r.take(kBase64);  // base64 octets; the padding "=" below
    std::size_t pad = 0;
    while (r.eat('=')) ++pad;
    if (ir.empty() && pad == 1) {
      a.initial_response.emplace();  // "=": an empty initial response
    } else {
      std::string s(ir);
      s.append(pad, '=');
      if (s.empty() || !valid_base64(s)) return r.fail("Invalid initial response");
      a.initial_response = std::move(s);
    }
  }
  c.args = std::move(a);
  return r.end();
}

bool login(Reader& r, Command& c) {
  // "LOGIN" SP userid SP password; both astring
  Login l;
  if (!r.sp() || !r.astring(l.user, "user name") || !r.sp() || !r.astring(l.password, "password")) return false;
  c.args = std::move(l);
  return r.end();
}

bool enable(Reader& r, Command& c) {
  // "ENABLE" 1*(SP capability)
  Enable e;
  if (!r.sp()) return false;
  do {
    std::string_view cap;
    if (!r.more(e.capabilities.size(), "capabilities") || !r.word(cap, "capability")) return false;
    e.capabilities.push_back(upper(cap));
  } while (r.eat(' '));
  c.args = std::move(e);
  return r.end();
}

bool id(Reader& r, Command& c) {
  // "ID" SP ("(" [string SP nstring *(SP string SP nstring)] ")" / nil)
  Id out;
  if (!r.sp()) return false;
  if (!r.eat('(')) {
    std::string_view nil = r.take(kAtom);
    if (!keyword_is(nil, "NIL")) return r.fail("Invalid ID parameters");
    c.args = std::move(out);
    return r.end();
  }
  if (!r.eat(')')) {
    do {
      // RFC 2971 §3.3: at most 30 pairs, fields of at most 30 octets, values of at most 1024.
      if (out.params.size() >= 30) return r.fail("Too many ID parameters");
      IdParam p;
      if (!r.string(p.field, "ID field") || !r.sp() || !r.nstring(p.value, "ID value")) return false;
      if (p.field.size() > 30 || (p.value && p.value->size() > 1024)) return r.fail("ID parameter too long");
      out.params.push_back(std::move(p));
    } while (r.eat(' '));
    if (!r.expect(')', "Invalid ID parameters")) return false;
  }
  c.args = std::move(out);
  return r.end();
}

bool compress(Reader& r, Command& c) {
  // "COMPRESS" SP algorithm; algorithm = "DEFLATE" / atom
  std::string_view alg;
  if (!r.sp() || !r.word(alg, "algorithm")) return false;
  c.args = Compress{upper(alg)};
  return r.end();
}

}  // namespace axon::imap::parse
