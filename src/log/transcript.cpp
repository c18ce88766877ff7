// Communication logs: writing (Transcript) and the bounded private folder (TranscriptDir). See transcript.h.
// RFC 4954 §4 (AUTH initial response), RFC 5952 (IPv6 text form of the /64 folder names).
#include "log/transcript.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "core/address.h"

namespace axon::log {

namespace fs = std::filesystem;

std::string safe_component(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_');
  if (out.empty() || out == "." || out == "..") out.assign(1, '_');
  return out;
}

std::string peer_folder(std::string_view ip) {
  std::string text(ip.substr(0, ip.find('%')));  // no IPv6 zone id ("fe80::1%eth0")
  char buf[INET6_ADDRSTRLEN];
  in_addr v4{};
  in6_addr v6{};
  if (text.find('\0') == std::string::npos && inet_pton(AF_INET, text.c_str(), &v4) == 1)
    return inet_ntop(AF_INET, &v4, buf, sizeof buf);
  if (text.find('\0') == std::string::npos && inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {  // a dual-stack socket's IPv4 peer: per address, as IPv4
      std::memcpy(&v4, &v6.s6_addr[12], 4);
      return inet_ntop(AF_INET, &v4, buf, sizeof buf);
    }
    // One folder per /64, the usual end-site assignment: a peer cannot spread over folders by changing its
    // interface identifier. RFC 5952 text of the prefix always ends in "::".
    std::memset(&v6.s6_addr[8], 0, 8);
    std::string out = inet_ntop(AF_INET6, &v6, buf, sizeof buf);
    std::replace(out.begin(), out.end(), ':', '_');
    return out + "64";
  }
  return safe_component(ip);
}

// ---- Transcript ------------------------------------------------------------------------------------------------

Transcript::~Transcript() { std::fclose(f_); }

void Transcript::emit(char who, std::string_view line) {
  if (truncated_) return;
  std::string out;
  out.reserve(line.size() + 4);
  out += who;
  out += who == '#' ? " " : ": ";
  if (who == 'C') {
    if (redact_next_client_) {
      line = "***";
      redact_next_client_ = false;
    } else if (line.size() >= 5 && core::iequals(line.substr(0, 5), "AUTH ")) {
      // Keep the mechanism, hide any initial response (RFC 4954 §4).
      auto sp = line.find(' ', 5);
      if (sp != std::string_view::npos) {
        out.append(line.substr(0, sp));
        line = " ***";
      }
    }
  } else if (who == 'S' && line.size() >= 4 && line.substr(0, 4) == "334 ") {
    redact_next_client_ = true;
  }
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t') {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\x%02X", u);
      out += esc;
    } else {
      out += c;
    }
  }
  out += '\n';
  if (written_ + out.size() > max_) {
    std::fputs("[truncated]\n", f_);
    truncated_ = true;
    std::fflush(f_);
    return;
  }
  written_ += out.size();
  total_->fetch_add(out.size(), std::memory_order_relaxed);
  std::fwrite(out.data(), 1, out.size(), f_);
}

void Transcript::client(std::string_view line) { emit('C', line); }
void Transcript::server(std::string_view line) { emit('S', line); }
void Transcript::message_data(uint64_t octets) {
  std::string line(1, '[');
  line += std::to_string(octets);
  line += " octets of message data]";
  emit('C', line);
}
void Transcript::flush() { std::fflush(f_); }
void Transcript::note(std::string_view text) { emit('#', text); }

// ---- TranscriptDir ---------------------------------------------------------------------------------------------

namespace {

constexpr mode_t kDirMode = 0700, kFileMode = 0600;

core::TimePoint mtime_of(const struct stat& st) {
  auto d = std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  return core::TimePoint(std::chrono::duration_cast<core::TimePoint::duration>(d));
}

bool log_file_name(const std::string& name) { return name.ends_with(".IN") || name.ends_with(".OUT"); }

}  // namespace

