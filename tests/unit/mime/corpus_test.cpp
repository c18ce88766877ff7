// Golden files: for every corpus/NAME.eml, NAME.expected holds the exact BODY, BODYSTRUCTURE and ENVELOPE (each
// after a "=== NAME" line, literals with their CRLF). They were checked against Dovecot 2.3 (corpus/README.md
// lists where Axon deliberately differs). Each message is also parsed in 1-, 7- and 4096-octet chunks and must
// give the same Summary, and its Summary must survive serialize/deserialize.
// AXON_MIME_UPDATE_GOLDEN=1 rewrites the .expected files from the current output (review the diff!).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mime/render.h"
#include "mime/serialize.h"
#include "util.h"

namespace fs = std::filesystem;
using namespace axon::mime;
using namespace axon::mime::test;

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(AXON_MIME_CORPUS))
    if (e.path().extension() == ".eml") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string render_all(const Summary& s) {
  return "=== BODY\n" + imap_body(s, false) + "\n=== BODYSTRUCTURE\n" + imap_body(s, true) + "\n=== ENVELOPE\n" +
         imap_envelope(s) + "\n";
}

class MimeCorpus : public testing::TestWithParam<std::string> {};

TEST_P(MimeCorpus, MatchesGolden) {
  const std::string base = std::string(AXON_MIME_CORPUS) + "/" + GetParam();
  const std::string msg = read_file(base + ".eml");
  const Summary s = parse(msg);
  const std::string got = render_all(s);
  if (std::getenv("AXON_MIME_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(base + ".expected", std::ios::binary) << got;
  }
  ASSERT_TRUE(fs::exists(base + ".expected")) << "no golden file for " << GetParam();
  EXPECT_EQ(got, read_file(base + ".expected"));

  for (std::size_t chunk : {1, 7, 4096}) EXPECT_EQ(parse_chunks(msg, chunk), s) << "chunk " << chunk;
  auto back = deserialize(serialize(s));
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_EQ(*back, s);
}

std::string name_of(const testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Corpus, MimeCorpus, testing::ValuesIn(corpus()), name_of);

}  // namespace
