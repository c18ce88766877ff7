// app::SmtpService — wires smtp::ServerSession to the network driver and the spool: one net::Session adapter per
// connection, which turns the session's SpoolMessage action into Spool::submit and resumes the session with the
// result on its strand. Also the optional SMTP communication logs (transcripts).
#pragma once

#include <filesystem>
#include <memory>

#include "app/directory_cache.h"
#include "core/clock.h"
#include "net/server.h"
#include "queue/spool.h"
#include "smtp/server_session.h"

namespace axon::app {

struct SmtpServiceOptions {
  smtp::SessionConfig session;
  bool transcripts = false;
  std::filesystem::path transcript_dir;
  std::size_t transcript_max_bytes = 1u << 20;
};

// A factory for the network driver.
net::SessionFactory make_smtp_factory(const SmtpServiceOptions& opts, const DirectoryCache& directory,
                                      queue::Spool& spool, const core::Clock& clock);

}  // namespace axon::app
