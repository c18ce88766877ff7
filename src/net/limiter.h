// net::ConnectionLimiter — bounds connections in total and per remote IP across all listeners.
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

  // RAII slot; releases on destruction.
  class Ticket {
   public:
    Ticket(ConnectionLimiter* l, std::string ip) : l_(l), ip_(std::move(ip)) {}
    Ticket(Ticket&& o) noexcept : l_(o.l_), ip_(std::move(o.ip_)) { o.l_ = nullptr; }
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (l_) l_->release(ip_);
    }

   private:
    ConnectionLimiter* l_;
    std::string ip_;
  };

  std::optional<Ticket> try_acquire(const std::string& ip) {
    std::lock_guard lk(mu_);
    if (total_ >= max_total_) return std::nullopt;
    auto& n = per_ip_[ip];
    if (n >= max_per_ip_) {
      if (n == 0) per_ip_.erase(ip);
      return std::nullopt;
    }
    ++n;
    ++total_;
    return Ticket(this, ip);
  }

  std::size_t total() const {
    std::lock_guard lk(mu_);
    return total_;
  }

 private:
  void release(const std::string& ip) {
    std::lock_guard lk(mu_);
    --total_;
    auto it = per_ip_.find(ip);
    if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
  }

  mutable std::mutex mu_;
  std::size_t max_total_, max_per_ip_, total_ = 0;
  std::unordered_map<std::string, std::size_t> per_ip_;
};

}  // namespace axon::net