core::Result<void> TranscriptDir::prepare() const {
  std::error_code ec;
  fs::create_directories(root_.parent_path(), ec);
  if (::mkdir(root_.c_str(), kDirMode) != 0 && errno != EEXIST)
    return core::make_error(core::Errc::unavailable, root_.string() + ": cannot create: " + std::strerror(errno));
  struct stat st{};
  if (::lstat(root_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return core::make_error(core::Errc::invalid, root_.string() + ": not a folder");
  if ((st.st_mode & 07777) != kDirMode && ::chmod(root_.c_str(), kDirMode) != 0)
    return core::make_error(core::Errc::unavailable, root_.string() + ": cannot make it private (mode 0700): " +
                                                         std::strerror(errno));
  return {};
}

std::unique_ptr<Transcript> TranscriptDir::open(std::string_view peer_ip, uint64_t connection_id,
                                                const char* suffix, core::TimePoint now) const {
  if (files_.load(std::memory_order_relaxed) >= limits_.max_files ||
      bytes_.load(std::memory_order_relaxed) >= limits_.max_total_bytes)
    return nullptr;
  fs::path dir = root_ / peer_folder(peer_ip);
  std::time_t tt = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  fs::path path = dir / (std::string(stamp) + "-" + std::to_string(connection_id) + "." + suffix);
  // prune() may remove the peer's folder when it is empty, between our mkdir and open: then once more. A root
  // removed while serving is made again (private, as by prepare()).
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (::mkdir(dir.c_str(), kDirMode) != 0 && errno != EEXIST) {
      if (errno != ENOENT) return nullptr;
      ::mkdir(root_.c_str(), kDirMode);
      continue;
    }
    // Appending: a name reused after a restart in the same second loses nothing.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, kFileMode);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return nullptr;
    }
    ::fchmod(fd, kFileMode);  // also when the file existed, or a umask was wider
    FILE* f = ::fdopen(fd, "a");
    if (!f) {
      ::close(fd);
      return nullptr;
    }
    files_.fetch_add(1, std::memory_order_relaxed);
    return std::unique_ptr<Transcript>(new Transcript(f, limits_.max_file_bytes, &bytes_));
  }
  return nullptr;
}

PruneStats TranscriptDir::prune(core::TimePoint now) const {
  struct File {
    core::TimePoint mtime;
    uint64_t size;
    fs::path path;
  };
  std::vector<File> files;
  uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator peers(root_, ec), end; !ec && peers != end; peers.increment(ec)) {
    const fs::path& dir = peers->path();
    struct stat st{};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if ((st.st_mode & 07777) != kDirMode) ::chmod(dir.c_str(), kDirMode);
    bool empty = true;
    std::error_code ec2;
    for (fs::directory_iterator it(dir, ec2); !ec2 && it != end; it.increment(ec2)) {
      empty = false;
      const fs::path& p = it->path();
      struct stat fst{};
      if (!log_file_name(p.filename().string()) || ::lstat(p.c_str(), &fst) != 0 || !S_ISREG(fst.st_mode)) continue;
      if ((fst.st_mode & 07777) != kFileMode) ::chmod(p.c_str(), kFileMode);
      files.push_back({mtime_of(fst), static_cast<uint64_t>(fst.st_size), p});
      total += static_cast<uint64_t>(fst.st_size);
    }
    if (empty && !ec2) ::rmdir(dir.c_str());  // fails harmlessly if a connection just created a file in it
  }
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.mtime < b.mtime; });
  PruneStats stats;
  const core::TimePoint cutoff = now - limits_.max_age;
  uint64_t count = files.size();
  for (const File& f : files) {
    // The rest is newer; one file below max_files, so that logging resumes.
    if (f.mtime >= cutoff && total <= limits_.max_total_bytes && count < limits_.max_files) break;
    if (::unlink(f.path.c_str()) != 0) continue;
    --count;
    total -= f.size;
    ++stats.files;
    stats.bytes += f.size;
    ::rmdir(f.path.parent_path().c_str());  // the peer's last file: its folder goes too (fails if not empty)
  }
  stats.kept_bytes = total;
  files_.store(count, std::memory_order_relaxed);  // the live counts start again from what is there
  bytes_.store(total, std::memory_order_relaxed);
  return stats;
}

}  // namespace axon::log
