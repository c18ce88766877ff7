// net::Server, the network driver, on loopback with a fake line-protocol session: TLS descriptions (implicit TLS
// and STARTTLS), request deadlines with a minimum data rate, wait timeouts and late wakes, and the drain.
// The fake session mimics the SMTP adapter: its waits are completed from another thread through the Wake, with
// a callback that captures the session's `this`.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <regex>
#include <thread>

#include "net/server.h"
#include "net/tls.h"
#include "test_client.h"

using namespace axon::net;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::Client;

namespace {

// What the test observes; shared with every session of a server.
struct Probe {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> events;
  std::vector<std::function<void()>> finishers;  // complete a session's wait, like a spool callback; any thread

  void add(std::string e) {
    std::lock_guard lk(mu);
    events.push_back(std::move(e));
    cv.notify_all();
  }
  void add_finisher(std::function<void()> f) {
    std::lock_guard lk(mu);
    finishers.push_back(std::move(f));
    cv.notify_all();
  }
  std::size_t count(const std::string& e) {
    std::lock_guard lk(mu);
    return static_cast<std::size_t>(std::count(events.begin(), events.end(), e));
  }
  bool wait_for(const std::string& e, std::chrono::milliseconds t = 5s) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, t, [&] { return std::find(events.begin(), events.end(), e) != events.end(); });
  }
  std::string last() {
    std::lock_guard lk(mu);
    return events.empty() ? std::string() : events.back();
  }
  std::function<void()> finisher(std::size_t i) {
    std::unique_lock lk(mu);
    cv.wait_for(lk, 5s, [&] { return finishers.size() > i; });
    return finishers.size() > i ? finishers[i] : [] {};
  }
};

// Lines: "ping" -> "pong"; "starttls" -> "go" + TLS; "wait" -> Step::wait until its finisher runs ("woken N");
// "begin N" -> "ok", then N raw bytes -> "got N"; "lines N" -> N lines "line I", made one at a time with
// Step::write_more (a long reply in pieces); "quit" -> "bye" + close. shutdown(): "shutdown" + close, after the
// transfer or wait in progress.
class LineSession final : public Session {
 public:
  LineSession(std::shared_ptr<Probe> p, Wake w) : probe_(std::move(p)), wake_(std::move(w)) {}
  ~LineSession() override { probe_->add("destroyed"); }

  void start(std::string d) override {
    probe_->add("start:" + d);
    out_ += "hello " + d + "\n";
  }
  void receive(std::string_view b) override {
    in_.append(b);
    process();
  }
  void tls_ready(std::string d) override {
    probe_->add("tls_ready:" + d);
    out_ += "tls " + d + "\n";
    tls_pending_ = false;
  }
  void tls_failed() override { closing_ = true; }
  void idle_timeout() override {
    probe_->add("idle_timeout");
    out_ += "timeout\n";
    closing_ = true;
  }
  void wait_timeout() override {
    probe_->add("wait_timeout");
    if (!waiting_) return;
    waiting_ = false;
    out_ += "wait-timeout\n";
    after_wait();
  }
  void shutdown() override {
    probe_->add("shutdown");
    if (transfer_left_ > 0 || waiting_) shutdown_pending_ = true;
    else goodbye();
  }
  std::string take_output() override {
    if (out_.empty() && lines_next_ < lines_total_) {  // one piece of a long reply, made once the last is taken
      out_ = "line " + std::to_string(lines_next_++) + "\n";
      if (lines_next_ == lines_total_) process();  // the reply is done: on to the input held meanwhile
    }
    return std::exchange(out_, std::string());
  }
  Step next_step() override {
    if (closing_) return Step::close;
    if (lines_next_ < lines_total_) return Step::write_more;
    if (tls_pending_ && !tls_step_given_) {
      tls_step_given_ = true;
      return Step::start_tls;
    }
    return waiting_ ? Step::wait : Step::read;
  }

