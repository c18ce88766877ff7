// Dates and date-times (imap/datetime.h): parsing per the RFC 9051 grammar, formatting, calendar arithmetic.
#include <gtest/gtest.h>

#include <cstdint>

#include "imap/datetime.h"

using namespace axon::imap;

TEST(ImapDateTime, Format) {
  EXPECT_EQ(format_date_time(0), " 1-Jan-1970 00:00:00 +0000");
  // 2026-11-25 10:00:00 UTC
  const int64_t t = days_from_civil(2026, 11, 25) * 86400 + 10 * 3600;
  EXPECT_EQ(format_date_time(t), "25-Nov-2026 10:00:00 +0000");
  EXPECT_EQ(format_date_time(t, -420), "25-Nov-2026 03:00:00 -0700");
  EXPECT_EQ(format_date_time(t, 330), "25-Nov-2026 15:30:00 +0530");
  EXPECT_EQ(format_date_time(837596665, -420), "17-Jul-1996 02:44:25 -0700");
  EXPECT_EQ(format_date_time(-1), "31-Dec-1969 23:59:59 +0000");
  EXPECT_EQ(format_date_time(INT64_MAX), "31-Dec-9999 23:59:59 +0000");
  EXPECT_EQ(format_date_time(INT64_MAX, 840), "31-Dec-9999 23:59:59 +1400");  // no overflow
  EXPECT_EQ(format_date_time(INT64_MIN, -720), " 1-Jan-0000 00:00:00 -1200");
  EXPECT_EQ(format_date_time(INT64_MIN / 2), " 1-Jan-0000 00:00:00 +0000");
  EXPECT_EQ(format_date(Date{1994, 2, 1}), "1-Feb-1994");
}

TEST(ImapDateTime, Parse) {
  auto d = parse_date_time("17-Jul-1996 02:44:25 -0700");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->unix_seconds, 837596665);
  EXPECT_EQ(d->zone_minutes, -420);
  EXPECT_EQ(parse_date_time(" 7-Feb-1994 22:43:04 -0800")->zone_minutes, -480);
  EXPECT_EQ(parse_date_time("07-Feb-1994 22:43:04 -0800"), parse_date_time(" 7-Feb-1994 22:43:04 -0800"));
  EXPECT_EQ(parse_date_time("7-feb-1994 22:43:04 -0800"), parse_date_time(" 7-Feb-1994 22:43:04 -0800"));
  EXPECT_EQ(parse_date_time("29-Feb-2000 00:00:00 +0000")->unix_seconds, 951782400);
  // Round trip through the formatter.
  for (int64_t t : {int64_t{0}, int64_t{951782400}, int64_t{1700000000}, int64_t{4102444799}}) {
    for (int z : {0, -420, 330, 840}) {
      auto p = parse_date_time(format_date_time(t, z));
      ASSERT_TRUE(p) << format_date_time(t, z);
      EXPECT_EQ(p->unix_seconds, t);
      EXPECT_EQ(p->zone_minutes, z);
    }
  }
  const char* bad[] = {"",
                       "17-Jul-1996",
                       "17-Jul-1996 02:44:25",
                       "17-Jul-1996 02:44:25 0700",
                       "17-Jul-1996 24:00:00 +0000",
                       "17-Jul-1996 02:60:00 +0000",
                       "17-Jul-1996 02:44:25 +0060",
                       "31-Apr-1996 02:44:25 +0000",
                       "29-Feb-1900 00:00:00 +0000",
                       "17-Jux-1996 02:44:25 +0000",
                       "17-Jul-96 02:44:25 +0000",
                       "117-Jul-1996 02:44:25 +0000",
                       "  7-Jul-1996 02:44:25 +0000",
                       " 17-Jul-1996 02:44:25 +0000",
                       "17-Jul-1996  02:44:25 +0000",
                       "17-Jul-1996 02:44:25 +0000 ",
                       "17-Jul-1996 2:44:25 +0000"};
  for (const char* b : bad) EXPECT_FALSE(parse_date_time(b)) << b;
}

TEST(ImapDateTime, Dates) {
  EXPECT_EQ(parse_date("1-Feb-1994"), (Date{1994, 2, 1}));
  EXPECT_EQ(parse_date("01-FEB-1994"), (Date{1994, 2, 1}));
  EXPECT_EQ(parse_date("31-Dec-9999"), (Date{9999, 12, 31}));
  EXPECT_TRUE(parse_date("29-Feb-2024"));
  const char* bad[] = {"", "0-Feb-1994", "32-Jan-1994", "29-Feb-2023", "1-Feb-1994x", "1 Feb 1994", "1-Feb-19945",
                       "001-Feb-1994", "1--1994"};
  for (const char* b : bad) EXPECT_FALSE(parse_date(b)) << b;
  EXPECT_LT((Date{1994, 2, 1}), (Date{1994, 2, 2}));
  for (int64_t days : {-719468, -1, 0, 59, 10956, 2932896}) {
    Date d = civil_from_days(days);
    EXPECT_EQ(days_from_civil(d.year, d.month, d.day), days);
  }
}
