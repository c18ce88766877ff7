// Summary serialization: round trips, compactness, and corrupt input (truncation, flips, hostile counts and
// nesting) rejected without undefined behaviour.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "mime/render.h"
#include "mime/serialize.h"
#include "util.h"

namespace fs = std::filesystem;
using namespace axon::mime;
using namespace axon::mime::test;

namespace {

std::vector<std::string> corpus_summaries() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(AXON_MIME_CORPUS))
    if (e.path().extension() == ".eml") out.push_back(serialize(parse(read_file(e.path().string()))));
  return out;
}

TEST(MimeSerialize, RoundTripKeepsEverything) {
  Summary s = parse(read_file(std::string(AXON_MIME_CORPUS) + "/nested.eml"));
  s.truncated = true;
  auto back = deserialize(serialize(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
  Summary empty = parse("");
  EXPECT_EQ(*deserialize(serialize(empty)), empty);
}

TEST(MimeSerialize, VersionedAndCompact) {
  const std::string data = serialize(parse(read_file(std::string(AXON_MIME_CORPUS) + "/simple.eml")));
  EXPECT_EQ(static_cast<unsigned char>(data[0]), kSummaryVersion);
  EXPECT_LT(data.size(), 220u);  // the envelope text plus a few dozen octets
  std::string other = data;
  other[0] = static_cast<char>(kSummaryVersion + 1);
  auto r = deserialize(other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, axon::core::Errc::invalid);
}

TEST(MimeSerialize, RejectsEveryTruncationAndTrailingOctets) {
  for (const std::string& data : corpus_summaries()) {
    for (std::size_t n = 0; n < data.size(); ++n) ASSERT_FALSE(deserialize(data.substr(0, n)).ok()) << n;
    ASSERT_FALSE(deserialize(data + '\0').ok());
  }
}

TEST(MimeSerialize, FlippedOctetsNeverBreakAnything) {
  std::mt19937 rng(1);
  for (const std::string& data : corpus_summaries()) {
    for (int round = 0; round < 300; ++round) {
      std::string bad = data;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= static_cast<char>(1u << (rng() % 8));
      auto r = deserialize(bad);
      if (!r.ok()) continue;
      // Whatever passes the checks renders and round-trips.
      (void)imap_body(*r, true);
      (void)imap_envelope(*r);
      ASSERT_EQ(*deserialize(serialize(*r)), *r);
    }
  }
}

TEST(MimeSerialize, HostileCountsAndNesting) {
  // A count far beyond the input, in every place one is read.
  std::string huge_children;
  huge_children += static_cast<char>(kSummaryVersion);
  huge_children += '\x05';  // size 5
  huge_children += '\x00';  // flags
  huge_children += '\x81';  // mask: multipart | children ...
  huge_children += '\x40';  // ... bit 13
  huge_children += std::string("\x00\x00\x05\x00", 4);
  huge_children += "\xff\xff\xff\xff\x0f";  // 2^32 - 1 children
  EXPECT_FALSE(deserialize(huge_children).ok());
  EXPECT_FALSE(deserialize(std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12)).ok());  // 11-octet varint

  // 300 nested message parts: more than deserialize accepts (256).
  Part leaf;
  leaf.envelope.emplace();
  Part p = leaf;
  for (int i = 0; i < 300; ++i) {
    Part outer;
    outer.kind = PartKind::message;
    outer.envelope.emplace();
    outer.children.push_back(std::move(p));
    p = std::move(outer);
  }
  Summary deep;
  deep.root = std::move(p);
  auto r = deserialize(serialize(deep));
  ASSERT_FALSE(r.ok());
}

TEST(MimeSerialize, RejectsTreesTheParserCannotMake) {
  Summary s = parse(read_file(std::string(AXON_MIME_CORPUS) + "/rfc822_inside.eml"));
  Summary bad = s;
  bad.root.children[1].children[0].body_end -= 1;  // the enclosed message shorter than its part
  EXPECT_FALSE(deserialize(serialize(bad)).ok());
  bad = s;
  bad.root.children[0].kind = PartKind::leaf;
  bad.root.children[0].children.push_back(Part{});  // a leaf with parts
  EXPECT_FALSE(deserialize(serialize(bad)).ok());
  bad = s;
  bad.size += 1;  // the root must span the message
  EXPECT_FALSE(deserialize(serialize(bad)).ok());
  bad = s;
  bad.root.children[0].body_lines = bad.root.children[0].body_size() + 1;
  EXPECT_FALSE(deserialize(serialize(bad)).ok());
}

}  // namespace
