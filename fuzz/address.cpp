// Fuzzes core::parse_mailbox (untrusted MAIL FROM / RCPT TO paths).
#include <cstdint>
#include <string_view>

#include "core/address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto a = axon::core::parse_mailbox(s, size % 2 == 0);
  if (a) (void)a->key();
  (void)axon::core::valid_domain(s, true);
  return 0;
}
