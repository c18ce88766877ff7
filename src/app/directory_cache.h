// app::DirectoryCache — the current directory snapshot, swapped whole on reload, and the SMTP recipient policy
// over it, with directory.plus_separator and directory.postmaster. Lookups take a short lock to copy a
// shared_ptr; no I/O.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "smtp/server_session.h"
#include "store/directory.h"

namespace axon::app {

class DirectoryCache final : public smtp::RecipientPolicy {
 public:
  // postmaster: directory.postmaster, where postmaster@ and abuse@ of every domain go by default ("" unset).
  DirectoryCache(char plus_separator, std::string postmaster)
      : plus_(plus_separator), postmaster_(std::move(postmaster)) {}

  const std::string& postmaster() const { return postmaster_; }

  void set(std::shared_ptr<const store::Directory> d) {
    std::lock_guard lk(mu_);
    dir_ = std::move(d);
  }
  std::shared_ptr<const store::Directory> get() const {
    std::lock_guard lk(mu_);
    return dir_;
  }

  smtp::RcptDecision resolve(const core::Address& rcpt, bool authenticated) const override {
    auto d = get();
    smtp::RcptDecision out;
    if (!d) {
      out.kind = smtp::RcptDecision::Kind::temp_fail;
      return out;
    }
    // An empty domain is the bare <Postmaster> (RFC 5321 §4.1.1.3).
    auto r = d->resolve(rcpt.domain.empty() ? rcpt.local : rcpt.str(), plus_, postmaster_);
    switch (r.kind) {
      case store::Resolution::Kind::local:
        out.kind = smtp::RcptDecision::Kind::accept;
        out.targets = std::move(r.accounts);
        break;
      case store::Resolution::Kind::unknown_user:
        out.kind = smtp::RcptDecision::Kind::unknown_user;
        break;
      case store::Resolution::Kind::not_local_domain:
        // No open relay, ever: only authenticated submission may relay (and it arrives with outbound mail).
        (void)authenticated;
        out.kind = smtp::RcptDecision::Kind::relay_denied;
        break;
    }
    return out;
  }

 private:
  char plus_;
  std::string postmaster_;
  mutable std::mutex mu_;
  std::shared_ptr<const store::Directory> dir_;
};

}  // namespace axon::app
