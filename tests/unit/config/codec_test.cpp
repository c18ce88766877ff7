// Tests of the schema's value codecs: sizes, durations, TOML quoting.
#include <gtest/gtest.h>

#include "config/schema.h"

namespace axon::config::schema {
namespace {

TEST(ConfigCodec, ParseSize) {
  EXPECT_EQ(parse_size("0"), 0);
  EXPECT_EQ(parse_size("1024"), 1024);
  EXPECT_EQ(parse_size("1K"), 1024);
  EXPECT_EQ(parse_size("64k"), 65536);
  EXPECT_EQ(parse_size("50M"), 50 << 20);
  EXPECT_EQ(parse_size("4G"), int64_t{4} << 30);
  for (const char* bad : {"", "M", "-1", "1.5M", "1 M", "1KB", "1T", "1MM", " 1", "1K ", "99999999999999999999",
                          "9999999999999G"})
    EXPECT_FALSE(parse_size(bad)) << bad;
}

TEST(ConfigCodec, ParseDuration) {
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_EQ(parse_duration("300"), 300);
  EXPECT_EQ(parse_duration("300s"), 300);
  EXPECT_EQ(parse_duration("5m"), 300);
  EXPECT_EQ(parse_duration("1h30m"), 5400);
  EXPECT_EQ(parse_duration("1d"), 86400);
  for (const char* bad : {"", "s", "5x", "5 m", "m5", "1h30", "-5s", "5M", "99999999999999999999s",
                          "999999999999999999d", "9223372036854775807s1s"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(ConfigCodec, Format) {
  EXPECT_EQ(format_size(50 << 20), "50M");
  EXPECT_EQ(format_size(1 << 20), "1M");
  EXPECT_EQ(format_size(2048), "2K");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_duration(300), "5m");
  EXPECT_EQ(format_duration(90), "90s");
  EXPECT_EQ(format_duration(86400), "1d");
  EXPECT_EQ(format_duration(7200), "2h");
  EXPECT_EQ(format_duration(0), "0s");
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{1000}, int64_t{1024}, int64_t{5} << 30, int64_t{1536}}) {
    EXPECT_EQ(parse_size(format_size(v)), v);
  }
  for (int64_t v : {0, 1, 59, 60, 61, 3600, 5400, 86400, 90000}) EXPECT_EQ(parse_duration(format_duration(v)), v);
}

TEST(ConfigCodec, TomlString) {
  EXPECT_EQ(toml_string("a"), "\"a\"");
  EXPECT_EQ(toml_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(toml_string("a\nb\x01"), "\"a\\nb\\u0001\"");
  EXPECT_EQ(toml_string("é"), "\"é\"");
}

TEST(ConfigCodec, SchemaIsComplete) {
  // Every key names a known section, has a doc sentence and a getter/setter; sections are in table order.
  std::size_t section = 0;
  for (const auto& k : keys()) {
    while (section < sections().size() && sections()[section].name != k.section) ++section;
    ASSERT_LT(section, sections().size()) << k.section << "." << k.name << " is out of section order";
    EXPECT_FALSE(k.doc.empty()) << k.name;
    EXPECT_EQ(k.doc.back(), '.') << k.section << "." << k.name;
    EXPECT_TRUE(k.get && k.set) << k.name;
    if (k.type == Type::choice) {
      EXPECT_GE(k.choices.size(), 2u) << k.name;
    }
  }
  for (const auto& l : listeners()) {
    int found = 0;
    for (const auto& k : keys())
      if (k.section == l.section && (k.name == "enabled" || k.name == "port")) ++found;
    EXPECT_EQ(found, 2) << l.section;
  }
}

}  // namespace
}  // namespace axon::config::schema
