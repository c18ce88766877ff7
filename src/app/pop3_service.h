// app::Pop3Service — wires pop3::Session to the network driver: one session per connection, on the server's mail
// store, logins (LoginService) and group commit (GroupSync); the adapter adds the log lines (login, logout with
// what the session did), which the sans-I/O session does not write itself.
#pragma once

#include "auth/authenticator.h"
#include "net/session.h"
#include "pop3/session.h"
#include "store/group_sync.h"
#include "store/mail_store.h"

namespace axon::app {

struct Pop3ServiceOptions {
  pop3::SessionConfig session;  // the same for pop3 and pop3s: TLS is known per connection
};

// A factory for the network driver. Everything passed must outlive the server's sessions.
net::SessionFactory make_pop3_factory(const Pop3ServiceOptions& opts, store::MailStore& store,
                                      auth::Authenticator& auth, store::SyncService& sync);

}  // namespace axon::app
