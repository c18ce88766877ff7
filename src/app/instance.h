// app::Instance — what every CLI command needs: the config it was pointed at and the store it names.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "config/config.h"
#include "store/store.h"

namespace axon::app {

// Exit statuses: 0 ok, 1 the operation failed (user not found, ...), 2 bad config/usage/startup.
inline constexpr int exit_ok = 0, exit_failed = 1, exit_config = 2;

struct Instance {
  config::Config cfg;
  std::unique_ptr<store::Store> store;
};

// How a command uses the store: `serve` owns it (recovers after a crash, publishes what it made durable: see
// store/mail_store.h); `init` and changing commands write (and migrate the schema); the list commands only read,
// taking no write lock, so they never wait behind (or fail beside) a busy server.
enum class Access { serve, read_write, read_only };

// Loads the config and opens the store; on failure prints one line to stderr and returns the exit status.
int open_instance(const std::filesystem::path& config_file, Instance& out, Access access = Access::read_write);

int cmd_init(const std::filesystem::path& dir, const config::InitParams& params, bool force);
int cmd_serve(const std::filesystem::path& config_file);

}  // namespace axon::app
