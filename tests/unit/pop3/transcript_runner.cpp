// Transcript runner for pop3::Session (see transcript_runner.h for the format).
#include "transcript_runner.h"

#include <deque>
#include <map>
#include <memory>
#include <sstream>

#include "harness.h"

namespace axon::pop3::test {

namespace {

std::optional<core::Errc> errc_from(std::string_view s) {
  static const std::map<std::string_view, core::Errc> m{
      {"temporary", core::Errc::temporary}, {"unavailable", core::Errc::unavailable},
      {"permanent", core::Errc::permanent}, {"limit", core::Errc::limit}, {"not_found", core::Errc::not_found}};
  auto it = m.find(s);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

class Runner {
 public:
  explicit Runner(FeedMode mode) : mode_(mode) {
    cfg_.hostname = "pop.example.org";
    cfg_.tls_available = true;
  }

  TranscriptOutcome run(const std::string& text) {
    std::istringstream in(text);
    std::string raw;
    while (std::getline(in, raw) && result_.ok) {
      ++lineno_;
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      std::string_view line = raw;
      if (line.empty() || line.front() == '#') continue;
      step(line);
    }
    if (result_.ok) {
      ensure_session();
      flush();
      if (!lines_.empty()) fail("unexpected output line: " + printable(lines_.front()));
      else if (!partial_.empty()) fail("output without CRLF: " + printable(partial_));
    }
    driver_.reset();
    return std::move(result_);
  }

 private:
  void fail(const std::string& why) {
    if (!result_.ok) return;
    result_.ok = false;
    result_.failure = "line " + std::to_string(lineno_) + ": " + why;
  }

  void ensure_session() {
    if (driver_) return;
    driver_ = std::make_unique<Driver>(fx_, cfg_, peer_, implicit_tls_ ? kTlsDescription : "");
    collect(driver_->greeting);
  }

  void collect(const std::string& out) {
    partial_ += out;
    std::size_t pos;
    while ((pos = partial_.find("\r\n")) != std::string::npos) {
      lines_.push_back(partial_.substr(0, pos));
      partial_.erase(0, pos + 2);
    }
  }

  void feed(std::string_view bytes) { collect(driver_->send(bytes)); }

  void flush() {
    if (pending_.empty()) return;
    if (mode_ == FeedMode::whole) {
      std::string all;
      for (auto& c : pending_) all += c;
      feed(all);
    } else {
      for (auto& c : pending_) {
        if (mode_ == FeedMode::line) feed(c);
        else
          for (char ch : c) feed(std::string_view(&ch, 1));
      }
    }
    pending_.clear();
  }

  void expect_step(net::Step want, const char* name) {
    flush();
    if (driver_->step != want) fail(std::string("expected ") + name + ", the session's step is " +
                                    std::to_string(static_cast<int>(driver_->step)));
  }

  void check_inbox(const std::vector<std::string>& want) {
    std::string got, expected;
    for (const auto& m : fx_.inbox()) got += (got.empty() ? "" : " ") + std::to_string(m.uid);
    for (const auto& w : want) expected += (expected.empty() ? "" : " ") + w;
    if (got != expected) fail("INBOX holds [" + got + "], expected [" + expected + "]");
  }

  void check_flags(const std::vector<std::string>& w) {
    if (w.size() < 2) return fail("@flags UID FLAGS");
    uint32_t uid = static_cast<uint32_t>(std::stoul(w[0]));
    uint32_t want = 0;
    for (std::size_t i = 1; i < w.size(); ++i) {
      if (w[i] == "seen") want |= store::seen;
      else if (w[i] == "deleted") want |= store::deleted;
      else if (w[i] != "none") return fail("unknown flag " + w[i]);
    }
    for (const auto& m : fx_.inbox())
      if (m.uid == uid) {
        if (m.flags != want) fail("flags of " + w[0] + " are " + std::to_string(m.flags) + ", expected " +
                                  std::to_string(want));
        return;
      }
    fail("no message " + w[0]);
  }

  bool apply_config(std::string_view kv) {
    std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return false;
    std::string key(kv.substr(0, eq)), value(kv.substr(eq + 1));
    auto num = [&] { return static_cast<std::size_t>(std::stoull(value)); };
    if (key == "allow_plaintext") cfg_.allow_plaintext = value == "true";
    else if (key == "tls_available") cfg_.tls_available = value == "true";
    else if (key == "max_line") cfg_.max_line = num();
    else if (key == "max_auth_line") cfg_.max_auth_line = num();
    else if (key == "max_bad_commands") cfg_.max_bad_commands = num();
    else if (key == "max_auth_failures") cfg_.max_auth_failures = num();
    else if (key == "output_chunk") cfg_.output_chunk = num();
    else return false;
    return true;
  }

  void step(std::string_view line) {
    if (line.starts_with("@config ")) {
      if (driver_) return fail("@config after the session started");
      if (!apply_config(line.substr(8))) fail("bad @config");
      return;
    }
    if (line.starts_with("@peer ")) {
      if (driver_) return fail("@peer after the session started");
      peer_ = remote_peer();
      peer_.ip = std::string(line.substr(6));
      if (peer_.ip == "127.0.0.1" || peer_.ip == "::1") peer_.local_ip = peer_.ip;
      return;
    }
    if (line == "@implicit_tls") {
      implicit_tls_ = true;
      return;
    }
    if (line.starts_with("@message ")) {
      if (driver_) return fail("@message after the session started");
      fx_.deliver(unescape(line.substr(9)));
      return;
    }
    ensure_session();
    if (line.starts_with("C: ") || line == "C:") {
      pending_.push_back(std::string(line.size() > 3 ? line.substr(3) : "") + "\r\n");
      return;
    }
    if (line.starts_with("@raw ")) {
      pending_.push_back(unescape(line.substr(5)));
      return;
    }
    flush();
    if (line.starts_with("S: ") || line == "S:") {
      std::string_view want = line.size() > 3 ? line.substr(3) : "";
      if (lines_.empty()) return fail("expected output \"" + std::string(want) + "\", got none");
      std::string got = lines_.front();
      lines_.pop_front();
      if (!glob_match(want, got)) fail("expected \"" + std::string(want) + "\", got \"" + printable(got) + "\"");
      return;
    }
    if (line == "@tls") {
      expect_step(net::Step::start_tls, "start_tls");
      driver_->session().tls_ready(kTlsDescription);
      collect(driver_->pump());
      return;
    }
    if (line == "@close") return expect_step(net::Step::close, "close");
    if (line == "@wait") return expect_step(net::Step::wait, "wait");
    auto w = words(line);
    if (w[0] == "@timeout") {
      driver_->session().idle_timeout();
      return collect(driver_->pump());
    }
    if (w[0] == "@wait_timeout") {
      driver_->session().wait_timeout();
      return collect(driver_->pump());
    }
    if (w[0] == "@shutdown") {
      driver_->session().shutdown();
      return collect(driver_->pump());
    }
    if ((w[0] == "@auth" || w[0] == "@sync") && w.size() >= 2) {
      bool is_auth = w[0] == "@auth";
      if (w[1] == "hold") {
        (is_auth ? fx_.auth.hold : fx_.sync.hold) = true;
      } else if (w[1] == "release") {
        (is_auth ? fx_.auth.hold : fx_.sync.hold) = false;
        if (is_auth) fx_.auth.release();
        else fx_.sync.release();
        collect(driver_->pump());
      } else if (w[1] == "fail" && w.size() == 3 && errc_from(w[2])) {
        (is_auth ? fx_.auth.fail_next : fx_.sync.fail_next) = errc_from(w[2]);
      } else {
        fail("bad " + w[0]);
      }
      return;
    }
    if (w[0] == "@store" && w.size() == 3 && w[1] == "fail") {
      if (w[2] == "set_flags") fx_.store.fail_set_flags = true;
      else if (w[2] == "expunge") fx_.store.fail_expunge = true;
      else if (w[2] == "open") fx_.store.fail_open = true;
      else if (w[2] == "messages") fx_.store.fail_messages = true;
      else fail("bad @store");
      return;
    }
    if (w[0] == "@inbox") return check_inbox({w.begin() + 1, w.end()});
    if (w[0] == "@flags") return check_flags({w.begin() + 1, w.end()});
    fail("unknown directive: " + std::string(line));
  }

  FeedMode mode_;
  Fixture fx_;
  SessionConfig cfg_;
  net::Peer peer_ = loopback_peer();
  bool implicit_tls_ = false;
  std::unique_ptr<Driver> driver_;
  std::vector<std::string> pending_;
  std::deque<std::string> lines_;
  std::string partial_;
  int lineno_ = 0;
  TranscriptOutcome result_;
};

}  // namespace

TranscriptOutcome run_transcript(const std::string& text, FeedMode mode) { return Runner(mode).run(text); }

}  // namespace axon::pop3::test
