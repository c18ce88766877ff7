// axon_imap_loadgen: the load generator and probes of bench/imap-load (IMAP4rev1, RFC 3501). Parses the command
// line and runs one mode; prints what it measured and last a "RESULT key=value ..." line for the script.
// Exit status: 0 done without errors, 1 errors (shown), 2 usage, 3 nothing listens at the address (load mode).
// Security: the benchmark's own arguments and server.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "options.h"

namespace {

constexpr const char* kUsage = R"(usage: axon_imap_loadgen MODE [options]
modes:
  load          CLIENTS clients, each on its own account, loop for DURATION seconds: LOGIN, SELECT INBOX,
                FETCH 1:* (FLAGS), FETCH n (RFC822.SIZE BODY.PEEK[]) x BODIES, STORE +/-FLAGS (\Seen),
                APPEND, STORE +FLAGS (\Deleted), EXPUNGE, LOGOUT; prints commands/s, logins/s and errors
  select        time SELECT INBOX and FETCH 1:* (FLAGS) of --user's INBOX (REPEAT runs, median)
  partial       fetch the largest message of --user's INBOX whole, then in CHUNK partials; time and server RSS
  seed-maildir  write MESSAGES messages per account into DIR/<account>/Maildir/cur
  seed-smtp     send MESSAGES messages per account by SMTP to --port (pipelined)
  seed-imap     APPEND MESSAGES messages per account over IMAP
options:
  --host H (127.0.0.1)  --port P (143)  --password PW (bench-password)  --timeout SECONDS (60)
  --users FORMAT (user%@bench.test; % is 1..ACCOUNTS)  --accounts N (CLIENTS)  --user NAME (one account)
  --clients N (50)  --duration SECONDS (20)  --literal auto|sync|plus (auto)  --bodies N (2)
  --append-size OCTETS (2048)
  --expect N (0: any)  --repeat N (3)  --chunk OCTETS (1048576)
  --dir DIR  --messages N (20)  --size OCTETS (4096)  --vary (sizes SIZE/2..3*SIZE/2)  --connections N (8)
)";

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "axon_imap_loadgen: %s\n%s", why.c_str(), kUsage);
  std::exit(2);
}

long long number(std::string_view opt, const char* v, long long min, long long max) {
  char* end = nullptr;
  const long long n = std::strtoll(v, &end, 10);
  if (*v == '\0' || *end != '\0' || n < min || n > max)
    usage(std::string(opt) + ": expected a number from " + std::to_string(min) + " to " + std::to_string(max));
  return n;
}

double real(std::string_view opt, const char* v) {
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  if (*v == '\0' || *end != '\0' || !(d > 0)) usage(std::string(opt) + ": expected a positive number");
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bench;
  if (argc < 2) usage("no mode");
  Options o;
  o.mode = argv[1];
  if (o.mode == "-h" || o.mode == "--help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  for (int i = 2; i < argc; ++i) {
    const std::string_view opt = argv[i];
    if (opt == "--vary") {
      o.vary = true;
      continue;
    }
    if (i + 1 >= argc) usage(std::string(opt) + ": missing value");
    const char* v = argv[++i];
    if (opt == "--host") o.host = v;
    else if (opt == "--port") o.port = static_cast<int>(number(opt, v, 1, 65535));
    else if (opt == "--password") o.password = v;
    else if (opt == "--timeout") o.timeout = real(opt, v);
    else if (opt == "--users") o.users = v;
    else if (opt == "--accounts") o.accounts = static_cast<int>(number(opt, v, 1, 1000000));
    else if (opt == "--user") o.user = v;
    else if (opt == "--clients") o.clients = static_cast<int>(number(opt, v, 1, 100000));
    else if (opt == "--duration") o.duration = real(opt, v);
    else if (opt == "--literal") o.literal = v;
    else if (opt == "--bodies") o.bodies = static_cast<int>(number(opt, v, 0, 100));
    else if (opt == "--append-size") o.append_size = static_cast<std::size_t>(number(opt, v, 512, 1 << 30));
    else if (opt == "--expect") o.expect = static_cast<long>(number(opt, v, 0, 1LL << 31));
    else if (opt == "--repeat") o.repeat = static_cast<int>(number(opt, v, 1, 1000));
    else if (opt == "--chunk") o.chunk = static_cast<std::size_t>(number(opt, v, 1, 1LL << 31));
    else if (opt == "--dir") o.dir = v;
    else if (opt == "--messages") o.messages = static_cast<int>(number(opt, v, 1, 100000000));
    else if (opt == "--size") o.size = static_cast<std::size_t>(number(opt, v, 512, 1LL << 32));
    else if (opt == "--connections") o.connections = static_cast<int>(number(opt, v, 1, 1000));
    else usage("unknown option " + std::string(opt));
  }
  if (o.literal != "auto" && o.literal != "sync" && o.literal != "plus") usage("--literal: auto, sync or plus");
  if ((o.mode == "select" || o.mode == "partial") && o.user.empty()) usage(o.mode + " needs --user");
  try {
    if (o.mode == "load") return run_load(o);
    if (o.mode == "select") return run_select(o);
    if (o.mode == "partial") return run_partial(o);
    if (o.mode == "seed-maildir") return run_seed_maildir(o);
    if (o.mode == "seed-smtp") return run_seed_smtp(o);
    if (o.mode == "seed-imap") return run_seed_imap(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "axon_imap_loadgen %s: %s\n", o.mode.c_str(), e.what());
    return 1;
  }
  usage("unknown mode " + o.mode);
}
