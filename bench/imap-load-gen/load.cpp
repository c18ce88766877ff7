// bench load mode: N IMAP4rev1 clients on one epoll loop, each on its own account, each looping for the duration
// through one session: LOGIN, SELECT INBOX, FETCH 1:* (FLAGS), FETCH n (RFC822.SIZE BODY.PEEK[]) for a few
// messages, STORE +FLAGS or -FLAGS (\Seen) on them (alternating, so that every STORE changes a flag), APPEND a
// small message (a synchronizing literal after the "+" continuation, RFC 3501 §7.5, or LITERAL+, RFC 7888),
// STORE +FLAGS (\Deleted) on it, EXPUNGE, LOGOUT (the server closes, §6.1.3). Every tagged response must be OK
// and every untagged one must agree (as many FETCH responses as EXISTS, a body literal as long as its
// RFC822.SIZE, an EXISTS after APPEND and an EXPUNGE after EXPUNGE): anything else is an error, counted and
// shown; the client then reconnects after 200 ms. Commands completed before the deadline are counted; the
// sessions under way then finish, still checked. Security: the benchmark's own server's bytes.
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "imap_reader.h"
#include "message.h"
#include "options.h"
#include "util.h"

namespace bench {

namespace {

enum class Step : std::uint8_t {
  connecting, greeting, login, select, fetch_flags, fetch_body, store_seen, append_wait_plus, append, noop,
  store_deleted, expunge, logout, closing, retry_wait, done
};
const char* step_name(Step s) {
  constexpr const char* names[] = {"connect", "greeting", "LOGIN", "SELECT", "FETCH 1:* (FLAGS)", "FETCH BODY.PEEK[]",
                                   "STORE \\Seen", "APPEND (waiting for +)", "APPEND", "NOOP", "STORE \\Deleted",
                                   "EXPUNGE", "LOGOUT", "close after LOGOUT", "retry", "done"};
  return names[static_cast<int>(s)];
}

// Commands timed and counted, by kind.
enum Kind { k_login, k_select, k_fetch_flags, k_fetch_body, k_store_seen, k_append, k_noop, k_store_deleted,
            k_expunge, k_logout, kKinds };
constexpr const char* kKindNames[kKinds] = {"LOGIN", "SELECT", "FETCH FLAGS", "FETCH BODY", "STORE \\Seen", "APPEND",
                                            "NOOP", "STORE \\Deleted", "EXPUNGE", "LOGOUT"};

struct Client {
  int id = 0;
  std::string user;
  int fd = -1;
  Step step = Step::done;
  bool dead = false;  // failed while its responses were being handled
  std::string out;
  std::size_t out_off = 0;
  bool want_write = false;
  ResponseReader reader;
  std::string tag;
  std::uint64_t tag_n = 0;
  Kind kind = k_login;
  Clock::time_point sent_at, timeout_at, retry_at;
  std::string caps;
  std::uint32_t exists = 0, exists_before = 0, fetches = 0, expunges = 0;
  std::vector<std::uint32_t> body_msgs;
  std::size_t body_at = 0;
  bool body_seen = false;
  bool saw_bye = false;
  std::uint64_t iter = 0;
  std::string append_msg;
};

struct Stats {
  std::uint64_t commands = 0, logins = 0, sessions = 0;  // completed before the deadline
  std::uint64_t errors = 0, refused = 0, literal_plus = 0, literal_sync = 0;
  std::vector<std::string> first_errors;
  std::vector<std::uint32_t> latency_us[kKinds];
};

class Load {
 public:
  explicit Load(const Options& o) : o_(o) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) throw std::runtime_error("epoll_create1");
    clients_.resize(static_cast<std::size_t>(o.clients));
    for (int i = 0; i < o.clients; ++i) {
      clients_[i].id = i;
      clients_[i].user = o.account(i + 1);
    }
  }
  ~Load() { close(ep_); }

  int run();

 private:
  void start_session(Client& c);
  void on_event(Client& c, std::uint32_t events);
  void on_connected(Client& c);
  void on_readable(Client& c);
  void handle(Client& c, Response& r);
  void on_tagged(Client& c, Response& r);
  void send(Client& c, Kind kind, Step step, const std::string& command, const std::string& literal = {});
  void flush(Client& c);
  void watch(Client& c, bool write);
  void fail(Client& c, const std::string& why);
  void close_fd(Client& c);
  void report(double elapsed) const;

  const Options& o_;
  int ep_;
  std::vector<Client> clients_;
  Stats st_;
  Clock::time_point start_, deadline_;
  Clock::time_point now_;
};

