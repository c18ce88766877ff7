// IMAP dates (RFC 9051 §9 date, date-text: SEARCH BEFORE/ON/SINCE/SENT*) and date-times (date-time: APPEND's
// internal date, the INTERNALDATE and SAVEDATE fetch items): parsing from the wire and formatting for responses.
// Security: parses untrusted text; fixed-size work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace axon::imap {

// A calendar day (no time, no zone): SEARCH compares it with the internal date or the Date: header's day
// (RFC 9051 §6.4.4, "disregarding time and timezone").
struct Date {
  int year = 0;       // 0000-9999
  unsigned month = 0;  // 1-12
  unsigned day = 0;    // 1-31, valid for the month
  bool operator==(const Date&) const = default;
  auto operator<=>(const Date&) const = default;
};

// An instant and the zone it was written in.
struct DateTime {
  int64_t unix_seconds = 0;  // UTC
  int zone_minutes = 0;      // offset east of UTC, e.g. -420 for "-0700"
  bool operator==(const DateTime&) const = default;
};

// date-text "1-Feb-1994" (day 1 or 2 digits, month case-insensitive, 4-digit year), without DQUOTEs; nullopt when
// malformed or not a real day (31-Apr).
std::optional<Date> parse_date(std::string_view text);

// date-time without its DQUOTEs: "17-Jul-1996 02:44:25 -0700" (the day may also be " 7", "07" or "7").
std::optional<DateTime> parse_date_time(std::string_view text);

// date-time without DQUOTEs, day space-padded (date-day-fixed): " 5-Nov-2026 10:00:00 +0000". Years are clamped to
// 0000-9999.
std::string format_date_time(int64_t unix_seconds, int zone_minutes = 0);

// date-text: "5-Nov-2026".
std::string format_date(const Date& d);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t days_from_civil(int year, unsigned month, unsigned day);
Date civil_from_days(int64_t days);

}  // namespace axon::imap