 private:
  void goodbye() {
    out_ += "shutdown\n";
    closing_ = true;
  }
  void after_wait() {
    if (shutdown_pending_) goodbye();
    else process();
  }
  void on_wake(uint64_t seq) {
    if (!waiting_ || seq != seq_) {
      probe_->add("stale " + std::to_string(seq));
      return;
    }
    waiting_ = false;
    out_ += "woken " + std::to_string(seq) + "\n";
    after_wait();
  }
  void process() {
    while (!closing_) {
      if (transfer_left_ > 0) {
        std::size_t take = std::min(transfer_left_, in_.size());
        in_.erase(0, take);
        transfer_left_ -= take;
        if (transfer_left_ > 0) return;
        out_ += "got " + std::to_string(transfer_size_) + "\n";
        if (shutdown_pending_) return goodbye();
        continue;
      }
      if (waiting_ || tls_pending_ || lines_next_ < lines_total_) return;
      auto lf = in_.find('\n');
      if (lf == std::string::npos) return;
      std::string line = in_.substr(0, lf);
      in_.erase(0, lf + 1);
      if (line == "ping") {
        out_ += "pong\n";
      } else if (line == "starttls") {
        out_ += "go\n";
        tls_pending_ = true;
        tls_step_given_ = false;
        in_.clear();
      } else if (line == "wait") {
        waiting_ = true;
        uint64_t seq = ++seq_;
        probe_->add_finisher([wake = wake_, self = this, seq] { wake([self, seq] { self->on_wake(seq); }); });
      } else if (line.rfind("begin ", 0) == 0) {
        transfer_size_ = transfer_left_ = std::stoul(line.substr(6));
        out_ += "ok\n";
      } else if (line.rfind("lines ", 0) == 0) {
        lines_total_ = std::stoul(line.substr(6));
        lines_next_ = 0;
      } else if (line == "quit") {
        out_ += "bye\n";
        closing_ = true;
      }
    }
  }

  std::shared_ptr<Probe> probe_;
  Wake wake_;
  std::string in_, out_;
  bool closing_ = false, waiting_ = false, tls_pending_ = false, tls_step_given_ = false, shutdown_pending_ = false;
  uint64_t seq_ = 0;
  std::size_t transfer_left_ = 0, transfer_size_ = 0;
  std::size_t lines_next_ = 0, lines_total_ = 0;
};

std::shared_ptr<boost::asio::ssl::context> test_tls() {
  static std::shared_ptr<boost::asio::ssl::context> ctx = [] {
    auto dir = std::filesystem::temp_directory_path() / ("axon-net-test-" + std::to_string(::getpid()));
    EXPECT_TRUE(write_self_signed(dir / "cert.pem", dir / "key.pem", "mx.example.com").ok());
    auto c = TlsContext::load(dir / "cert.pem", dir / "key.pem");
    std::filesystem::remove_all(dir);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : nullptr;
  }();
  return ctx;
}

struct TestServer {
  explicit TestServer(ListenerSpec spec, ServerOptions opts = {}) {
    opts.threads = 3;
    spec.name = "test";
    spec.addresses = {"127.0.0.1"};
    spec.port = 0;
    spec.factory = [p = probe](const Peer&, Wake w) { return std::make_unique<LineSession>(p, std::move(w)); };
    server = std::make_unique<Server>(opts, test_tls());
    EXPECT_TRUE(server->listen(spec).ok());
    port = server->local_port(0);
    thread = std::thread([this] {
      server->run();
      returned = true;
    });
  }
  ~TestServer() {
    server->stop();
    if (thread.joinable()) thread.join();
  }
  // stop(), then how long run() took to return.
  std::chrono::milliseconds stop_and_join() {
    auto t0 = Clock::now();
    server->stop();
    thread.join();
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  }
  std::shared_ptr<Probe> probe = std::make_shared<Probe>();
  std::unique_ptr<Server> server;
  std::thread thread;
  std::atomic<bool> returned{false};
  uint16_t port = 0;
};

std::chrono::milliseconds since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
}

const std::regex kTlsDescription("TLSv1\\.[23] [A-Z0-9_-]+");  // "VERSION CIPHER", nothing in between

}  // namespace

TEST(NetServer, ImplicitTlsStartsTheSessionWithTheDescription) {
  ListenerSpec spec;
  spec.implicit_tls = true;
  TestServer s(spec);
  Client c(s.port);
  ASSERT_TRUE(c.tls_handshake());
  std::string hello = c.line();
  ASSERT_EQ(hello.rfind("hello ", 0), 0u) << hello;
  EXPECT_TRUE(std::regex_match(hello.substr(6), kTlsDescription)) << hello;
  EXPECT_TRUE(c.send("ping\n"));
  EXPECT_EQ(c.line(), "pong");
  EXPECT_TRUE(c.send("quit\n"));
  EXPECT_EQ(c.line(), "bye");
  ASSERT_TRUE(s.probe->wait_for("destroyed"));
  for (const auto& e : s.probe->events) EXPECT_EQ(e.rfind("tls_ready", 0), std::string::npos) << e;
}

