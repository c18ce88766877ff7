// store::Directory — an immutable in-memory snapshot of domains, accounts and aliases, and the recipient
// resolution over it: exact account, alias (recursive, bounded), the reserved role mailboxes postmaster (RFC 5321
// §4.5.1, §4.1.1.3) and abuse (RFC 2142 §2), plus-addressing (user+tag@domain), and the domain's catch-all alias
// "@domain". No I/O: protocol sessions call it on their own thread.
// Security: addresses come from unauthenticated SMTP peers (already parsed); lookups are bounded (alias depth,
// target count).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace axon::store {

struct Resolution {
  enum class Kind { local, unknown_user, not_local_domain };
  Kind kind = Kind::unknown_user;
  std::vector<std::string> accounts;  // distinct lower-cased account addresses, in first-seen order
};

class Directory {
 public:
  static constexpr std::size_t max_alias_depth = 8;
  static constexpr std::size_t max_alias_targets = 1000;

  void add_domain(std::string domain);
  // Accounts are added in creation order (the store loads them by id): the first one added in a domain is that
  // domain's default postmaster, the first one added at all the default of the bare <Postmaster>.
  void add_account(std::string address);
  void add_alias(std::string address, std::vector<std::string> targets);  // "@domain" is the catch-all

  bool is_local_domain(std::string_view domain) const;
  bool has_account(std::string_view address) const;
  // True for the local parts every served domain accepts (case-insensitive): "postmaster" and "abuse".
  static bool is_role(std::string_view local);

  // `address` is "local@domain", or "postmaster" alone (RFC 5321 §4.1.1.3); matching is case-insensitive (ASCII).
  // In order: the exact account or alias; for postmaster@ and abuse@ of a served domain (and the bare postmaster)
  // the role's default, see role_default(); user+tag@ as user@ (again with the role default for postmaster+tag@);
  // the catch-all "@domain". `postmaster` is the configured directory.postmaster (an account or alias; "" unset).
  Resolution resolve(std::string_view address, char plus_separator = '+', std::string_view postmaster = {}) const;

  std::size_t account_count() const { return accounts_.size(); }

 private:
  bool expand(const std::string& key, std::size_t depth, std::vector<std::string>& out,
              std::unordered_set<std::string>& seen) const;
  // Where a role address of `domain` ("" for the bare postmaster) goes when no account or alias has its name: the
  // configured postmaster when it names accounts, else the domain's first account, else the first account of
  // any domain. False (nobody: 550 5.1.1) only while there is no account at all.
  bool role_default(const std::string& domain, std::string_view postmaster, Resolution& r,
                    std::unordered_set<std::string>& seen) const;
  std::unordered_set<std::string> domains_;
  std::unordered_set<std::string> accounts_;
  std::unordered_map<std::string, std::string> first_account_;  // domain → its first account
  std::string first_account_any_;                                // the first account added
  std::unordered_map<std::string, std::vector<std::string>> aliases_;
};

}  // namespace axon::store
