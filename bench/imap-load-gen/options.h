// bench options: the command line of axon_imap_loadgen, shared by its modes (see main.cpp for the usage text).
// Security: none; the benchmark's own arguments.
#pragma once

#include <cstddef>
#include <string>

namespace bench {

struct Options {
  std::string mode = "load";
  std::string host = "127.0.0.1";
  int port = 143;
  std::string users = "user%@bench.test";  // "%" is replaced by the account number, 1 to accounts
  int accounts = 0;                        // 0: as many as clients
  std::string user;                        // the one account of the select and partial modes (and of seeding)
  std::string password = "bench-password";
  double timeout = 60;  // seconds a command may take before it counts as an error

  // load
  int clients = 50;
  double duration = 20;
  std::string literal = "auto";  // APPEND literals: auto (LITERAL+ when announced), sync, plus
  int bodies = 2;                // whole messages fetched per session
  std::size_t append_size = 2048;

  // select
  long expect = 0;  // messages the mailbox must hold (0: any)
  int repeat = 3;

  // partial
  std::size_t chunk = std::size_t{1} << 20;

  // seeding
  std::string dir;        // seed-maildir: home directories are DIR/<account>/Maildir
  int messages = 20;      // per account
  std::size_t size = 4096;
  bool vary = false;      // sizes from size/2 to 3*size/2 (bench::seeded_size) instead of exactly size
  int connections = 8;    // seed-smtp, seed-imap: parallel connections
  std::string from = "seed@bench.test";

  // The login name of account n (1-based).
  std::string account(int n) const {
    std::string out = users;
    const std::size_t at = out.find('%');
    if (at != std::string::npos) out.replace(at, 1, std::to_string(n));
    return out;
  }
  int account_count() const { return accounts > 0 ? accounts : clients; }
};

int run_load(const Options& o);
int run_select(const Options& o);
int run_partial(const Options& o);
int run_seed_maildir(const Options& o);
int run_seed_smtp(const Options& o);
int run_seed_imap(const Options& o);

}  // namespace bench