void Load::watch(Client& c, bool write) {
  epoll_event ev{};
  ev.events = EPOLLIN | (write ? EPOLLOUT : 0u);
  ev.data.u32 = static_cast<std::uint32_t>(c.id);
  epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_write = write;
}

void Load::close_fd(Client& c) {
  if (c.fd >= 0) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
  }
  c.fd = -1;
  c.out.clear();
  c.out_off = 0;
  c.want_write = false;
}

void Load::fail(Client& c, const std::string& why) {
  ++st_.errors;
  if (st_.first_errors.size() < 10)
    st_.first_errors.push_back(c.user + " in " + step_name(c.step) + ": " + why);
  close_fd(c);
  c.dead = true;
  c.step = Step::retry_wait;
  c.retry_at = now_ + std::chrono::milliseconds(200);
}

void Load::start_session(Client& c) {
  c.dead = false;
  if (now_ >= deadline_) {
    c.step = Step::done;
    return;
  }
  c.reader.reset();
  c.caps.clear();
  c.exists = c.fetches = c.expunges = 0;
  c.saw_bye = false;
  c.step = Step::connecting;
  c.timeout_at = now_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.timeout));
  try {
    c.fd = connect_nonblocking(o_.host, o_.port);
  } catch (const std::exception& e) {
    c.fd = -1;
    fail(c, e.what());
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.u32 = static_cast<std::uint32_t>(c.id);
  epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
}

void Load::on_connected(Client& c) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    if (err == ECONNREFUSED) ++st_.refused;
    fail(c, std::string("connect: ") + std::strerror(err));
    return;
  }
  c.step = Step::greeting;
  watch(c, false);
}

void Load::on_event(Client& c, std::uint32_t events) {
  if (c.step == Step::connecting) {
    on_connected(c);
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(c);
  if (c.fd >= 0 && !c.dead && (events & EPOLLOUT)) flush(c);
}

void Load::on_readable(Client& c) {
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n > 0) {
      std::string error;
      c.dead = false;
      const bool ok = c.reader.feed(
          std::string_view(buf, static_cast<std::size_t>(n)),
          [&](Response& r) {
            if (!c.dead) handle(c, r);
          },
          &error);
      if (c.dead) return;
      if (!ok) return fail(c, error);
      continue;
    }
    if (n == 0) {
      if (c.step == Step::closing) {
        close_fd(c);
        ++c.iter;
        start_session(c);
      } else {
        fail(c, "server closed the connection");
      }
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;
    return fail(c, std::string("recv: ") + std::strerror(errno));
  }
}

void Load::send(Client& c, Kind kind, Step step, const std::string& command, const std::string& literal) {
  c.tag = "a" + std::to_string(++c.tag_n);
  c.kind = kind;
  c.step = step;
  c.out.append(c.tag).append(" ").append(command).append("\r\n");
  if (!literal.empty()) c.out.append(literal).append("\r\n");
  c.sent_at = now_;
  c.timeout_at = now_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.timeout));
  flush(c);
}

void Load::flush(Client& c) {
  while (c.out_off < c.out.size()) {
    const ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (!c.want_write) watch(c, true);
      return;
    }
    return fail(c, std::string("send: ") + std::strerror(errno));
  }
  c.out.clear();
  c.out_off = 0;
  if (c.want_write) watch(c, false);
}

void Load::handle(Client& c, Response& r) {
  if (auto caps = capabilities_in(r.text); !caps.empty()) c.caps = std::move(caps);
  if (r.kind == Response::Kind::continuation) {
    if (c.step != Step::append_wait_plus) return fail(c, "unexpected continuation request: " + r.text.substr(0, 200));
    c.step = Step::append;
    c.out.append(c.append_msg).append("\r\n");
    flush(c);
    return;
  }
  if (r.kind == Response::Kind::tagged) return on_tagged(c, r);
  // Untagged.
  if (c.step == Step::greeting) {
    if (r.word != "OK") return fail(c, "greeting is not * OK: " + r.text.substr(0, 200));
    send(c, k_login, Step::login, "LOGIN \"" + c.user + "\" \"" + o_.password + "\"");
    return;
  }
  if (r.word == "EXISTS") {
    c.exists = r.number;
  } else if (r.word == "EXPUNGE") {
    ++c.expunges;
    if (c.exists > 0) --c.exists;
  } else if (r.word == "FETCH") {
    ++c.fetches;
    if (c.step == Step::fetch_body && r.number == c.body_msgs[c.body_at] && !r.literals.empty()) {
      const long long size = number_after(r.text, "RFC822.SIZE");
      if (r.literals.size() != 1 || size < 0 || static_cast<std::size_t>(size) != r.literals[0])
        return fail(c, "body of message " + std::to_string(r.number) + " is " + std::to_string(r.literals[0]) +
                           " octets, RFC822.SIZE says " + std::to_string(size) + ": " + r.text.substr(0, 200));
      c.body_seen = true;
    }
  } else if (r.word == "BYE") {
    if (c.step != Step::logout) return fail(c, "server said " + r.text.substr(0, 200));
    c.saw_bye = true;
  }
}

