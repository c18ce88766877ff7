// QUOTA: GETQUOTA (RFC 9208 §4.2), SETQUOTA (§4.4); GETQUOTAROOT takes a mailbox (mailbox.cpp).
// Security: untrusted input after authentication; the resource list is bounded by max_list_items.
#include "imap/parse/commands.h"

namespace axon::imap::parse {

bool getquota(Reader& r, Command& c) {
  // "GETQUOTA" SP quota-root-name; quota-root-name = astring
  GetQuota g;
  if (!r.sp() || !r.astring(g.root, "quota root")) return false;
  c.args = std::move(g);
  return r.end();
}

bool setquota(Reader& r, Command& c) {
  // "SETQUOTA" SP quota-root-name SP "(" [setquota-resource *(SP setquota-resource)] ")";
  // setquota-resource = resource-name SP resource-limit; resource-limit = number64
  SetQuota s;
  if (!r.sp() || !r.astring(s.root, "quota root") || !r.sp() || !r.expect('(', "Expected a resource list"))
    return false;
  if (!r.eat(')')) {
    do {
      QuotaLimit l;
      std::string_view name;
      if (!r.more(s.limits.size(), "resources") || !r.word(name, "resource name") || !r.sp() ||
          !r.number64(l.limit, "resource limit"))
        return false;
      l.resource = upper(name);
      s.limits.push_back(std::move(l));
    } while (r.eat(' '));
    if (!r.expect(')', "Invalid resource list")) return false;
  }
  c.args = std::move(s);
  return r.end();
}

}  // namespace axon::imap::parse
