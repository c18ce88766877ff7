// app::make_imap_factory — imap::Session per connection for the network driver, with the store, the logins and
// the group commit it shares with every other session; and app::MimeSummarizer, the store's Summarizer (the MIME
// structure FETCH needs, made once when a message is stored).
#pragma once

#include "auth/authenticator.h"
#include "imap/session.h"
#include "net/session.h"
#include "store/group_sync.h"
#include "store/mail_store.h"

namespace axon::app {

net::SessionFactory make_imap_factory(const imap::SessionConfig& cfg, store::MailStore& store,
                                      auth::Authenticator& auth, store::SyncService& sync);

class MimeSummarizer final : public store::Summarizer {
 public:
  std::string summarize(int fd, uint64_t offset, uint64_t size) override;
};

}  // namespace axon::app
