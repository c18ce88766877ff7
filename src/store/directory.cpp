#include "store/directory.h"

#include "core/address.h"

namespace axon::store {

using core::to_lower_ascii;

void Directory::add_domain(std::string domain) { domains_.insert(to_lower_ascii(domain)); }
void Directory::add_account(std::string address) { accounts_.insert(to_lower_ascii(address)); }
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

Resolution Directory::resolve(std::string_view address, char plus_separator) const {
  Resolution r;
  std::string key = to_lower_ascii(address);
  auto at = key.rfind('@');
  if (at == std::string::npos) return r;
  std::string local = key.substr(0, at), domain = key.substr(at + 1);
  if (!domains_.count(domain)) {
    r.kind = Resolution::Kind::not_local_domain;
    return r;
  }
  std::unordered_set<std::string> seen;
  auto try_key = [&](const std::string& k) {
    if (!accounts_.count(k) && !aliases_.count(k)) return false;
    expand(k, 0, r.accounts, seen);
    return true;
  };
  bool found = try_key(key);
  if (!found && plus_separator) {
    // Plus-addressing: user+tag@domain reaches user@domain (Postfix recipient_delimiter).
    auto plus = local.find(plus_separator);
    if (plus != std::string::npos && plus > 0) found = try_key(local.substr(0, plus) + "@" + domain);
  }
  if (!found) found = try_key("@" + domain);  // the domain's catch-all
  r.kind = (found && !r.accounts.empty()) ? Resolution::Kind::local : Resolution::Kind::unknown_user;
  if (r.kind != Resolution::Kind::local) r.accounts.clear();
  return r;
}

}  // namespace axon::store
