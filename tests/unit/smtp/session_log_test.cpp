// The session's communication log (SessionConfig::transcript, TranscriptEvent): exact event sequences for
// PIPELINING, DATA, BDAT, STARTTLS, AUTH redaction, limits and aborts; each conversation fed whole, one line at a
// time and one octet at a time, which must give the same log.
#include <gtest/gtest.h>

#include <variant>

#include "core/clock.h"
#include "fakes.h"
#include "smtp/server_session.h"

using namespace axon;
using namespace axon::smtp;

namespace {

// One step of a conversation: bytes from the client, or an event from the driver.
struct Send {
  std::string bytes;
};
struct SpoolOk {
  std::string id;
};
struct TlsUp {};
struct Timeout {};
using Step = std::variant<Send, SpoolOk, TlsUp, Timeout>;

enum class Cut { whole, lines, octets };

std::vector<std::string> run(const std::vector<Step>& steps, Cut cut, SessionConfig cfg = {}) {
  cfg.hostname = "mx.example.com";
  cfg.transcript = true;
  test::FakePolicy policy;
  core::StringBuffers buffers;
  core::FakeClock clock;
  ServerSession s(cfg, policy, buffers, clock, test::test_peer());
  s.start();
  std::vector<std::string> log;
  auto collect = [&] {
    s.take_output();
    for (auto& e : s.take_transcript()) {
      const char* tag = e.kind == TranscriptEvent::Kind::client ? "C: "
                        : e.kind == TranscriptEvent::Kind::server ? "S: "
                        : e.kind == TranscriptEvent::Kind::data ? "D: "
                                                                 : "# ";
      if (e.kind == TranscriptEvent::Kind::data) {
        EXPECT_EQ(e.text, std::string("[").append(std::to_string(e.octets)).append(" octets of message data]"));
      }
      log.push_back(tag + e.text);
    }
  };
  collect();
  for (const Step& st : steps) {
    if (auto* b = std::get_if<Send>(&st)) {
      std::string_view in = b->bytes;
      while (!in.empty()) {
        std::size_t n = in.size();
        if (cut == Cut::octets) n = 1;
        if (cut == Cut::lines && in.find('\n') != std::string_view::npos) n = in.find('\n') + 1;
        s.receive(in.substr(0, n));
        in.remove_prefix(n);
      }
    } else if (auto* ok = std::get_if<SpoolOk>(&st)) {
      auto a = s.next_action();
      EXPECT_TRUE(a && std::holds_alternative<SpoolMessage>(*a));
      uint64_t seq = a && std::holds_alternative<SpoolMessage>(*a) ? std::get<SpoolMessage>(*a).seq : 0;
      s.on_spooled({true, ok->id, core::Errc::temporary, seq});
    } else if (std::holds_alternative<TlsUp>(st)) {
      auto a = s.next_action();
      EXPECT_TRUE(a && std::holds_alternative<StartTls>(*a));
      s.on_tls_ready("TLSv1.3 TLS_AES_128_GCM_SHA256");
    } else {
      s.on_idle_timeout();
    }
    collect();
  }
  return log;
}

// Runs the three cuts; they must agree. Returns the log.
std::vector<std::string> log_of(const std::vector<Step>& steps, SessionConfig cfg = {}) {
  auto whole = run(steps, Cut::whole, cfg);
  EXPECT_EQ(run(steps, Cut::lines, cfg), whole);
  EXPECT_EQ(run(steps, Cut::octets, cfg), whole);
  return whole;
}

std::vector<std::string> ehlo_reply(bool starttls = false) {
  std::vector<std::string> v{"S: 250-mx.example.com", "S: 250-PIPELINING", "S: 250-SIZE 52428800",
                             "S: 250-8BITMIME",       "S: 250-ENHANCEDSTATUSCODES", "S: 250-SMTPUTF8",
                             "S: 250-CHUNKING",       "S: 250-BINARYMIME"};
  v.push_back(starttls ? "S: 250-DSN" : "S: 250 DSN");
  if (starttls) v.push_back("S: 250 STARTTLS");
  return v;
}

std::vector<std::string> cat(std::vector<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::string kGreeting = "S: 220 mx.example.com ESMTP Axon";

}  // namespace

TEST(SmtpSessionLog, PipelinedCommandsInterleaveWithTheirReplies) {
  const std::string body = "Subject: s\r\n\r\nTOP-SECRET line\r\n..dotted\r\n.\r\n";
  auto log = log_of({Send{"EHLO c.example\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\n"
                          "RCPT TO:<nobody@example.com>\r\nDATA\r\n"},
                     Send{body + "MAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nQUIT\r\n"},
                     SpoolOk{"Q1"}});
  auto want = cat({{kGreeting, "C: EHLO c.example"},
                   ehlo_reply(),
                   {"C: MAIL FROM:<a@remote.example>", "S: 250 2.1.0 Ok", "C: RCPT TO:<alice@example.com>",
                    "S: 250 2.1.5 Ok", "C: RCPT TO:<nobody@example.com>",
                    "S: 550 5.1.1 Recipient address rejected: User unknown", "C: DATA",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    // Every octet after the DATA line up to and including the final "." CRLF.
                    "D: [" + std::to_string(body.size()) + " octets of message data]",
                    "S: 250 2.0.0 Ok: queued as Q1", "C: MAIL FROM:<>", "S: 250 2.1.0 Ok",
                    "C: RCPT TO:<bob@example.com>", "S: 250 2.1.5 Ok", "C: QUIT", "S: 221 2.0.0 Bye"}});
  EXPECT_EQ(log, want);
  for (const auto& l : log) EXPECT_EQ(l.find("SECRET"), std::string::npos) << l;
}

TEST(SmtpSessionLog, RefusedMessageIsCountedAndSmuggledCommandsAreData) {
  SessionConfig cfg;
  cfg.bare_lf = BareLf::reject;
  auto log = log_of({Send{"HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n"},
                     Send{"x\n.\nQUIT\r\n.\r\nDATA\r\n.\r\n"}},
                    cfg);
  // The smuggled "QUIT" is data; after the refusal the "." CRLF that follows DATA is a command line again.
  EXPECT_EQ(log, (std::vector<std::string>{
                     kGreeting, "C: HELO c", "S: 250 mx.example.com", "C: MAIL FROM:<>", "S: 250 2.1.0 Ok",
                     "C: RCPT TO:<bob@example.com>", "S: 250 2.1.5 Ok", "C: DATA",
                     "S: 354 End data with <CR><LF>.<CR><LF>", "D: [13 octets of message data]",
                     "S: 554 5.6.0 Message rejected: bare CR or LF in message data", "C: DATA",
                     "S: 503 5.5.1 Error: need RCPT command", "C: .", "S: 500 5.5.2 Error: command not recognized"}));
}

TEST(SmtpSessionLog, BdatChunksAreOneLineEachAlsoWhenRefused) {
  auto log = log_of({Send{"EHLO c\r\nBDAT 4\r\nQUIT"},
                     Send{"MAIL FROM:<a@remote.example>\r\nRCPT TO:<alice@example.com>\r\n"},
                     Send{"BDAT 5\r\nab\r\nc"}, Send{"BDAT 3 LAST\r\nd\r\nNOOP\r\n"}, SpoolOk{"B1"},
                     Send{"MAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nBDAT 0 LAST\r\n"}, SpoolOk{"B2"}});
  auto want = cat({{kGreeting, "C: EHLO c"},
                   ehlo_reply(),
                   {"C: BDAT 4", "D: [4 octets of message data]", "S: 503 5.5.1 Error: need MAIL command",
                    "C: MAIL FROM:<a@remote.example>", "S: 250 2.1.0 Ok", "C: RCPT TO:<alice@example.com>",
                    "S: 250 2.1.5 Ok", "C: BDAT 5", "D: [5 octets of message data]",
                    "S: 250 2.0.0 5 octets received", "C: BDAT 3 LAST", "D: [3 octets of message data]",
                    "S: 250 2.0.0 Ok: queued as B1", "C: NOOP", "S: 250 2.0.0 Ok", "C: MAIL FROM:<>",
                    "S: 250 2.1.0 Ok", "C: RCPT TO:<bob@example.com>", "S: 250 2.1.5 Ok", "C: BDAT 0 LAST",
                    "D: [0 octets of message data]", "S: 250 2.0.0 Ok: queued as B2"}});
  EXPECT_EQ(log, want);
}

TEST(SmtpSessionLog, InputAfterStarttlsIsNotedNotLogged) {
  SessionConfig cfg;
  cfg.tls_available = true;
  auto log = log_of({Send{"EHLO c\r\nSTARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\n"}, TlsUp{},
                     Send{"EHLO c\r\n"}},
                    cfg);
  auto want = cat({{kGreeting, "C: EHLO c"},
                   ehlo_reply(true),
                   {"C: STARTTLS", "S: 220 2.0.0 Ready to start TLS",
                    "# 35 octets sent after STARTTLS discarded (RFC 3207 §4.2)", "C: EHLO c"},
                   ehlo_reply()});
  EXPECT_EQ(log, want);
}

TEST(SmtpSessionLog, AuthInitialResponseIsRedacted) {
  auto log = log_of({Send{"EHLO c\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nauth login  YWxpY2U=\r\nAUTH LOGIN\r\n"
                          "AUTH\r\n"}});
  auto want = cat({{kGreeting, "C: EHLO c"},
                   ehlo_reply(),
                   {"C: AUTH PLAIN ***", "S: 503 5.5.1 Error: authentication not enabled", "C: auth login ***",
                    "S: 503 5.5.1 Error: authentication not enabled", "C: AUTH LOGIN",
                    "S: 503 5.5.1 Error: authentication not enabled", "C: AUTH",
                    "S: 503 5.5.1 Error: authentication not enabled"}});
  EXPECT_EQ(log, want);
}

TEST(SmtpSessionLog, OverLongLineIsNotedAndTimeoutEndsDataFirst) {
  SessionConfig cfg;
  cfg.max_command_line = 32;
  auto log = log_of({Send{"HELO c\r\nNOOP " + std::string(100, 'x') + "\r\nMAIL FROM:<>\r\n"},
                     Send{"RCPT TO:<bob@example.com>\r\nDATA\r\npart of a body\r\n"}, Timeout{}},
                    cfg);
  EXPECT_EQ(log, (std::vector<std::string>{
                     kGreeting, "C: HELO c", "S: 250 mx.example.com",
                     "# 107 octets of an over-long command line discarded", "S: 500 5.5.6 Line too long",
                     "C: MAIL FROM:<>", "S: 250 2.1.0 Ok", "C: RCPT TO:<bob@example.com>", "S: 250 2.1.5 Ok",
                     "C: DATA", "S: 354 End data with <CR><LF>.<CR><LF>", "D: [16 octets of message data]",
                     "S: 421 4.4.2 mx.example.com Error: timeout exceeded"}));
}

TEST(SmtpSessionLog, NothingIsRecordedUnlessAsked) {
  test::FakePolicy policy;
  core::StringBuffers buffers;
  core::FakeClock clock;
  SessionConfig cfg;
  ServerSession s(cfg, policy, buffers, clock, test::test_peer());
  s.start();
  s.receive("HELO c\r\nNOOP\r\n");
  EXPECT_FALSE(s.take_output().empty());
  EXPECT_TRUE(s.take_transcript().empty());
}
