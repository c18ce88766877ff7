// bench seeding modes: the same messages (message.h) put into a server's mailboxes three ways, outside any
// measurement.
// seed-maildir: files written straight into DIR/<account>/Maildir/cur, named as Dovecot's own delivery names
//   them (",S=<size on disk>,W=<size with CRLF>", flags ":2,"), so that Dovecot reads sizes from the names
//   (Dovecot's maildir_filename_get_size); LF line ends, as Maildir holds mail.
// seed-smtp: SMTP (RFC 5321) over CONNECTIONS connections, each pipelining (RFC 2920: the end of one message's
//   data, then the next MAIL, RCPT and DATA, one round trip per message) when the server announces PIPELINING.
// seed-imap: APPEND over CONNECTIONS connections, pipelined with LITERAL+ (RFC 7888) when announced, else one
//   synchronizing literal at a time.
// Security: the benchmark's own server's bytes.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "message.h"
#include "options.h"
#include "sync_client.h"
#include "util.h"

namespace bench {

namespace {

struct Job {
  std::string rcpt;
  std::size_t index;  // 1-based message number in its account
};

std::vector<std::string> accounts_of(const Options& o) {
  if (!o.user.empty()) return {o.user};
  std::vector<std::string> out;
  for (int n = 1; n <= o.account_count(); ++n) out.push_back(o.account(n));
  return out;
}

std::vector<Job> jobs_of(const Options& o) {
  std::vector<Job> jobs;
  for (const auto& a : accounts_of(o))
    for (int i = 1; i <= o.messages; ++i) jobs.push_back({a, static_cast<std::size_t>(i)});
  return jobs;
}

std::string message_of(const Options& o, const Job& j) {
  return make_message(j.rcpt, j.index, o.vary ? seeded_size(o.size, j.index) : o.size);
}

void mkdirs(const std::string& path) {
  for (std::size_t at = 1; at <= path.size(); ++at) {
    if (at < path.size() && path[at] != '/') continue;
    const std::string p = path.substr(0, at);
    if (mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) throw std::runtime_error("mkdir " + p + ": " + std::strerror(errno));
  }
}

// Runs body(connection number, jobs of that connection) on `connections` threads, jobs split in contiguous
// slices (so that one connection mostly serves one account); returns the number of failed connections.
template <class F>
int on_threads(const Options& o, const std::vector<Job>& jobs, F body) {
  const std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(o.connections), jobs.size()));
  std::atomic<int> failed{0};
  std::mutex out;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < n; ++t) {
    const std::size_t begin = jobs.size() * t / n, end = jobs.size() * (t + 1) / n;
    threads.emplace_back([&, begin, end] {
      try {
        body(std::vector<Job>(jobs.begin() + static_cast<long>(begin), jobs.begin() + static_cast<long>(end)));
      } catch (const std::exception& e) {
        ++failed;
        std::lock_guard lock(out);
        std::fprintf(stderr, "%s: error: %s\n", o.mode.c_str(), e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  return failed.load();
}

// An SMTP client connection: replies read as whole (multi-line) replies.
class Smtp {
 public:
  Smtp(const Options& o) : fd_(connect_blocking(o.host, o.port, o.timeout)) { expect(2, "greeting"); }
  ~Smtp() { close(fd_); }
  // Reads one reply; returns its text, throws when its code does not begin with `digit`.
  std::string expect(int digit, const char* what) {
    std::string reply;
    for (;;) {
      const std::string line = read_line();
      reply += line + "\n";
      if (line.size() < 4 || line[3] != '-') break;
    }
    if (reply.empty() || reply[0] != '0' + digit) {
      reply.pop_back();
      throw std::runtime_error(std::string(what) + ": " + reply.substr(0, 300));
    }
    return reply;
  }
  void send(std::string_view s) { write_all(fd_, s); }

 private:
  std::string read_line() {
    for (;;) {
      if (const std::size_t lf = buf_.find('\n', pos_); lf != std::string::npos) {
        std::string line = buf_.substr(pos_, lf - pos_);
        pos_ = lf + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      buf_.erase(0, pos_);
      pos_ = 0;
      char tmp[4096];
      const ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
      if (n <= 0) throw std::runtime_error(n == 0 ? "server closed the connection" : "recv failed or timed out");
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }
  int fd_;
  std::string buf_;
  std::size_t pos_ = 0;
};

// RFC 5321 §4.5.2: a line that begins with "." gets another one. Then the end-of-data line.
std::string smtp_data(std::string_view msg) {
  std::string out;
  out.reserve(msg.size() + 8);
  bool line_start = true;
  for (char ch : msg) {
    if (line_start && ch == '.') out += '.';
    out += ch;
    line_start = ch == '\n';
  }
  out += ".\r\n";
  return out;
}

}  // namespace

int run_seed_maildir(const Options& o) {
  if (o.dir.empty()) throw std::runtime_error("seed-maildir needs --dir");
  const auto t0 = Clock::now();
  std::size_t count = 0;
  for (const auto& account : accounts_of(o)) {
    const std::string base = o.dir + "/" + account + "/Maildir";
    for (const char* sub : {"/cur", "/new", "/tmp"}) mkdirs(base + sub);
    for (int i = 1; i <= o.messages; ++i) {
      const std::string crlf = message_of(o, {account, static_cast<std::size_t>(i)});
      const std::string lf = to_lf(crlf);
      const std::string path = base + "/cur/" + std::to_string(1764583200 + i) + ".M" + std::to_string(i) +
                               "P1.bench,S=" + std::to_string(lf.size()) + ",W=" + std::to_string(crlf.size()) + ":2,";
      const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) throw std::runtime_error("create " + path + ": " + std::strerror(errno));
      const bool ok = write(fd, lf.data(), lf.size()) == static_cast<ssize_t>(lf.size());
      close(fd);
      if (!ok) throw std::runtime_error("write " + path);
      ++count;
    }
  }
  std::printf("seed-maildir: %zu messages in %.2f s\n", count, seconds_between(t0, Clock::now()));
  return 0;
}

int run_seed_smtp(const Options& o) {
  const std::vector<Job> jobs = jobs_of(o);
  const auto t0 = Clock::now();
  const int failed = on_threads(o, jobs, [&](const std::vector<Job>& mine) {
    Smtp s(o);
    s.send("EHLO seed.bench.test\r\n");
    const bool pipelining = s.expect(2, "EHLO").find("PIPELINING") != std::string::npos;
    auto envelope = [&](const Job& j) {
      return "MAIL FROM:<" + o.from + ">\r\nRCPT TO:<" + j.rcpt + ">\r\nDATA\r\n";
    };
    if (!mine.empty() && pipelining) s.send(envelope(mine[0]));
    for (std::size_t k = 0; k < mine.size(); ++k) {
      if (!pipelining) s.send(envelope(mine[k]));
      s.expect(2, "MAIL FROM");
      s.expect(2, "RCPT TO");
      s.expect(3, "DATA");
      std::string payload = smtp_data(message_of(o, mine[k]));
      if (pipelining && k + 1 < mine.size()) payload += envelope(mine[k + 1]);
      s.send(payload);
      s.expect(2, "end of data");
    }
    s.send("QUIT\r\n");
  });
  const double t = seconds_between(t0, Clock::now());
  std::printf("seed-smtp: %zu messages sent in %.2f s (%.0f/s)%s\n", jobs.size(), t, jobs.size() / t,
              failed ? ", with errors" : "");
  return failed ? 1 : 0;
}

int run_seed_imap(const Options& o) {
  const std::vector<Job> jobs = jobs_of(o);
  const auto t0 = Clock::now();
  const int failed = on_threads(o, jobs, [&](const std::vector<Job>& mine) {
    std::size_t k = 0;
    while (k < mine.size()) {
      SyncClient c(o.host, o.port, o.timeout);
      const std::string account = mine[k].rcpt;
      c.login(account, o.password);
      for (; k < mine.size() && mine[k].rcpt == account;) {
        std::vector<std::string> batch;
        for (; k < mine.size() && mine[k].rcpt == account && batch.size() < 256; ++k)
          batch.push_back(message_of(o, mine[k]));
        if (c.has_capability("LITERAL+")) {
          std::string first;
          if (c.append_pipelined("INBOX", batch, 32, &first) != 0) throw std::runtime_error("APPEND: " + first);
        } else {
          for (const auto& m : batch)
            if (Reply r = c.append("INBOX", m); !r.ok()) throw std::runtime_error("APPEND: " + r.tagged);
        }
      }
      c.command("LOGOUT");
    }
  });
  const double t = seconds_between(t0, Clock::now());
  std::printf("seed-imap: %zu messages appended in %.2f s (%.0f/s)%s\n", jobs.size(), t, jobs.size() / t,
              failed ? ", with errors" : "");
  return failed ? 1 : 0;
}

}  // namespace bench