void Load::on_tagged(Client& c, Response& r) {
  if (r.tag != c.tag) return fail(c, "tagged response for another command: " + r.text.substr(0, 200));
  if (r.status != "OK") return fail(c, r.text.substr(0, 300));
  if (c.step == Step::append_wait_plus) return fail(c, "APPEND completed without taking its literal");
  if (now_ <= deadline_) {
    ++st_.commands;
    if (c.kind == k_login) ++st_.logins;
    st_.latency_us[c.kind].push_back(
        static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(now_ - c.sent_at).count()));
  }
  const std::size_t n_bodies = static_cast<std::size_t>(o_.bodies);
  switch (c.step) {
    case Step::login:
      send(c, k_select, Step::select, "SELECT INBOX");
      return;
    case Step::select: {
      if (c.exists == 0) return fail(c, "INBOX is empty (not seeded?)");
      std::string upper = r.text;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (upper.find("[READ-WRITE]") == std::string::npos) return fail(c, "SELECT not READ-WRITE: " + r.text);
      c.fetches = 0;
      send(c, k_fetch_flags, Step::fetch_flags, "FETCH 1:* (FLAGS)");
      return;
    }
    case Step::fetch_flags: {
      if (c.fetches != c.exists)
        return fail(c, std::to_string(c.fetches) + " FETCH responses for " + std::to_string(c.exists) + " messages");
      c.body_msgs.clear();
      for (std::size_t j = 0; j < n_bodies; ++j)
        c.body_msgs.push_back(static_cast<std::uint32_t>((n_bodies * c.iter + j) % c.exists + 1));
      c.body_at = 0;
      if (c.body_msgs.empty()) c.body_msgs.push_back(static_cast<std::uint32_t>(c.iter % c.exists + 1));
      else {
        c.body_seen = false;
        send(c, k_fetch_body, Step::fetch_body,
             "FETCH " + std::to_string(c.body_msgs[0]) + " (RFC822.SIZE BODY.PEEK[])");
        return;
      }
      [[fallthrough]];
    }
    case Step::fetch_body: {
      if (c.step == Step::fetch_body) {
        if (!c.body_seen) return fail(c, "no FETCH response with the message's body");
        if (++c.body_at < c.body_msgs.size()) {
          c.body_seen = false;
          send(c, k_fetch_body, Step::fetch_body,
               "FETCH " + std::to_string(c.body_msgs[c.body_at]) + " (RFC822.SIZE BODY.PEEK[])");
          return;
        }
      }
      // Alternately set and clear \Seen, so that each STORE changes the flags it names.
      const bool set = (std::max<std::size_t>(n_bodies, 1) * c.iter / c.exists) % 2 == 0;
      std::string set_list;
      for (std::uint32_t m : c.body_msgs) set_list += (set_list.empty() ? "" : ",") + std::to_string(m);
      send(c, k_store_seen, Step::store_seen, "STORE " + set_list + (set ? " +FLAGS (\\Seen)" : " -FLAGS (\\Seen)"));
      return;
    }
    case Step::store_seen: {
      c.append_msg = make_message(c.user, 1000000 + c.iter, o_.append_size);
      c.exists_before = c.exists;
      const bool plus = o_.literal == "plus" ||
                        (o_.literal == "auto" && (c.caps.find(" LITERAL+ ") != std::string::npos ||
                                                  (c.caps.find(" LITERAL- ") != std::string::npos &&
                                                   c.append_msg.size() <= 4096)));
      const std::string size = std::to_string(c.append_msg.size());
      if (plus) {
        ++st_.literal_plus;
        send(c, k_append, Step::append, "APPEND INBOX {" + size + "+}", c.append_msg);
      } else {
        ++st_.literal_sync;
        send(c, k_append, Step::append_wait_plus, "APPEND INBOX {" + size + "}");
      }
      return;
    }
    case Step::append:
    case Step::noop:
      if (c.exists != c.exists_before + 1) {
        // RFC 3501 §6.3.11: the server SHOULD announce the new message at once; ask with NOOP if it did not.
        if (c.step == Step::append) return send(c, k_noop, Step::noop, "NOOP");
        return fail(c, "EXISTS is " + std::to_string(c.exists) + " after APPEND to " +
                           std::to_string(c.exists_before) + " messages");
      }
      send(c, k_store_deleted, Step::store_deleted, "STORE " + std::to_string(c.exists) + " +FLAGS (\\Deleted)");
      return;
    case Step::store_deleted:
      c.expunges = 0;
      send(c, k_expunge, Step::expunge, "EXPUNGE");
      return;
    case Step::expunge:
      if (c.expunges == 0) return fail(c, "EXPUNGE removed nothing");
      send(c, k_logout, Step::logout, "LOGOUT");
      return;
    case Step::logout:
      if (!c.saw_bye) return fail(c, "LOGOUT without BYE");
      if (now_ <= deadline_) ++st_.sessions;
      c.step = Step::closing;  // RFC 3501 §6.1.3: the server closes the connection
      c.timeout_at = now_ + std::chrono::seconds(5);
      return;
    default:
      return fail(c, "unexpected tagged response: " + r.text.substr(0, 200));
  }
}

