// Transcript runner for smtp::ServerSession (see transcript_runner.h for the format).
#include "transcript_runner.h"

#include <deque>
#include <map>
#include <memory>
#include <sstream>

#include "core/clock.h"
#include "fakes.h"

namespace axon::smtp::test {

namespace {

std::optional<core::Errc> errc_from(std::string_view s) {
  static const std::map<std::string_view, core::Errc> m{
      {"temporary", core::Errc::temporary}, {"unavailable", core::Errc::unavailable},
      {"permanent", core::Errc::permanent}, {"quota", core::Errc::quota},
      {"limit", core::Errc::limit},         {"too_big", core::Errc::too_big},
      {"invalid", core::Errc::invalid},     {"in_use", core::Errc::in_use}};
  auto it = m.find(s);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

bool apply_config(SessionConfig& cfg, std::string_view kv) {
  std::size_t eq = kv.find('=');
  if (eq == std::string_view::npos) return false;
  std::string key(kv.substr(0, eq)), value(kv.substr(eq + 1));
  auto num = [&] { return static_cast<std::size_t>(std::stoull(value)); };
  if (key == "hostname") cfg.hostname = value;
  else if (key == "max_command_line") cfg.max_command_line = num();
  else if (key == "max_message_size") cfg.max_message_size = num();
  else if (key == "max_recipients") cfg.max_recipients = num();
  else if (key == "max_errors") cfg.max_errors = num();
  else if (key == "junk_command_limit") cfg.junk_command_limit = num();
  else if (key == "max_received_headers") cfg.max_received_headers = num();
  else if (key == "bare_lf") cfg.bare_lf = value == "normalize" ? BareLf::normalize : BareLf::reject;
  else if (key == "tls_available") cfg.tls_available = value == "true";
  else if (key == "require_tls") cfg.require_tls = value == "true";
  else return false;
  return true;
}

class Runner {
 public:
  explicit Runner(FeedMode mode) : mode_(mode) {
    cfg_.hostname = "mx.example.com";
    cfg_.transcript = true;
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
      if (!lines_.empty()) fail("unexpected reply line: " + printable(lines_.front()));
      else if (!actions_.empty()) fail("unexpected action left over (index " + std::to_string(actions_.front().index()) + ")");
      else if (!partial_.empty()) fail("reply without CRLF: " + printable(partial_));
      else check_log();
    }
    return std::move(result_);
  }

 private:
  void fail(const std::string& why) {
    if (!result_.ok) return;
    result_.ok = false;
    result_.failure = "line " + std::to_string(lineno_) + ": " + why;
  }

  void ensure_session() {
    if (session_) return;
    session_ = std::make_unique<ServerSession>(cfg_, policy_, buffers_, clock_, test_peer());
    session_->start(implicit_tls_);
    collect();
  }

  void collect() {
    partial_ += session_->take_output();
    std::size_t pos;
    while ((pos = partial_.find("\r\n")) != std::string::npos) {
      lines_.push_back(partial_.substr(0, pos));
      sent_.push_back(lines_.back());
      partial_.erase(0, pos + 2);
    }
    for (auto& e : session_->take_transcript()) result_.log.push_back(std::move(e));
    while (auto a = session_->next_action()) actions_.push_back(std::move(*a));
  }

  void flush() {
    if (pending_.empty()) return;
    if (mode_ == FeedMode::whole) {
      std::string all;
      for (auto& c : pending_) all += c;
      session_->receive(all);
    } else {
      for (auto& c : pending_) {
        if (mode_ == FeedMode::line) session_->receive(c);
        else for (char ch : c) session_->receive(std::string_view(&ch, 1));
      }
    }
    pending_.clear();
    collect();
  }

  // The log's server lines are the replies, in order; message data never appears as a client line.
  void check_log() {
    std::vector<std::string> logged;
    for (const auto& e : result_.log)
      if (e.kind == TranscriptEvent::Kind::server) logged.push_back(e.text);
    if (logged != sent_) return fail("log: server lines differ from the replies sent");
    for (const auto& m : result_.spooled) {
      std::size_t pos = m.data.find("\r\n\r\n");  // the body, after the header section
      if (pos == std::string::npos) continue;
      std::istringstream body(m.data.substr(pos + 4));
      std::string line;
      while (std::getline(body, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.size() < 4) continue;
        for (const auto& e : result_.log)
          if (e.kind == TranscriptEvent::Kind::client && e.text == line)
            return fail("log: message line \"" + printable(line) + "\" recorded as a client line");
      }
    }
  }

  template <class T>
  std::optional<T> expect_action(const char* what) {
    flush();
    if (actions_.empty()) {
      fail(std::string("expected action ") + what + ", got none");
      return std::nullopt;
    }
    Action a = std::move(actions_.front());
    actions_.pop_front();
    if (!std::holds_alternative<T>(a)) {
      fail(std::string("expected action ") + what + ", got index " + std::to_string(a.index()));
      return std::nullopt;
    }
    return std::get<T>(std::move(a));
  }

  const std::string* last_data() {
    if (result_.spooled.empty()) {
      fail("no message was spooled");
      return nullptr;
    }
    return &result_.spooled.back().data;
  }

  void step(std::string_view line) {
    auto rest_after = [&](std::size_t n) {
      std::string_view r = line.substr(std::min(n, line.size()));
      if (!r.empty() && r.front() == ' ') r.remove_prefix(1);
      return r;
    };
    if (line.starts_with("@config ")) {
      if (session_) return fail("@config after the session started");
      if (!apply_config(cfg_, rest_after(7))) fail("bad @config");
      return;
    }
    if (line.starts_with("@implicit_tls ")) {
      if (session_) return fail("@implicit_tls after the session started");
      implicit_tls_ = std::string(rest_after(13));
      return;
    }
    ensure_session();
    if (line.starts_with("C:")) {
      pending_.push_back(std::string(rest_after(2)) + "\r\n");
    } else if (line.starts_with("@raw ")) {
      pending_.push_back(unescape(rest_after(4)));
    } else if (line.starts_with("S:")) {
      flush();
      std::string_view want = rest_after(2);
      if (lines_.empty()) return fail("expected reply \"" + std::string(want) + "\", got nothing");
      std::string got = std::move(lines_.front());
      lines_.pop_front();
      if (!glob_match(want, got)) fail("expected \"" + std::string(want) + "\", got \"" + printable(got) + "\"");
    } else if (line.starts_with("@spool ")) {
      auto m = expect_action<SpoolMessage>("SpoolMessage");
      if (!m) return;
      if (!m->data) return fail("SpoolMessage without data");
      result_.spooled.push_back({m->envelope, static_cast<core::StringBuffer&>(*m->data).data()});
      std::string_view arg = rest_after(6);
      SpoolResult r;
      if (arg.starts_with("ok ")) {
        r.ok = true;
        r.queue_id = std::string(arg.substr(3));
      } else if (arg.starts_with("fail ")) {
        auto e = errc_from(arg.substr(5));
        if (!e) return fail("bad @spool fail code");
        r.error = *e;
      } else {
        return fail("bad @spool");
      }
      r.seq = m->seq;
      session_->on_spooled(r);
      collect();
    } else if (line.starts_with("@spool_late ")) {
      auto m = expect_action<SpoolMessage>("SpoolMessage");
      if (!m) return;
      if (!m->data) return fail("SpoolMessage without data");
      result_.spooled.push_back({m->envelope, static_cast<core::StringBuffer&>(*m->data).data()});
      late_ = SpoolResult{true, std::string(rest_after(11)), core::Errc::temporary, m->seq};
    } else if (line == "@late_answer") {
      flush();
      if (!late_) return fail("@late_answer without @spool_late");
      session_->on_spooled(*late_);
      late_.reset();
      collect();
    } else if (line == "@wait_timeout") {
      flush();
      session_->on_wait_timeout();
      collect();
    } else if (line.starts_with("@tls")) {
      if (!expect_action<StartTls>("StartTls")) return;
      session_->on_tls_ready(std::string(rest_after(4)));
      collect();
    } else if (line == "@close") {
      expect_action<Close>("Close");
      if (result_.ok && !session_->closed()) fail("Close action but session not closed");
    } else if (line == "@full" || line == "@room") {
      flush();
      buffers_.refuse = line == "@full";
    } else if (line == "@timeout") {
      flush();
      session_->on_idle_timeout();
      collect();
    } else if (line == "@shutdown") {
      flush();
      session_->on_shutdown();
      collect();
    } else if (line.starts_with("@body ")) {
      flush();
      const std::string* d = last_data();
      if (!d) return;
      // Skip our Received: field: its first line and the continuation lines that start with a TAB.
      std::size_t pos = d->find("\r\n");
      while (pos != std::string::npos && pos + 2 < d->size() && (*d)[pos + 2] == '\t') pos = d->find("\r\n", pos + 2);
      std::string body = pos == std::string::npos ? std::string() : d->substr(pos + 2);
      std::string want = unescape(rest_after(5));
      if (body != want) fail("body is \"" + printable(body) + "\", expected \"" + printable(want) + "\"");
    } else if (line.starts_with("@contains ") || line.starts_with("@lacks ")) {
      flush();
      bool contains = line.starts_with("@contains ");
      const std::string* d = last_data();
      if (!d) return;
      std::string want = unescape(rest_after(contains ? 9 : 6));
      if ((d->find(want) != std::string::npos) != contains)
        fail(std::string(contains ? "missing " : "unexpected ") + "\"" + printable(want) + "\" in \"" +
             printable(*d) + "\"");
    } else {
      fail("unknown transcript line: " + std::string(line));
    }
  }

  FeedMode mode_;
  SessionConfig cfg_;
  FakePolicy policy_;
  core::StringBuffers buffers_;
  core::FakeClock clock_;
  std::unique_ptr<ServerSession> session_;
  std::string implicit_tls_;
  std::optional<SpoolResult> late_;
  std::vector<std::string> pending_;
  std::deque<std::string> lines_;
  std::vector<std::string> sent_;  // every reply line, for check_log()
  std::string partial_;
  std::deque<Action> actions_;
  TranscriptOutcome result_;
  int lineno_ = 0;
};

}  // namespace

TranscriptOutcome run_transcript(const std::string& text, FeedMode mode) { return Runner(mode).run(text); }

}  // namespace axon::smtp::test
