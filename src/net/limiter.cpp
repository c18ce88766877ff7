// The client key of net::ConnectionLimiter: IPv4 per address, IPv6 per /64 (see limiter.h).
// Security: sees peer addresses as accept() reported them; inet_pton bounds the parse.
#include "net/limiter.h"

#include <arpa/inet.h>

#include <cstring>

namespace axon::net {

std::string ConnectionLimiter::client_key(const std::string& ip) {
  unsigned char a[16];
  if (ip.find(':') == std::string::npos || inet_pton(AF_INET6, ip.c_str(), a) != 1) return ip;
  static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char text[INET6_ADDRSTRLEN];
  if (std::memcmp(a, v4_mapped, sizeof v4_mapped) == 0)  // RFC 4291 §2.5.5.2: ::ffff:192.0.2.1 is 192.0.2.1
    return inet_ntop(AF_INET, a + 12, text, sizeof text) ? std::string(text) : ip;
  std::memset(a + 8, 0, 8);  // the /64 prefix
  return inet_ntop(AF_INET6, a, text, sizeof text) ? std::string(text) + "/64" : ip;
}

}  // namespace axon::net