TEST(NetServer, StepWriteTakesALongReplyPieceByPieceBeforeReading) {
  TestServer ts({});
  Client c(ts.port);
  ASSERT_TRUE(c.connected());
  EXPECT_EQ(c.line(), "hello ");
  ASSERT_TRUE(c.send("lines 500\nping\n"));  // the ping waits in the session until the reply is done
  for (int i = 0; i < 500; ++i) ASSERT_EQ(c.line(), "line " + std::to_string(i));
  EXPECT_EQ(c.line(), "pong");
  ASSERT_TRUE(c.send("quit\n"));
  EXPECT_EQ(c.line(), "bye");
  EXPECT_TRUE(c.eof());
}

TEST(NetServer, StartTlsHandsVersionAndCipher) {
  TestServer s(ListenerSpec{});
  Client c(s.port);
  EXPECT_EQ(c.line(), "hello ");  // plain: empty description
  EXPECT_TRUE(c.send("starttls\n"));
  EXPECT_EQ(c.line(), "go");
  ASSERT_TRUE(c.tls_handshake());
  std::string tls = c.line();
  ASSERT_EQ(tls.rfind("tls ", 0), 0u) << tls;
  EXPECT_TRUE(std::regex_match(tls.substr(4), kTlsDescription)) << tls;
}

// Postfix smtpd_per_request_deadline: reads do not restart the clock; one byte now and then cannot hold on.
TEST(NetServer, TrickleHitsTheRequestDeadline) {
  ListenerSpec spec;
  spec.idle_timeout = 600ms;
  spec.min_data_rate = 1'000'000;  // a byte buys a microsecond
  TestServer s(spec);
  Client c(s.port);
  EXPECT_EQ(c.line(), "hello ");
  auto t0 = Clock::now();
  while (s.probe->count("idle_timeout") == 0 && since(t0) < 3s) {  // a byte every 100 ms, never a whole line
    c.send("p");
    std::this_thread::sleep_for(100ms);
  }
  auto took = since(t0);
  EXPECT_EQ(s.probe->count("idle_timeout"), 1u);
  EXPECT_GE(took, 500ms);
  EXPECT_LT(took, 1500ms);  // 600 ms after our last reply, not 600 ms after the last byte
  EXPECT_EQ(c.line(), "timeout");
}

TEST(NetServer, MinDataRateZeroKeepsThePerReadIdleTimeout) {
  ListenerSpec spec;
  spec.idle_timeout = 600ms;
  spec.min_data_rate = 0;
  TestServer s(spec);
  Client c(s.port);
  EXPECT_EQ(c.line(), "hello ");
  for (const char* b : {"p", "i", "n", "g"}) {  // 1.2 s in all, 300 ms apart: each read restarts the clock
    std::this_thread::sleep_for(300ms);
    ASSERT_TRUE(c.send(b));
  }
  EXPECT_TRUE(c.send("\n"));
  EXPECT_EQ(c.line(), "pong");
  EXPECT_EQ(s.probe->count("idle_timeout"), 0u);
}

