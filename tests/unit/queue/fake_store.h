// A Store that keeps deliveries in memory, with switches to make deliver() fail.
#pragma once

#include <unistd.h>

#include <map>
#include <mutex>

#include "store/store.h"

namespace axon::fakes {

class FakeStore : public store::Store {
 public:
  using Errc = core::Errc;
  template <class T>
  static core::Result<T> no() { return core::make_error(Errc::unavailable, "fake"); }

  core::Result<void> add_domain(std::string_view) override { return no<void>(); }
  core::Result<void> del_domain(std::string_view) override { return no<void>(); }
  core::Result<std::vector<std::string>> list_domains() override { return no<std::vector<std::string>>(); }
  core::Result<void> add_account(std::string_view, std::string_view) override { return no<void>(); }
  core::Result<void> del_account(std::string_view) override { return no<void>(); }
  core::Result<void> set_password(std::string_view, std::string_view) override { return no<void>(); }
  core::Result<store::AccountInfo> get_account(std::string_view) override { return no<store::AccountInfo>(); }
  core::Result<std::vector<store::AccountInfo>> list_accounts() override {
    return no<std::vector<store::AccountInfo>>();
  }
  core::Result<void> add_alias(std::string_view, std::span<const std::string>) override { return no<void>(); }
  core::Result<void> del_alias(std::string_view) override { return no<void>(); }
  core::Result<std::vector<store::AliasInfo>> list_aliases() override { return no<std::vector<store::AliasInfo>>(); }
  core::Result<store::Directory> load_directory() override { return no<store::Directory>(); }
  core::Result<uint64_t> directory_version() override { return uint64_t{0}; }
  core::Result<std::vector<store::MailboxInfo>> list_mailboxes(std::string_view) override {
    return no<std::vector<store::MailboxInfo>>();
  }
  core::Result<std::vector<store::MessageInfo>> list_messages(std::string_view, std::string_view) override {
    return no<std::vector<store::MessageInfo>>();
  }
  core::Result<std::string> read_message(std::string_view, std::string_view, uint32_t) override {
    return no<std::string>();
  }

  std::vector<core::Result<store::DeliveryOutcome>> deliver(std::span<const store::Delivery> batch) override {
    std::lock_guard lk(mu);
    std::vector<core::Result<store::DeliveryOutcome>> out;
    for (const auto& d : batch) {
      if (fail_temporarily > 0) {
        out.push_back(core::make_error(Errc::temporary, "busy"));
        continue;
      }
      if (d.account == "gone@example.org") {
        out.push_back(core::make_error(Errc::not_found, "no such account"));
        continue;
      }
      if (limit_error) {
        out.push_back(core::make_error(Errc::limit, "mailbox has used all 32-bit UIDs"));
        continue;
      }
      if (collide) {
        out.push_back(core::make_error(Errc::exists, "delivery key holds another message"));
        continue;
      }
      from_file += d.data_fd >= 0;
      bool dup = stored.count(d.delivery_key) != 0;
      if (!dup) stored[d.delivery_key] = std::string(d.prefix) + content(d);
      out.push_back(store::DeliveryOutcome{dup, static_cast<uint32_t>(stored.size())});
    }
    if (fail_temporarily > 0) --fail_temporarily;
    return out;
  }
  core::Result<void> sync() override {
    std::lock_guard lk(mu);
    ++syncs;
    if (fail_sync) return core::make_error(Errc::temporary, "fsync: Input/output error");
    return {};
  }

  static std::string content(const store::Delivery& d) {
    if (d.data_fd < 0) return std::string(d.data);
    std::string s(d.data_size, '\0');
    if (::pread(d.data_fd, s.data(), s.size(), static_cast<off_t>(d.data_offset)) != static_cast<ssize_t>(s.size()))
      return "<unreadable>";
    return s;
  }

  std::mutex mu;
  std::map<std::string, std::string> stored;
  int fail_temporarily = 0;
  bool fail_sync = false;
  bool collide = false;
  bool limit_error = false;
  int from_file = 0;
  int syncs = 0;
};

}  // namespace axon::fakes
