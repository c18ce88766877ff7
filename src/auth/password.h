// Password hashing with Argon2id (libsodium's crypto_pwhash_str: a PHC string "$argon2id$v=19$m=...,t=...,p=1$...").
// Security: sees plaintext passwords; never logs them; the plaintext buffer is the caller's to wipe.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace axon::auth {

struct HashCost {
  unsigned long long ops = 2;             // libsodium OPSLIMIT_INTERACTIVE
  std::size_t mem_bytes = 64u << 20;      // MEMLIMIT_INTERACTIVE (64 MiB)
};

core::Result<std::string> hash_password(std::string_view password, HashCost cost = {});
bool verify_password(std::string_view phc_hash, std::string_view password);
// True when the hash was made with weaker parameters than `cost` (rehash on next successful login).
bool needs_rehash(std::string_view phc_hash, HashCost cost = {});

}  // namespace axon::auth
