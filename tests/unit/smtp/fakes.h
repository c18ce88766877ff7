// Test doubles for the SMTP session: a recipient policy over a fixed directory.
#pragma once

#include <set>
#include <string>

#include "core/address.h"
#include "smtp/server_session.h"

namespace axon::smtp::test {

// Local domains example.com, foo.com and mx.example.com; users alice, bob, jones, brown, postmaster and the UTF-8
// "用户"; "busy" fails temporarily; any other domain is foreign (relay denied). The bare <Postmaster> (empty
// domain) is postmaster@mx.example.com, the test host's. "everyone" is an alias of 600 accounts.
class FakePolicy final : public RecipientPolicy {
 public:
  RcptDecision resolve(const core::Address& a, bool /*authenticated*/) const override {
    static const std::set<std::string> domains{"example.com", "foo.com", "mx.example.com"};
    static const std::set<std::string> users{"alice", "bob", "jones", "brown", "postmaster", "用户"};
    std::string domain = a.domain.empty() ? "mx.example.com" : core::to_lower_ascii(a.domain);
    std::string local = core::to_lower_ascii(a.local);
    if (!domains.count(domain)) return {RcptDecision::Kind::relay_denied, {}};
    if (local == "busy") return {RcptDecision::Kind::temp_fail, {}};
    if (local == "everyone") {
      RcptDecision d{RcptDecision::Kind::accept, {}};
      for (int i = 0; i < 600; ++i) d.targets.push_back("u" + std::to_string(i) + "@" + domain);
      return d;
    }
    if (!users.count(local)) return {RcptDecision::Kind::unknown_user, {}};
    return {RcptDecision::Kind::accept, {local + "@" + domain}};
  }
};

inline PeerInfo test_peer() { return PeerInfo{"192.0.2.1", 40000, "client.example.org"}; }

}  // namespace axon::smtp::test
