// net::ConnectionLimiter — bounds connections in total and per remote client across all listeners. A client is
// an IPv4 address, or an IPv6 /64 (one end site's LAN: RFC 6177 §3, RFC 7421; a host there may take any address
// of the prefix), so that rotating addresses inside one prefix does not multiply the limit. IPv4-mapped IPv6
// addresses (RFC 4291 §2.5.5.2) count as their IPv4 address.
// Security: the address comes from accept(), not from the peer's data; the map holds one entry per client with an
// open connection, at most max_total.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace axon::net {

class ConnectionLimiter {
 public:
  ConnectionLimiter(std::size_t max_total, std::size_t max_per_ip) : max_total_(max_total), max_per_ip_(max_per_ip) {}

  // The key a peer address is counted under: "192.0.2.1", "2001:db8:1:2::/64"; an unparsable string as it is.
  static std::string client_key(const std::string& ip);

  // RAII slot; releases on destruction.
  class Ticket {
   public:
    Ticket(ConnectionLimiter* l, std::string key) : l_(l), key_(std::move(key)) {}
    Ticket(Ticket&& o) noexcept : l_(o.l_), key_(std::move(o.key_)) { o.l_ = nullptr; }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (l_) l_->release(key_);
    }

   private:
    ConnectionLimiter* l_;
    std::string key_;
  };

  std::optional<Ticket> try_acquire(const std::string& ip) {
    std::string key = client_key(ip);
    std::lock_guard lk(mu_);
    if (total_ >= max_total_) return std::nullopt;
    auto& n = per_client_[key];
    if (n >= max_per_ip_) {
      if (n == 0) per_client_.erase(key);
      return std::nullopt;
    }
    ++n;
    ++total_;
    return Ticket(this, std::move(key));
  }

  std::size_t total() const {
    std::lock_guard lk(mu_);
    return total_;
  }

 private:
  void release(const std::string& key) {
    std::lock_guard lk(mu_);
    --total_;
    auto it = per_client_.find(key);
    if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
  }

  mutable std::mutex mu_;
  std::size_t max_total_, max_per_ip_, total_ = 0;
  std::unordered_map<std::string, std::size_t> per_client_;
};

}  // namespace axon::net
