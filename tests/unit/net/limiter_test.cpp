// net::ConnectionLimiter: totals, per-client counts, and the client key (IPv4 per address, IPv6 per /64,
// IPv4-mapped IPv6 as IPv4).
#include <gtest/gtest.h>

#include "net/limiter.h"

using axon::net::ConnectionLimiter;

TEST(ConnectionLimiter, ClientKey) {
  EXPECT_EQ(ConnectionLimiter::client_key("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(ConnectionLimiter::client_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(ConnectionLimiter::client_key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(ConnectionLimiter::client_key("2001:DB8:1:2:ffff::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(ConnectionLimiter::client_key("::1"), "::/64");
  EXPECT_EQ(ConnectionLimiter::client_key("::ffff:192.0.2.1"), "192.0.2.1");  // RFC 4291 §2.5.5.2
  EXPECT_EQ(ConnectionLimiter::client_key("not an address"), "not an address");
  EXPECT_EQ(ConnectionLimiter::client_key("1:2:3"), "1:2:3");
}

TEST(ConnectionLimiter, Ipv6CountsPerSlash64) {
  ConnectionLimiter l(100, 2);
  auto a = l.try_acquire("2001:db8:1:2::1");
  auto b = l.try_acquire("2001:db8:1:2:ffff::9");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(l.try_acquire("2001:db8:1:2::abcd"));  // a third address of the same /64
  auto other = l.try_acquire("2001:db8:1:3::1");      // the next /64 is another client
  EXPECT_TRUE(other);
  a.reset();
  EXPECT_TRUE(l.try_acquire("2001:db8:1:2::abcd"));  // released slot (the temporary releases it again)
  EXPECT_EQ(l.total(), 2u);
}

TEST(ConnectionLimiter, Ipv4PerAddressAndMapped) {
  ConnectionLimiter l(100, 2);
  auto a = l.try_acquire("192.0.2.1");
  auto b = l.try_acquire("192.0.2.1");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(l.try_acquire("192.0.2.1"));
  EXPECT_FALSE(l.try_acquire("::ffff:192.0.2.1"));  // the same host over an IPv4-mapped address
  auto c = l.try_acquire("192.0.2.2");              // the neighbour is another client
  EXPECT_TRUE(c);
  EXPECT_EQ(l.total(), 3u);
}

TEST(ConnectionLimiter, Total) {
  ConnectionLimiter l(2, 10);
  auto a = l.try_acquire("192.0.2.1");
  auto b = l.try_acquire("2001:db8::1");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(l.try_acquire("192.0.2.9"));
  b.reset();
  EXPECT_TRUE(l.try_acquire("192.0.2.9"));
}
