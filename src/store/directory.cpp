// Recipient resolution over the directory snapshot. See directory.h.
// Security: sees addresses from unauthenticated SMTP peers; alias expansion is bounded in depth and targets.
#include "store/directory.h"

#include "core/address.h"

namespace axon::store {

using core::to_lower_ascii;

void Directory::add_domain(std::string domain) { domains_.insert(to_lower_ascii(domain)); }

void Directory::add_account(std::string address) {
  std::string a = to_lower_ascii(address);
  if (!accounts_.insert(a).second) return;
  if (auto at = a.rfind('@'); at != std::string::npos) first_account_.try_emplace(a.substr(at + 1), a);
  if (first_account_any_.empty()) first_account_any_ = a;
}

void Directory::add_alias(std::string address, std::vector<std::string> targets) {
  auto& v = aliases_[to_lower_ascii(address)];
  for (auto& t : targets) v.push_back(to_lower_ascii(t));
}

bool Directory::is_local_domain(std::string_view domain) const {
  return domains_.count(to_lower_ascii(domain)) != 0;
}

bool Directory::has_account(std::string_view address) const {
  return accounts_.count(to_lower_ascii(address)) != 0;
}

// RFC 5321 §4.5.1: "postmaster" MUST be supported, case-insensitively; RFC 2142 §2: "abuse" for inappropriate
// public behaviour (our domains' abuse reports).
bool Directory::is_role(std::string_view local) {
  return core::iequals(local, "postmaster") || core::iequals(local, "abuse");
}

// Expands one key (account or alias) into accounts. Returns false when the key names nothing.
bool Directory::expand(const std::string& key, std::size_t depth, std::vector<std::string>& out,
                       std::unordered_set<std::string>& seen) const {
  if (accounts_.count(key)) {
    if (seen.insert(key).second && out.size() < max_alias_targets) out.push_back(key);
    return true;
  }
  auto it = aliases_.find(key);
  if (it == aliases_.end()) return false;
  if (depth >= max_alias_depth) return true;  // a loop or a too-deep chain contributes nothing more
  for (const auto& t : it->second) {
    // A cycle is cut by `seen`; a too-long chain by the depth bound.
    if (!seen.insert("alias:" + t).second) continue;
    expand(t, depth + 1, out, seen);
  }
  return true;
}

bool Directory::role_default(const std::string& domain, std::string_view postmaster, Resolution& r,
                             std::unordered_set<std::string>& seen) const {
  r.accounts.clear();
  seen.clear();
  if (!postmaster.empty()) {
    // The configured postmaster, as an exact account or alias (never itself a role default: no recursion).
    expand(to_lower_ascii(postmaster), 0, r.accounts, seen);
    if (!r.accounts.empty()) return true;
    seen.clear();
  }
  auto it = first_account_.find(domain);
  const std::string& first = it != first_account_.end() ? it->second : first_account_any_;
  if (first.empty()) return false;
  expand(first, 0, r.accounts, seen);
  return true;
}

Resolution Directory::resolve(std::string_view address, char plus_separator, std::string_view postmaster) const {
  Resolution r;
  std::unordered_set<std::string> seen;
  auto result = [&r](bool found) {
    r.kind = (found && !r.accounts.empty()) ? Resolution::Kind::local : Resolution::Kind::unknown_user;
    if (r.kind != Resolution::Kind::local) r.accounts.clear();
    return r;
  };
  std::string key = to_lower_ascii(address);
  auto at = key.rfind('@');
  if (at == std::string::npos) {
    // RFC 5321 §4.1.1.3: "<Postmaster>" without a domain is this server's postmaster.
    return result(key == "postmaster" && role_default("", postmaster, r, seen));
  }
  std::string local = key.substr(0, at), domain = key.substr(at + 1);
  if (!domains_.count(domain)) {
    r.kind = Resolution::Kind::not_local_domain;
    return r;
  }
  auto try_key = [&](const std::string& k) {
    if (!accounts_.count(k) && !aliases_.count(k)) return false;
    expand(k, 0, r.accounts, seen);
    return true;
  };
  // An account or alias named postmaster@/abuse@ wins; when there is none, or it reaches nobody, the role's
  // default takes the mail: the role never bounces while the server has an account.
  auto try_role = [&](const std::string& l, bool found) {
    if (!is_role(l) || (found && !r.accounts.empty())) return found;
    return role_default(domain, postmaster, r, seen) || found;
  };
  bool found = try_role(local, try_key(key));
  if (!found && plus_separator) {
    // Plus-addressing: user+tag@domain reaches user@domain (Postfix recipient_delimiter).
    auto plus = local.find(plus_separator);
    if (plus != std::string::npos && plus > 0) {
      std::string base = local.substr(0, plus);
      found = try_role(base, try_key(base + "@" + domain));
    }
  }
  if (!found) found = try_key("@" + domain);  // the domain's catch-all (not for the roles: they have a default)
  return result(found);
}

}  // namespace axon::store
