// Reads by address and mailbox name over the id-based MailStore, for tests written against names.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace axon::store::testing {

inline core::Result<std::vector<MailboxInfo>> list_mailboxes(MailStore& s, std::string_view address) {
  auto a = s.account_id(address);
  if (!a) return a.error();
  return s.mailboxes(*a);
}

inline core::Result<MailboxInfo> find_mailbox(MailStore& s, std::string_view address, std::string_view mailbox) {
  auto a = s.account_id(address);
  if (!a) return a.error();
  return s.mailbox(*a, mailbox);
}

inline core::Result<std::vector<MessageInfo>> list_messages(MailStore& s, std::string_view address,
                                                            std::string_view mailbox) {
  auto mb = find_mailbox(s, address, mailbox);
  if (!mb) return mb.error();
  return s.messages(mb->id);
}

inline core::Result<std::string> read_message(MailStore& s, std::string_view address, std::string_view mailbox,
                                              uint32_t uid) {
  auto mb = find_mailbox(s, address, mailbox);
  if (!mb) return mb.error();
  auto m = s.open_message(mb->id, uid);
  if (!m) return m.error();
  return m->read(0, m->size);
}

}  // namespace axon::store::testing
