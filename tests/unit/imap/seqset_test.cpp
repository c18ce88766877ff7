// Sequence sets (imap/seqset.h): parsing, resolution against the largest number in use, formatting.
#include <gtest/gtest.h>

#include "imap/seqset.h"

using namespace axon::imap;
using R = std::vector<Range>;

namespace {

SequenceSet set(std::string_view s) {
  auto p = SequenceSet::parse(s, 100);
  EXPECT_TRUE(p.ok()) << s << ": " << (p.ok() ? "" : p.error());
  return p.ok() ? *p : SequenceSet{};
}

}  // namespace

TEST(ImapSeqset, Parse) {
  SequenceSet s = set("1:5,7,9:*,$");
  ASSERT_EQ(s.elements().size(), 3u);
  EXPECT_EQ(s.elements()[0], (SequenceSet::Element{1, 5}));
  EXPECT_EQ(s.elements()[1], (SequenceSet::Element{7, 7}));
  EXPECT_EQ(s.elements()[2], (SequenceSet::Element{9, SequenceSet::kStar}));
  EXPECT_TRUE(s.has_saved());
  EXPECT_TRUE(s.has_star());
  EXPECT_EQ(s.max_number(), 9u);
  EXPECT_EQ(set("4294967295").max_number(), 4294967295u);
  EXPECT_FALSE(set("1").has_star());
  const char* bad[] = {"", "0", "1:", ":1", "*:", "1,", ",", "1::2", "4294967296", "a", "1:a", "-1", "00", "1 "};
  for (const char* b : bad) EXPECT_FALSE(SequenceSet::parse(b, 100).ok()) << b;
  EXPECT_FALSE(SequenceSet::parse("1,2,3", 2).ok());
  EXPECT_TRUE(SequenceSet::parse("1,2,$", 2).ok());  // "$" is not a range
}

TEST(ImapSeqset, Resolve) {
  EXPECT_EQ(set("1:5,7,9:*").resolve(10), (R{{1, 5}, {7, 7}, {9, 10}}));
  EXPECT_EQ(set("5:1").resolve(10), (R{{1, 5}}));            // reversed ranges are the same range
  EXPECT_EQ(set("*").resolve(10), (R{{10, 10}}));
  EXPECT_EQ(set("*:4").resolve(10), (R{{4, 10}}));
  // RFC 9051 §6.4.8: "n:*" with n above the largest UID still matches the largest UID.
  EXPECT_EQ(set("100:*").resolve(50), (R{{50, 50}}));
  EXPECT_EQ(set("100:200").resolve(50), (R{}));              // beyond: nothing
  EXPECT_EQ(set("40:200").resolve(50), (R{{40, 50}}));
  EXPECT_EQ(set("1:*").resolve(0), (R{}));                   // empty mailbox
  EXPECT_EQ(set("3,1,2,2:4,9,8").resolve(100), (R{{1, 4}, {8, 9}}));
  EXPECT_EQ(set("1:4294967295").resolve(4294967295u), (R{{1, 4294967295u}}));
  const R saved = {{2, 3}, {20, 30}};
  EXPECT_EQ(set("$").resolve(25, saved), (R{{2, 3}, {20, 25}}));
  EXPECT_EQ(set("1,$").resolve(25, saved), (R{{1, 3}, {20, 25}}));
  EXPECT_EQ(set("1").resolve(25, saved), (R{{1, 1}}));  // without "$" the saved result is not used
}

TEST(ImapSeqset, Helpers) {
  const R r = normalize({{5, 7}, {1, 2}, {3, 3}, {10, 9}});
  EXPECT_EQ(r, (R{{1, 3}, {5, 7}, {9, 10}}));
  EXPECT_TRUE(contains(r, 1));
  EXPECT_FALSE(contains(r, 4));
  EXPECT_TRUE(contains(r, 7));
  EXPECT_FALSE(contains(r, 8));
  EXPECT_TRUE(contains(r, 10));
  EXPECT_FALSE(contains(r, 11));
  EXPECT_FALSE(contains(R{}, 1));
  EXPECT_EQ(count(r), 8u);
  const uint32_t nums[] = {9, 1, 2, 3, 5};
  EXPECT_EQ(to_ranges(nums), (R{{1, 3}, {5, 5}, {9, 9}}));
  EXPECT_EQ(count(R{{1, 4294967295u}}), 4294967295u);
}

TEST(ImapSeqset, Format) {
  EXPECT_EQ(format_ranges(R{{1, 3}, {5, 5}}), "1:3,5");
  EXPECT_EQ(format_ranges(R{}), "");
  const uint32_t a[] = {1, 2, 3, 5};
  EXPECT_EQ(format_numbers(a), "1:3,5");
  const uint32_t b[] = {3, 1};  // COPYUID keeps the order of correspondence
  EXPECT_EQ(format_numbers(b), "3,1");
  const uint32_t c[] = {4294967294u, 4294967295u};
  EXPECT_EQ(format_numbers(c), "4294967294:4294967295");
  const uint32_t d[] = {7};
  EXPECT_EQ(format_numbers(d), "7");
  const uint32_t e[] = {1, 2, 4, 5, 6, 8};
  EXPECT_EQ(format_numbers(e), "1:2,4:6,8");
  // Parsing the formatted set gives the same numbers back.
  EXPECT_EQ(set(format_numbers(e)).resolve(100), to_ranges(e));
}