// smtpd_min_data_rate: a transfer longer than idle_timeout passes when it keeps up the rate.
TEST(NetServer, DataAtTheMinimumRatePassesPastIdleTimeout) {
  ListenerSpec spec;
  spec.idle_timeout = 500ms;
  spec.min_data_rate = 100'000;
  TestServer s(spec);
  Client c(s.port);
  EXPECT_EQ(c.line(), "hello ");
  EXPECT_TRUE(c.send("begin 240000\n"));
  EXPECT_EQ(c.line(), "ok");
  auto t0 = Clock::now();
  for (int i = 0; i < 12; ++i) {  // 20000 bytes every 100 ms: 200 KB/s for 1.2 s
    ASSERT_TRUE(c.send(std::string(20000, 'x')));
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(c.line(), "got 240000");
  EXPECT_GT(since(t0), 1000ms);  // longer than idle_timeout
  EXPECT_EQ(s.probe->count("idle_timeout"), 0u);
}

TEST(NetServer, WaitTimeoutThenLateAndStaleWakes) {
  ListenerSpec spec;
  spec.wait_timeout = 300ms;
  TestServer s(spec);
  Client c(s.port);
  EXPECT_EQ(c.line(), "hello ");
  auto t0 = Clock::now();
  EXPECT_TRUE(c.send("wait\n"));
  EXPECT_EQ(c.line(), "wait-timeout");
  EXPECT_GE(since(t0), 250ms);
  s.probe->finisher(0)();  // the late answer: delivered, and the session knows it is stale
  EXPECT_TRUE(c.send("ping\n"));
  EXPECT_EQ(c.line(), "pong");
  EXPECT_TRUE(c.send("wait\n"));
  s.probe->finisher(1)();
  EXPECT_EQ(c.line(), "woken 2");
  EXPECT_EQ(s.probe->count("stale 1"), 1u);
  EXPECT_EQ(s.probe->count("wait_timeout"), 1u);
}

// The SMTP adapter's pattern: a callback capturing the session's `this` completes after the connection is gone.
// The Wake must drop it unrun (ASan/TSan builds would also see a use after free).
TEST(NetServer, WakeAfterTheConnectionIsGoneIsDropped) {
  ListenerSpec spec;
  spec.wait_timeout = 200ms;
  TestServer s(spec);
  {
    Client c(s.port);
    EXPECT_EQ(c.line(), "hello ");
    EXPECT_TRUE(c.send("wait\n"));
    EXPECT_EQ(c.line(), "wait-timeout");
    EXPECT_TRUE(c.send("quit\n"));
    EXPECT_EQ(c.line(), "bye");
  }
  ASSERT_TRUE(s.probe->wait_for("destroyed"));
  std::thread late(s.probe->finisher(0));  // from another thread, as the spool's writer does
  late.join();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(s.probe->count("stale 1"), 0u);
  EXPECT_EQ(s.probe->last(), "destroyed");
}

// The same after the whole server is gone (a spool callback at shutdown): calling and destroying the Wake is
// harmless. Before the fix, destroying a Wake after the Server touched its io_context (ThreadSanitizer saw it).
TEST(NetServer, WakeAfterTheServerIsGoneIsHarmless) {
  std::shared_ptr<Probe> probe;
  {
    ServerOptions opts;
    opts.drain_timeout = 200ms;
    TestServer s(ListenerSpec{}, opts);
    probe = s.probe;
    Client c(s.port);
    EXPECT_EQ(c.line(), "hello ");
    EXPECT_TRUE(c.send("wait\n"));
    ASSERT_TRUE(probe->finisher(0) != nullptr);
  }  // stop(): the wait outlasts the drain timeout; the server is destroyed
  std::thread late(probe->finisher(0));
  late.join();
  EXPECT_EQ(probe->count("stale 1"), 0u);
}

TEST(NetServer, DrainSaysGoodbyeBetweenRequests) {
  TestServer s(ListenerSpec{});
  Client a(s.port), b(s.port);
  EXPECT_EQ(a.line(), "hello ");
  EXPECT_EQ(b.line(), "hello ");
  auto took = s.stop_and_join();
  EXPECT_EQ(a.line(), "shutdown");
  EXPECT_EQ(b.line(), "shutdown");
  EXPECT_TRUE(a.eof());
  EXPECT_EQ(s.probe->count("shutdown"), 2u);  // once per session
  EXPECT_LT(took, 5000ms);                    // not the drain timeout
  Client late(s.port);
  EXPECT_TRUE(!late.connected() || late.eof());  // no longer accepting
}

TEST(NetServer, DrainLetsATransferFinish) {
  ServerOptions opts;
  opts.drain_timeout = 10s;
  TestServer s(ListenerSpec{}, opts);
  Client c(s.port), w(s.port);
  EXPECT_EQ(c.line(), "hello ");
  EXPECT_EQ(w.line(), "hello ");
  EXPECT_TRUE(c.send("begin 10\n12345"));
  EXPECT_EQ(c.line(), "ok");
  EXPECT_TRUE(w.send("wait\n"));
  ASSERT_TRUE(s.probe->finisher(0) != nullptr);
  auto t0 = Clock::now();
  std::thread stopper([&] { s.server->stop(); });
  stopper.join();
  ASSERT_TRUE(s.probe->wait_for("shutdown"));
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(c.send("67890"));  // the transfer goes on after shutdown()
  EXPECT_EQ(c.line(), "got 10");
  EXPECT_EQ(c.line(), "shutdown");
  EXPECT_TRUE(c.eof());
  s.probe->finisher(0)();  // the wait in progress is answered, then goodbye
  EXPECT_EQ(w.line(), "woken 1");
  EXPECT_EQ(w.line(), "shutdown");
  s.thread.join();
  EXPECT_TRUE(s.returned);
  EXPECT_LT(since(t0), 5000ms);
  EXPECT_EQ(s.probe->count("shutdown"), 2u);
}

TEST(NetServer, DrainTimeoutCutsOff) {
  ServerOptions opts;
  opts.drain_timeout = 500ms;
  TestServer s(ListenerSpec{}, opts);
  Client c(s.port);
  EXPECT_EQ(c.line(), "hello ");
  EXPECT_TRUE(c.send("begin 10\n123"));
  EXPECT_EQ(c.line(), "ok");
  auto took = s.stop_and_join();
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 5000ms);
  EXPECT_EQ(s.probe->count("shutdown"), 1u);
}
