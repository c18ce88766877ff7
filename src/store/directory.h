// store::Directory — an immutable in-memory snapshot of domains, accounts and aliases, and the recipient
// resolution over it: exact account, alias (recursive, bounded), plus-addressing (user+tag@domain), and the
// domain's catch-all alias "@domain". No I/O: protocol sessions call it on their own thread.
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
  void add_account(std::string address);
  void add_alias(std::string address, std::vector<std::string> targets);  // "@domain" is the catch-all

  bool is_local_domain(std::string_view domain) const;
  bool has_account(std::string_view address) const;
  // address is "local@domain"; matching is case-insensitive (ASCII).
  Resolution resolve(std::string_view address, char plus_separator = '+') const;

  std::size_t account_count() const { return accounts_.size(); }

 private:
  bool expand(const std::string& key, std::size_t depth, std::vector<std::string>& out,
              std::unordered_set<std::string>& seen) const;
  std::unordered_set<std::string> domains_;
  std::unordered_set<std::string> accounts_;
  std::unordered_map<std::string, std::vector<std::string>> aliases_;
};

}  // namespace axon::store
