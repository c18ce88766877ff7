// auth/sasl: strict base64 (RFC 4648 §4 test vectors, padding, stray bits) and the PLAIN message (RFC 4616).
#include <gtest/gtest.h>

#include "auth/sasl.h"

using namespace axon::auth;
using namespace std::string_literals;

TEST(Sasl, Base64Rfc4648Vectors) {
  const std::pair<std::string, std::string> v[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                   {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                   {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, enc] : v) {
    EXPECT_EQ(encode_base64(plain), enc);
    auto d = decode_base64(enc);
    ASSERT_TRUE(d) << enc;
    EXPECT_EQ(*d, plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(*decode_base64(encode_base64(all)), all);
}

TEST(Sasl, Base64RefusesWhatIsNotStrict) {
  for (const char* bad : {"Zg", "Zg=", "Zm9", "Z===", "====", "Zg==Zg==", "Zm 9v", "Zm9v\r\n", "Zh==", "Zm9=",
                          "Zm=v", "Zm9v!A==", "\x80\x80\x80\x80"})
    EXPECT_FALSE(decode_base64(bad)) << bad;
}

TEST(Sasl, PlainMessage) {
  auto p = parse_plain("\0tim\0tanstaaftanstaaf"s);  // RFC 4616 §4
  ASSERT_TRUE(p);
  EXPECT_EQ(p->authzid, "");
  EXPECT_EQ(p->authcid, "tim");
  EXPECT_EQ(p->password, "tanstaaftanstaaf");
  p = parse_plain("Ursel\0Kurt\0xipj3plmq"s);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->authzid, "Ursel");
  EXPECT_EQ(p->authcid, "Kurt");
  for (auto bad : {"tim\0pw"s, "\0\0pw"s, "\0tim\0"s, "\0tim\0pw\0"s, "nonul"s, "\0"s + std::string(256, 'a') + "\0pw"s})
    EXPECT_FALSE(parse_plain(bad)) << bad.size();
}

TEST(Sasl, WipeClears) {
  std::string s = "secret";
  wipe(s);
  EXPECT_TRUE(s.empty());
}
