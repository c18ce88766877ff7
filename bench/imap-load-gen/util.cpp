// bench utilities: sockets, and the server process behind a loopback connection (see util.h).
// /proc/net/tcp lists each IPv4 socket as "sl local rem st ... uid timeout inode"; addresses are the 32-bit
// value in hex as the kernel holds it (network order read as a host integer) and the port in hex.
// Security: reads /proc of this machine; no untrusted input.
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace bench {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

namespace {
struct Resolved {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

Resolved resolve(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0)
    throw std::runtime_error(host + ": " + gai_strerror(rc));
  Resolved r;
  std::memcpy(&r.addr, res->ai_addr, res->ai_addrlen);
  r.len = res->ai_addrlen;
  freeaddrinfo(res);
  return r;
}

std::runtime_error sys_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }
}  // namespace

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int connect_blocking(const std::string& host, int port, double timeout_s) {
  const Resolved r = resolve(host, port);
  int fd = socket(r.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sys_error("socket");
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout_s);
  tv.tv_usec = static_cast<suseconds_t>((timeout_s - static_cast<double>(tv.tv_sec)) * 1e6);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&r.addr), r.len) != 0) {
    auto e = sys_error("connect to " + host + ":" + std::to_string(port));
    close(fd);
    throw e;
  }
  set_nodelay(fd);
  return fd;
}

int connect_nonblocking(const std::string& host, int port) {
  static std::string cached_host;
  static int cached_port = -1;
  static Resolved cached;
  if (host != cached_host || port != cached_port) {
    cached = resolve(host, port);
    cached_host = host;
    cached_port = port;
  }
  int fd = socket(cached.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sys_error("socket");
  set_nodelay(fd);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&cached.addr), cached.len) != 0 && errno != EINPROGRESS) {
    auto e = sys_error("connect to " + host + ":" + std::to_string(port));
    close(fd);
    throw e;
  }
  return fd;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys_error(errno == EAGAIN ? std::string("send timed out") : std::string("send"));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

namespace {
// The inode of the IPv4 socket whose local end is (laddr, lport) and remote end (raddr, rport), or 0.
unsigned long find_inode(std::uint32_t laddr, int lport, std::uint32_t raddr, int rport) {
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    unsigned la = 0, lp = 0, ra = 0, rp = 0;
    unsigned long inode = 0;
    // sl: local rem st tx:rx tr:when retrnsmt uid timeout inode
    if (std::sscanf(line.c_str(), " %*d: %8X:%4X %8X:%4X %*X %*X:%*X %*X:%*X %*X %*u %*u %lu", &la, &lp, &ra, &rp,
                    &inode) != 5)
      continue;
    if (la == laddr && static_cast<int>(lp) == lport && ra == raddr && static_cast<int>(rp) == rport) return inode;
  }
  return 0;
}
}  // namespace

ServerProcess server_process_of(int fd) {
  sockaddr_in me{}, peer{};
  socklen_t len = sizeof me;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&me), &len) != 0 || me.sin_family != AF_INET) return {};
  len = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return {};
  const unsigned long inode =
      find_inode(peer.sin_addr.s_addr, ntohs(peer.sin_port), me.sin_addr.s_addr, ntohs(me.sin_port));
  if (inode == 0) return {};
  const std::string want = "socket:[" + std::to_string(inode) + "]";
  const int self = getpid();
  DIR* proc = opendir("/proc");
  if (!proc) return {};
  // Several processes may hold it (a login process that passed it on and has not closed it yet): prefer one
  // whose name does not say "login".
  ServerProcess found;
  while (dirent* e = readdir(proc)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    const int pid = std::atoi(e->d_name);
    if (pid == self) continue;
    const std::string fds = std::string("/proc/") + e->d_name + "/fd";
    DIR* d = opendir(fds.c_str());
    if (!d) continue;
    bool holds = false;
    while (dirent* f = readdir(d)) {
      if (f->d_name[0] == '.') continue;
      char target[64];
      const std::string link = fds + "/" + f->d_name;
      const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
      if (n > 0 && std::string_view(target, static_cast<std::size_t>(n)) == want) {
        holds = true;
        break;
      }
    }
    closedir(d);
    if (!holds) continue;
    ServerProcess p{pid, {}};
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::getline(comm, p.comm);
    if (found.pid == 0 || found.comm.find("login") != std::string::npos) found = p;
  }
  closedir(proc);
  return found;
}

long status_kib(int pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 && line[field.size()] == ':')
      return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

bool reset_peak_rss(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/clear_refs";
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

}  // namespace bench
