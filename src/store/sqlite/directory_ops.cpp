// The embedded store's directory: domains, accounts, aliases. See sqlite_store.h.
#include "store/sqlite/sqlite_store.h"

namespace axon::store::sqlite {

using core::Errc;
using core::make_error;

namespace {

struct SpecialMailbox {
  const char* name;
  const char* special_use;
};
// RFC 6154 §2 special-use attributes for the mailboxes every account starts with.
constexpr SpecialMailbox kInitialMailboxes[] = {
    {"INBOX", ""},        {"Sent", "\\Sent"}, {"Drafts", "\\Drafts"},
    {"Trash", "\\Trash"}, {"Junk", "\\Junk"}, {"Archive", "\\Archive"},
};

// "local@domain" or "@domain" (catch-all, when allowed) → the domain part; empty when malformed.
std::string domain_of(std::string_view address, bool allow_empty_local) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 == address.size()) return {};
  if (at == 0 && !allow_empty_local) return {};
  return std::string(address.substr(at + 1));
}

}  // namespace

Result<void> SqliteStore::add_domain(std::string_view domain_in) {
  std::string domain = core::to_lower_ascii(domain_in);
  if (!core::valid_domain(domain, true)) return make_error(Errc::invalid, "add domain: bad domain name");
  {
    std::lock_guard l(wmu_);
    Stmt q(*w_, "INSERT INTO domains (name, created) VALUES (?, ?)", "add domain");
    auto r = q.bind(domain).bind(unix_seconds(clock_->now())).run();
    if (!r) {
      if (r.error().code == Errc::exists) return make_error(Errc::exists, "domain " + domain + " exists");
      return r;
    }
  }
  return directory_changed();
}

Result<void> SqliteStore::del_domain(std::string_view domain_in) {
  std::string domain = core::to_lower_ascii(domain_in);
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "delete domain");
    if (!tx.begun()) return tx.begun();
    auto id = lookup_id("SELECT id FROM domains WHERE name = ?", domain, "delete domain");
    if (!id) return id.error();
    if (*id == 0) return make_error(Errc::not_found, "domain " + domain + " not found");
    for (const char* sql : {"SELECT EXISTS (SELECT 1 FROM accounts WHERE domain_id = ?)",
                            "SELECT EXISTS (SELECT 1 FROM aliases WHERE domain_id = ?)"}) {
      Stmt q(*w_, sql, "delete domain: check use");
      bool used = q.bind(*id).row() && q.i64(0) != 0;
      if (!q.ok()) return q.error();
      if (used) return make_error(Errc::in_use, "domain " + domain + " still has accounts or aliases");
    }
    Stmt d(*w_, "DELETE FROM domains WHERE id = ?", "delete domain");
    if (auto r = d.bind(*id).run(); !r) return r;
    if (auto r = tx.commit(); !r) return r;
  }
  return directory_changed();
}

Result<std::vector<std::string>> SqliteStore::list_domains() {
  std::lock_guard l(rmu_);
  std::vector<std::string> out;
  Stmt q(*r_, "SELECT name FROM domains ORDER BY name", "list domains");
  while (q.row()) out.push_back(q.text(0));
  if (!q.ok()) return q.error();
  return out;
}

Result<void> SqliteStore::add_account(std::string_view address_in, std::string_view password_hash) {
  std::string address = core::to_lower_ascii(address_in);
  std::string domain = domain_of(address, false);
  if (domain.empty()) return make_error(Errc::invalid, "add account: address must be local@domain");
  int64_t account_id = 0;
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "add account");
    if (!tx.begun()) return tx.begun();
    auto domain_id = lookup_id("SELECT id FROM domains WHERE name = ?", domain, "add account");
    if (!domain_id) return domain_id.error();
    if (*domain_id == 0) return make_error(Errc::not_found, "domain " + domain + " not found");
    auto existing = lookup_id("SELECT id FROM accounts WHERE address = ?", address, "add account");
    if (!existing) return existing.error();
    if (*existing != 0) return make_error(Errc::exists, "account " + address + " exists");
    int64_t now = unix_seconds(clock_->now());
    {
      Stmt q(*w_, "INSERT INTO accounts (address, domain_id, password_hash, created) VALUES (?, ?, ?, ?)",
             "add account");
      if (auto r = q.bind(address).bind(*domain_id).bind(password_hash).bind(now).run(); !r) return r;
    }
    account_id = sqlite3_last_insert_rowid(w_->handle());
    for (const auto& mb : kInitialMailboxes) {
      if (auto r = insert_mailbox(account_id, mb.name, mb.special_use); !r) return r;
    }
    if (auto r = tx.commit(); !r) return r;
  }
  std::error_code ec;
  fs::create_directories(mail_dir_ / std::to_string(account_id), ec);  // else created on first delivery
  return directory_changed();
}

