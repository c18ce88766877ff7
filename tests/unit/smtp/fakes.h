// Test doubles for the SMTP session: a recipient policy over a fixed directory.
#pragma once

#include <set>
#include <string>

#include "core/address.h"
#include "smtp/server_session.h"

namespace axon::smtp::test {

// Local domains example.com, foo.com and mx.example.com; users alice, bob, jones, brown, postmaster and the UTF-8
// "用户"; "busy" fails temporarily; any other domain is foreign (relay denied). The bare <Postmaster> (empty
// domain) is postmaster@mx.example.com, the test host's.
class FakePolicy final : public RecipientPolicy {
 public:
  RcptDecision resolve(const core::Address& a, bool /*authenticated*/) const override {
    static const std::set<std::string> domains{"example.com", "foo.com", "mx.example.com"};
    static const std::set<std::string> users{"alice", "bob", "jones", "brown", "postmaster", "用户"};
    std::string domain = a.domain.empty() ? "mx.example.com" : core::to_lower_ascii(a.domain);
    std::string local = core::to_lower_ascii(a.local);
    if (!domains.count(domain)) return {RcptDecision::Kind::relay_denied, {}};
    if (local == "busy") return {RcptDecision::Kind::temp_fail, {}};
    if (!users.count(local)) return {RcptDecision::Kind::unknown_user, {}};
    return {RcptDecision::Kind::accept, {local + "@" + domain}};
  }
};

inline PeerInfo test_peer() { return PeerInfo{"192.0.2.1", 40000, "client.example.org"}; }

}  // namespace axon::smtp::test
