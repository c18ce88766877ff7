// Clock interface: protocol cores never read the system clock themselves, so tests use a fake.
#pragma once

#include <chrono>
#include <string>

namespace axon::core {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint t = TimePoint{std::chrono::seconds(1700000000)}) : t_(t) {}
  TimePoint now() const override { return t_; }
  void advance(std::chrono::nanoseconds d) { t_ += std::chrono::duration_cast<TimePoint::duration>(d); }

 private:
  TimePoint t_;
};

// RFC 5322 §3.3 date-time in UTC, e.g. "Thu, 23 Nov 2026 09:05:00 +0000".
std::string rfc5322_date(TimePoint t);

}  // namespace axon::core
