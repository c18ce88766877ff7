#include "auth/password.h"

#include <sodium.h>

#include <string>

namespace axon::auth {

namespace {
bool init() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}
}  // namespace

core::Result<std::string> hash_password(std::string_view password, HashCost cost) {
  if (!init()) return core::make_error(core::Errc::unavailable, "libsodium failed to initialize");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return core::make_error(core::Errc::temporary, "argon2id hashing failed (out of memory?)");
  return std::string(out);
}

bool verify_password(std::string_view phc_hash, std::string_view password) {
  if (!init() || phc_hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string h(phc_hash);  // needs NUL termination
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view phc_hash, HashCost cost) {
  if (!init() || phc_hash.size() >= crypto_pwhash_STRBYTES) return true;
  std::string h(phc_hash);
  return crypto_pwhash_str_needs_rehash(h.c_str(), cost.ops, cost.mem_bytes) != 0;
}

}  // namespace axon::auth
