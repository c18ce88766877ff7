#include <gtest/gtest.h>

#include "auth/password.h"

using namespace axon::auth;

namespace {
// Cheap parameters keep the test fast; the algorithm is the same.
const HashCost kCheap{1, 8u << 10};
}  // namespace

TEST(AuthPassword, HashIsArgon2idAndVerifies) {
  auto h = hash_password("correct horse", kCheap);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(*h, "correct horse"));
  EXPECT_FALSE(verify_password(*h, "correct horsf"));
  EXPECT_FALSE(verify_password(*h, ""));
}

TEST(AuthPassword, SaltedSoHashesDiffer) {
  EXPECT_NE(*hash_password("pw", kCheap), *hash_password("pw", kCheap));
}

TEST(AuthPassword, GarbageHashNeverVerifies) {
  EXPECT_FALSE(verify_password("", "pw"));
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=8,t=1,p=1$broken", "pw"));
  EXPECT_FALSE(verify_password(std::string(500, 'x'), "pw"));
}

TEST(AuthPassword, WeakHashNeedsRehash) {
  auto h = hash_password("pw", kCheap);
  EXPECT_TRUE(needs_rehash(*h));
  EXPECT_FALSE(needs_rehash(*h, kCheap));
}
