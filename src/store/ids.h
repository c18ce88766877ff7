// store ids — typed handles for accounts and mailboxes. Protocols hold these, never names, so that a RENAME or a
// changed address cannot redirect a session or a delivery to another mailbox. Ids are never reused (the embedded
// backend allocates them with AUTOINCREMENT).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace axon::store {

struct AccountId {
  int64_t value = 0;
  explicit operator bool() const { return value != 0; }
  friend auto operator<=>(const AccountId&, const AccountId&) = default;
};

struct MailboxId {
  int64_t value = 0;
  explicit operator bool() const { return value != 0; }
  friend auto operator<=>(const MailboxId&, const MailboxId&) = default;
};

}  // namespace axon::store

template <>
struct std::hash<axon::store::AccountId> {
  std::size_t operator()(axon::store::AccountId id) const noexcept { return std::hash<int64_t>()(id.value); }
};
template <>
struct std::hash<axon::store::MailboxId> {
  std::size_t operator()(axon::store::MailboxId id) const noexcept { return std::hash<int64_t>()(id.value); }
};
