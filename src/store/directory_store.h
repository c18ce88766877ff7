// store::DirectoryStore — domains, accounts, aliases and credentials. The CLI changes them; the server loads a
// snapshot (store/directory.h) for recipient lookups and reads one account at login.
// Thread-safety: every method may be called from any thread; implementations serialize writes internally.
// Security: password hashes are stored, never passwords.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/directory.h"
#include "store/ids.h"

namespace axon::store {

using core::Result;

struct AccountInfo {
  AccountId id;
  std::string address;        // lower-cased local@domain
  std::string password_hash;  // Argon2id PHC string
};

struct AliasInfo {
  std::string address;  // "local@domain", or "@domain" for the domain's catch-all
  std::vector<std::string> targets;
};

class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  virtual Result<void> add_domain(std::string_view domain) = 0;
  virtual Result<void> del_domain(std::string_view domain) = 0;  // in_use when accounts or aliases remain
  virtual Result<std::vector<std::string>> list_domains() = 0;
  // Creates INBOX and the special-use mailboxes Sent, Drafts, Trash, Junk, Archive. Domain must exist.
  virtual Result<void> add_account(std::string_view address, std::string_view password_hash) = 0;
  virtual Result<void> del_account(std::string_view address) = 0;  // removes its mailboxes and message files
  virtual Result<void> set_password(std::string_view address, std::string_view password_hash) = 0;
  virtual Result<AccountInfo> get_account(std::string_view address) = 0;
  virtual Result<std::vector<AccountInfo>> list_accounts() = 0;
  // Adds targets to the alias (creating it). Targets are local accounts or aliases.
  virtual Result<void> add_alias(std::string_view address, std::span<const std::string> targets) = 0;
  virtual Result<void> del_alias(std::string_view address) = 0;
  virtual Result<std::vector<AliasInfo>> list_aliases() = 0;

  // A snapshot of domains, accounts and aliases for recipient lookups without I/O.
  virtual Result<Directory> load_directory() = 0;
  // Changes whenever domains, accounts or aliases change, from any process. Cheap enough to poll every second.
  virtual Result<uint64_t> directory_version() = 0;
};

}  // namespace axon::store