Result<void> SqliteStore::del_account(std::string_view address_in) {
  std::string address = core::to_lower_ascii(address_in);
  int64_t id = 0;
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "delete account");
    if (!tx.begun()) return tx.begun();
    auto found = lookup_id("SELECT id FROM accounts WHERE address = ?", address, "delete account");
    if (!found) return found.error();
    if (*found == 0) return make_error(Errc::not_found, "account " + address + " not found");
    id = *found;
    // Mailboxes and messages go with it (ON DELETE CASCADE).
    Stmt d(*w_, "DELETE FROM accounts WHERE id = ?", "delete account");
    if (auto r = d.bind(id).run(); !r) return r;
    if (auto r = tx.commit(); !r) return r;
    cache_.clear();
  }
  // Rows first (durably), files second: a crash in between leaves an orphan folder, never a row without its
  // file. Account ids are never reused (AUTOINCREMENT), so the orphan cannot leak into a new account.
  if (auto synced = directory_changed(); !synced) return synced;
  std::error_code ec;
  fs::remove_all(mail_dir_ / std::to_string(id), ec);
  if (ec) return make_error(Errc::temporary, "delete account: rows removed, message files remain: " + ec.message());
  return {};
}

Result<void> SqliteStore::set_password(std::string_view address_in, std::string_view password_hash) {
  std::string address = core::to_lower_ascii(address_in);
  {
    std::lock_guard l(wmu_);
    Stmt q(*w_, "UPDATE accounts SET password_hash = ? WHERE address = ?", "set password");
    if (auto r = q.bind(password_hash).bind(address).run(); !r) return r;
    if (w_->changes() == 0) return make_error(Errc::not_found, "account " + address + " not found");
  }
  return directory_changed();
}

Result<AccountInfo> SqliteStore::get_account(std::string_view address_in) {
  std::string address = core::to_lower_ascii(address_in);
  std::lock_guard l(rmu_);
  Stmt q(*r_, "SELECT id, address, password_hash FROM accounts WHERE address = ?", "get account");
  if (q.bind(address).row()) return AccountInfo{AccountId{q.i64(0)}, q.text(1), q.text(2)};
  if (!q.ok()) return q.error();
  return make_error(Errc::not_found, "account " + address + " not found");
}

Result<std::vector<AccountInfo>> SqliteStore::list_accounts() {
  std::lock_guard l(rmu_);
  std::vector<AccountInfo> out;
  Stmt q(*r_, "SELECT id, address, password_hash FROM accounts ORDER BY address", "list accounts");
  while (q.row()) out.push_back(AccountInfo{AccountId{q.i64(0)}, q.text(1), q.text(2)});
  if (!q.ok()) return q.error();
  return out;
}

Result<void> SqliteStore::add_alias(std::string_view address_in, std::span<const std::string> targets) {
  std::string address = core::to_lower_ascii(address_in);
  std::string domain = domain_of(address, true);
  if (domain.empty()) return make_error(Errc::invalid, "add alias: address must be local@domain or @domain");
  if (targets.empty()) return make_error(Errc::invalid, "add alias: no targets");
  for (const auto& t : targets) {
    if (t.empty() || t.find('@') == std::string::npos)
      return make_error(Errc::invalid, "add alias: target must be local@domain");
  }
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "add alias");
    if (!tx.begun()) return tx.begun();
    auto domain_id = lookup_id("SELECT id FROM domains WHERE name = ?", domain, "add alias");
    if (!domain_id) return domain_id.error();
    if (*domain_id == 0) return make_error(Errc::not_found, "domain " + domain + " not found");
    auto account = lookup_id("SELECT id FROM accounts WHERE address = ?", address, "add alias");
    if (!account) return account.error();
    // The directory resolves accounts before aliases: such an alias would never be used.
    if (*account != 0) return make_error(Errc::exists, "an account has the address " + address);
    for (const auto& t : targets) {
      Stmt q(*w_, "INSERT OR IGNORE INTO aliases (address, target, domain_id) VALUES (?, ?, ?)", "add alias");
      if (auto r = q.bind(address).bind(core::to_lower_ascii(t)).bind(*domain_id).run(); !r) return r;
    }
    if (auto r = tx.commit(); !r) return r;
  }
  return directory_changed();
}

Result<void> SqliteStore::del_alias(std::string_view address_in) {
  std::string address = core::to_lower_ascii(address_in);
  {
    std::lock_guard l(wmu_);
    Stmt q(*w_, "DELETE FROM aliases WHERE address = ?", "delete alias");
    if (auto r = q.bind(address).run(); !r) return r;
    if (w_->changes() == 0) return make_error(Errc::not_found, "alias " + address + " not found");
  }
  return directory_changed();
}

Result<std::vector<AliasInfo>> SqliteStore::list_aliases() {
  std::lock_guard l(rmu_);
  return read_aliases();
}

