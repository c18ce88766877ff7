// auth::Authenticator — password logins for the mail readers (IMAP, POP3) and later submission. Asynchronous:
// verifying an Argon2id hash takes tens of milliseconds and a failure is answered late on purpose, so a session
// asks and is called back, never blocking its network thread.
// Thread-safety: login() may be called from any thread; `done` runs on another thread, later, exactly once.
// Security: sees plaintext passwords; never logs them or keeps them beyond the call (the cache keeps a keyed hash).
#pragma once

#include <functional>
#include <string>

#include "core/error.h"
#include "store/ids.h"

namespace axon::auth {

struct Credentials {
  std::string username;  // as the client sent it: an address, compared case-insensitively
  std::string password;
  std::string peer_ip;   // for the per-IP failure limit
};

struct LoginOk {
  store::AccountId account;
  std::string address;  // the account's canonical (lower-cased) address
};

// Errors: Errc::permanent for bad credentials (after the failure delay), Errc::limit when the peer failed too
// often lately, Errc::temporary when the store could not answer.
using LoginDone = std::function<void(core::Result<LoginOk>)>;

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual void login(Credentials credentials, LoginDone done) = 0;
};

}  // namespace axon::auth
