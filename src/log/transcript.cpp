#include "log/transcript.h"

#include <cctype>
#include <ctime>

#include "core/address.h"

namespace axon::log {

std::string safe_component(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_');
  if (out.empty() || out == "." || out == "..") out = "_";
  return out;
}

std::unique_ptr<Transcript> Transcript::open(const std::filesystem::path& root, const std::string& peer_ip,
                                             uint64_t connection_id, const char* suffix, std::size_t max_bytes,
                                             core::TimePoint now) {
  std::error_code ec;
  auto dir = root / safe_component(peer_ip);
  std::filesystem::create_directories(dir, ec);
  std::time_t tt = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  auto path = dir / (std::string(stamp) + "-" + std::to_string(connection_id) + "." + suffix);
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return nullptr;
  return std::unique_ptr<Transcript>(new Transcript(f, max_bytes));
}

Transcript::~Transcript() {
  if (!client_pending_.empty()) emit('C', client_pending_);
  if (!server_pending_.empty()) emit('S', server_pending_);
  std::fclose(f_);
}

void Transcript::emit(char who, std::string_view line) {
  if (truncated_) return;
  std::string out;
  out.reserve(line.size() + 4);
  out += who;
  out += ": ";
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
  } else if (line.size() >= 4 && line.substr(0, 4) == "334 ") {
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
  std::fwrite(out.data(), 1, out.size(), f_);
}

void Transcript::lines(char who, std::string& pending, std::string_view bytes) {
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      // Bound the partial line too: a peer that never sends LF cannot grow it without limit.
      pending.append(bytes.substr(0, max_ > pending.size() ? max_ - pending.size() : 0));
      return;
    }
    pending.append(bytes.substr(0, nl));
    if (!pending.empty() && pending.back() == '\r') pending.pop_back();
    emit(who, pending);
    pending.clear();
    bytes.remove_prefix(nl + 1);
  }
  std::fflush(f_);
}

void Transcript::client(std::string_view bytes) { lines('C', client_pending_, bytes); }
void Transcript::server(std::string_view bytes) { lines('S', server_pending_, bytes); }
void Transcript::note(std::string_view text) {
  if (truncated_) return;
  std::fprintf(f_, "# %.*s\n", static_cast<int>(text.size()), text.data());
  std::fflush(f_);
}

}  // namespace axon::log