Result<Directory> SqliteStore::load_directory() {
  std::lock_guard l(rmu_);
  // One read transaction: a consistent snapshot even while the CLI changes things.
  Transaction tx(*r_, "load directory", false);
  if (!tx.begun()) return tx.begun().error();
  Directory d;
  {
    Stmt q(*r_, "SELECT name FROM domains", "load directory: domains");
    while (q.row()) d.add_domain(q.text(0));
    if (!q.ok()) return q.error();
  }
  {
    // In creation order: a domain's first account is its default postmaster (store/directory.h).
    Stmt q(*r_, "SELECT address FROM accounts ORDER BY id", "load directory: accounts");
    while (q.row()) d.add_account(q.text(0));
    if (!q.ok()) return q.error();
  }
  auto aliases = read_aliases();
  if (!aliases) return aliases.error();
  for (auto& a : *aliases) d.add_alias(std::move(a.address), std::move(a.targets));
  if (auto r = tx.commit(); !r) return r.error();
  return d;
}

Result<uint64_t> SqliteStore::directory_version() {
  std::lock_guard l(rmu_);
  Stmt q(*r_, "SELECT version FROM directory_version WHERE id = 1", "read directory version");
  if (q.row()) return static_cast<uint64_t>(q.i64(0));
  if (!q.ok()) return q.error();
  return make_error(Errc::permanent, "read directory version: row missing");
}

Result<int64_t> SqliteStore::lookup_id(const char* sql, std::string_view key, std::string_view op) {
  Stmt q(*w_, sql, op);
  if (q.bind(key).row()) return q.i64(0);
  if (!q.ok()) return q.error();
  return int64_t{0};
}

// UIDVALIDITY (RFC 3501 §2.3.1.1) from the clock, strictly increasing over the whole database (meta
// 'uidvalidity_last'), so a mailbox deleted and re-created, even under a re-created account, never repeats one.
Result<void> SqliteStore::insert_mailbox(int64_t account_id, std::string_view name, std::string_view special_use,
                                         bool subscribe) {
  int64_t last = 0;
  {
    Stmt q(*w_, "SELECT value FROM meta WHERE key = 'uidvalidity_last'", "create mailbox: uidvalidity");
    if (q.row()) last = q.i64(0);
    if (!q.ok()) return q.error();
  }
  int64_t uidvalidity = std::max(unix_seconds(clock_->now()), last + 1);
  if (uidvalidity <= 0 || uidvalidity > int64_t{UINT32_MAX})
    return make_error(Errc::permanent, "create mailbox: uidvalidity out of range");
  {
    Stmt q(*w_, "INSERT OR REPLACE INTO meta (key, value) VALUES ('uidvalidity_last', ?)",
           "create mailbox: uidvalidity");
    if (auto r = q.bind(uidvalidity).run(); !r) return r;
  }
  Stmt q(*w_,
         "INSERT INTO mailboxes (account_id, name, special_use, uidvalidity, uidnext, highest_modseq, subscribed) "
         "VALUES (?, ?, ?, ?, 1, 1, 0)",
         "create mailbox");
  if (auto r = q.bind(account_id).bind(name).bind(special_use).bind(uidvalidity).run(); !r) return r;
  if (!subscribe) return {};
  // Dovecot subscribes the mailboxes it creates itself; IMAP CREATE subscribes nothing (RFC 9051 §6.3.4).
  Stmt s(*w_, "INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (?, ?)", "create mailbox: subscribe");
  return s.bind(account_id).bind(name).run();
}

// Directory changes are rare: make them durable before returning (the CLI exits right after).
Result<void> SqliteStore::directory_changed() {
  {
    std::lock_guard l(wmu_);
    cache_.clear();
  }
  syncer_.db_written();
  return sync();
}

Result<void> SqliteStore::check_cache_version() {
  Stmt q(*w_, "SELECT version FROM directory_version WHERE id = 1", "deliver: directory version");
  if (!q.row()) return q.ok() ? Result<void>(make_error(Errc::permanent, "deliver: no directory version"))
                              : Result<void>(q.error());
  auto v = static_cast<uint64_t>(q.i64(0));
  if (v != cache_version_) {
    cache_.clear();
    cache_version_ = v;
  }
  return {};
}

// Decides what to do with one delivery, reading only. An SQLite failure sets `fatal` (the batch is given up);

Result<std::vector<AliasInfo>> SqliteStore::read_aliases() {
  std::vector<AliasInfo> out;
  Stmt q(*r_, "SELECT address, target FROM aliases ORDER BY address, id", "list aliases");
  while (q.row()) {
    std::string address = q.text(0);
    if (out.empty() || out.back().address != address) out.push_back(AliasInfo{std::move(address), {}});
    out.back().targets.push_back(q.text(1));
  }
  if (!q.ok()) return q.error();
  return out;
}

}  // namespace axon::store::sqlite
