// A MailDelivery that keeps deliveries in memory, with switches to make deliver() fail.
#pragma once

#include <unistd.h>

#include <map>
#include <mutex>

#include "store/mail_store.h"

namespace axon::fakes {

class FakeStore : public store::MailDelivery {
 public:
  using Errc = core::Errc;
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