int Load::run() {
  now_ = start_ = Clock::now();
  deadline_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.duration));
  const Clock::time_point hard_stop =
      deadline_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.timeout + 5));
  for (auto& c : clients_) start_session(c);
  std::vector<epoll_event> events(256);
  Clock::time_point last_scan = now_;
  for (;;) {
    const int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 20);
    now_ = Clock::now();
    for (int i = 0; i < n; ++i) {
      now_ = Clock::now();
      Client& c = clients_[events[i].data.u32];
      if (c.fd >= 0) on_event(c, events[i].events);
    }
    if (now_ - last_scan < std::chrono::milliseconds(20)) continue;
    last_scan = now_;
    bool all_done = true;
    for (auto& c : clients_) {
      if (c.step == Step::retry_wait && now_ >= c.retry_at) start_session(c);
      else if (c.step != Step::done && c.step != Step::retry_wait && now_ >= c.timeout_at)
        fail(c, "no answer within the time limit");
      if (c.step != Step::done) all_done = false;
    }
    if (all_done) break;
    if (now_ >= hard_stop) {
      for (auto& c : clients_)
        if (c.step != Step::done && c.step != Step::retry_wait) fail(c, "still running at the end");
      break;
    }
  }
  // A run in which no command completed is a failure even without a wrong reply (a server that hangs, or delays
  // every login past the duration).
  if (st_.commands == 0 && st_.errors == 0) {
    ++st_.errors;
    st_.first_errors.push_back("no command completed within the duration");
  }
  report(o_.duration);
  if (st_.commands == 0 && st_.refused > 0) {
    std::printf("no IMAP server at %s:%d (connection refused)\n", o_.host.c_str(), o_.port);
    return 3;
  }
  return st_.errors == 0 ? 0 : 1;
}

double percentile(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k] / 1000.0;
}

void Load::report(double elapsed) const {
  Stats s = st_;
  std::printf("load: %d clients for %.1f s against %s:%d, accounts %s .. %s, APPEND literals: %s\n", o_.clients,
              o_.duration, o_.host.c_str(), o_.port, o_.account(1).c_str(), o_.account(o_.clients).c_str(),
              s.literal_plus && s.literal_sync ? "mixed"
              : s.literal_plus                 ? "LITERAL+ (non-synchronizing)"
              : s.literal_sync                 ? "synchronizing (waiting for +)"
                                               : "none sent");
  std::printf("  %-15s %9s %8s %8s %8s %8s   (ms)\n", "command", "count", "p50", "p90", "p99", "max");
  for (int k = 0; k < kKinds; ++k) {
    auto& v = s.latency_us[k];
    if (v.empty()) continue;
    const std::size_t count = v.size();
    const double p50 = percentile(v, 0.5), p90 = percentile(v, 0.9), p99 = percentile(v, 0.99),
                 max = *std::max_element(v.begin(), v.end()) / 1000.0;
    std::printf("  %-15s %9zu %8.2f %8.2f %8.2f %8.2f\n", kKindNames[k], count, p50, p90, p99, max);
  }
  for (const auto& e : s.first_errors) std::printf("  error: %s\n", e.c_str());
  if (s.errors > s.first_errors.size())
    std::printf("  ... and %llu more errors\n", static_cast<unsigned long long>(s.errors - s.first_errors.size()));
  std::printf("RESULT commands=%llu commands_per_s=%.1f logins=%llu logins_per_s=%.1f sessions=%llu errors=%llu\n",
              static_cast<unsigned long long>(s.commands), static_cast<double>(s.commands) / elapsed,
              static_cast<unsigned long long>(s.logins), static_cast<double>(s.logins) / elapsed,
              static_cast<unsigned long long>(s.sessions), static_cast<unsigned long long>(s.errors));
}

}  // namespace

int run_load(const Options& o) {
  Load load(o);
  return load.run();
}

}  // namespace bench
