// app::SmtpService — wires smtp::ServerSession to the network driver and the spool: one net::Session adapter per
// connection, which turns the session's SpoolMessage action into Spool::submit and resumes the session with the
// result on its strand. Also the optional SMTP communication logs: the session records them (it knows commands
// from message data), the adapter writes them with log::Transcript.
#pragma once

#include <memory>

#include "app/directory_cache.h"
#include "core/clock.h"
#include "log/transcript.h"
#include "net/server.h"
#include "queue/spool.h"
#include "smtp/server_session.h"

namespace axon::app {

struct SmtpServiceOptions {
  smtp::SessionConfig session;                 // session.transcript must be set when `transcripts` is
  const log::TranscriptDir* transcripts = nullptr;  // communication logs, or none
};

// A factory for the network driver.
net::SessionFactory make_smtp_factory(const SmtpServiceOptions& opts, const DirectoryCache& directory,
                                      queue::Spool& spool, const core::Clock& clock);

}  // namespace axon::app
