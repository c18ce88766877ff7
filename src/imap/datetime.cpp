// RFC 9051 §9: date, date-text, date-day, date-day-fixed, date-month, date-year, date-time, time, zone.
// Calendar arithmetic: the days_from_civil / civil_from_days algorithms (proleptic Gregorian).
// Security: untrusted text; bounded work.
#include "imap/datetime.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace axon::imap {

namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool digit(char c) { return c >= '0' && c <= '9'; }

unsigned lower(char c) { return static_cast<unsigned>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }

unsigned month_of(std::string_view s) {
  if (s.size() != 3) return 0;
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    if (lower(s[0]) == lower(kMonths[m][0]) && lower(s[1]) == lower(kMonths[m][1]) &&
        lower(s[2]) == lower(kMonths[m][2]))
      return static_cast<unsigned>(m + 1);
  }
  return 0;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Exactly n digits at s[pos].
bool fixed_digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) {
  if (s.size() < pos + n) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!digit(s[i])) return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

// "D-Mon-YYYY" or "DD-Mon-YYYY" at the start of s; returns the length read, 0 when malformed.
std::size_t read_date_text(std::string_view s, Date& d) {
  std::size_t i = 0;
  unsigned day = 0;
  while (i < s.size() && i < 2 && digit(s[i])) day = day * 10 + static_cast<unsigned>(s[i++] - '0');
  if (i == 0 || i >= s.size() || s[i] != '-') return 0;
  ++i;
  unsigned month = s.size() >= i + 3 ? month_of(s.substr(i, 3)) : 0;
  if (month == 0) return 0;
  i += 3;
  if (i >= s.size() || s[i] != '-') return 0;
  ++i;
  unsigned year = 0;
  if (!fixed_digits(s, i, 4, year)) return 0;
  i += 4;
  if (day < 1 || day > days_in_month(static_cast<int>(year), month)) return 0;
  d = Date{static_cast<int>(year), month, day};
  return i;
}

}  // namespace

int64_t days_from_civil(int year, unsigned month, unsigned day) {
  const int64_t y = static_cast<int64_t>(year) - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (static_cast<int64_t>(month) + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const unsigned d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const unsigned m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return Date{static_cast<int>(y), m, d};
}

std::optional<Date> parse_date(std::string_view text) {
  Date d;
  std::size_t n = read_date_text(text, d);
  if (n == 0 || n != text.size()) return std::nullopt;
  return d;
}

std::optional<DateTime> parse_date_time(std::string_view s) {
  if (!s.empty() && s[0] == ' ') {  // date-day-fixed: SP DIGIT
    s.remove_prefix(1);
    if (s.empty() || !digit(s[0]) || (s.size() > 1 && digit(s[1]))) return std::nullopt;
  }
  Date d;
  std::size_t i = read_date_text(s, d);
  if (i == 0) return std::nullopt;
  // SP time SP zone: " HH:MM:SS +HHMM"
  unsigned hh, mi, ss, zh, zm;
  if (s.size() != i + 15 || s[i] != ' ' || s[i + 3] != ':' || s[i + 6] != ':' || s[i + 9] != ' ') return std::nullopt;
  if (!fixed_digits(s, i + 1, 2, hh) || !fixed_digits(s, i + 4, 2, mi) || !fixed_digits(s, i + 7, 2, ss))
    return std::nullopt;
  const char sign = s[i + 10];
  if ((sign != '+' && sign != '-') || !fixed_digits(s, i + 11, 2, zh) || !fixed_digits(s, i + 13, 2, zm))
    return std::nullopt;
  if (hh > 23 || mi > 59 || ss > 60 || zh > 23 || zm > 59) return std::nullopt;
  const int zone = (sign == '-' ? -1 : 1) * static_cast<int>(zh * 60 + zm);
  const int64_t local = days_from_civil(d.year, d.month, d.day) * 86400 + hh * 3600 + mi * 60 + ss;
  return DateTime{local - static_cast<int64_t>(zone) * 60, zone};
}

std::string format_date_time(int64_t unix_seconds, int zone_minutes) {
  constexpr int64_t kMin = -62167219200;  // 0000-01-01T00:00:00
  constexpr int64_t kMax = 253402300799;  // 9999-12-31T23:59:59
  zone_minutes = std::clamp(zone_minutes, -(23 * 60 + 59), 23 * 60 + 59);
  // Clamped before the zone is added, so that no instant overflows.
  const int64_t instant = std::clamp(unix_seconds, kMin - 86400, kMax + 86400);
  const int64_t local = std::clamp(instant + int64_t{zone_minutes} * 60, kMin, kMax);
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t secs = local - days * 86400;
  Date d = civil_from_days(days);
  const int z = zone_minutes < 0 ? -zone_minutes : zone_minutes;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%2u-%s-%04d %02d:%02d:%02d %c%02d%02d", d.day,
                kMonths[d.month - 1].data(), d.year, static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60), zone_minutes < 0 ? '-' : '+', z / 60,
                z % 60);
  return buf;
}

std::string format_date(const Date& d) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%u-%s-%04d", d.day, kMonths[(d.month - 1) % 12].data(), d.year);
  return buf;
}

}  // namespace axon::imap
