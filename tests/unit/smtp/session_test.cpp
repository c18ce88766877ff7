// ServerSession checks that transcripts cannot express: the SpoolMessage contents (envelope with DSN fields),
// the exact Received: field, phases, bounded buffering, and the reply mapping.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "fakes.h"
#include "smtp/body_reader.h"
#include "smtp/received.h"
#include "smtp/reply.h"
#include "smtp/server_session.h"

using namespace axon;
using namespace axon::smtp;

namespace {

struct Harness {
  explicit Harness(SessionConfig c = {}, PeerInfo p = test::test_peer()) : cfg(std::move(c)) {
    if (cfg.hostname == "localhost") cfg.hostname = "mx.example.com";
    session = std::make_unique<ServerSession>(cfg, policy, buffers, clock, std::move(p));
    session->start();
    greeting = session->take_output();
  }
  std::string send(std::string_view s) {
    session->receive(s);
    return session->take_output();
  }
  std::optional<SpoolMessage> spool() {
    auto a = session->next_action();
    if (!a || !std::holds_alternative<SpoolMessage>(*a)) return std::nullopt;
    return std::get<SpoolMessage>(std::move(*a));
  }
  static std::string data(const SpoolMessage& m) { return static_cast<core::StringBuffer&>(*m.data).data(); }
  SessionConfig cfg;
  test::FakePolicy policy;
  core::StringBuffers buffers;
  core::FakeClock clock;
  std::unique_ptr<ServerSession> session;
  std::string greeting;
};

}  // namespace

TEST(SmtpSession, EnvelopeCarriesEverything) {
  Harness h;
  EXPECT_EQ(h.greeting, "220 mx.example.com ESMTP Axon\r\n");
  EXPECT_EQ(h.session->phase(), Phase::greeting);
  h.clock.advance(std::chrono::seconds(60));
  std::string out = h.send(
      "EHLO client.example.org\r\n"
      "MAIL FROM:<José@remote.example> RET=HDRS ENVID=QQ+2B1 SMTPUTF8 BODY=8BITMIME SIZE=100\r\n"
      "RCPT TO:<Alice@Example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Alice+40Example.com\r\n"
      "RCPT TO:<postmaster>\r\n"
      "DATA\r\n"
      "Subject: t\r\n\r\nbody\r\n.\r\n");
  EXPECT_NE(out.find("354 "), std::string::npos) << out;
  EXPECT_EQ(h.session->phase(), Phase::wait_spool);
  auto m = h.spool();
  ASSERT_TRUE(m);
  const core::Envelope& e = m->envelope;
  EXPECT_EQ(e.mail_from, "José@remote.example");
  EXPECT_EQ(e.body, core::BodyType::eight_bit_mime);
  EXPECT_TRUE(e.smtputf8);
  EXPECT_EQ(e.dsn_ret, "HDRS");
  EXPECT_EQ(e.dsn_envid, "QQ+2B1");
  ASSERT_EQ(e.rcpts.size(), 2u);
  EXPECT_EQ(e.rcpts[0].address, "Alice@Example.com");
  EXPECT_EQ(e.rcpts[0].targets, std::vector<std::string>{"alice@example.com"});
  EXPECT_EQ(e.rcpts[0].notify, "SUCCESS,FAILURE");
  EXPECT_EQ(e.rcpts[0].orcpt, "rfc822;Alice+40Example.com");
  EXPECT_EQ(e.rcpts[1].address, "postmaster@mx.example.com");
  EXPECT_EQ(e.rcpts[1].targets, std::vector<std::string>{"postmaster@mx.example.com"});
  EXPECT_TRUE(e.rcpts[1].notify.empty());
  EXPECT_EQ(e.helo, "client.example.org");
  EXPECT_EQ(e.peer_ip, "192.0.2.1");
  EXPECT_TRUE(e.tls.empty());
  EXPECT_FALSE(e.authenticated);
  EXPECT_EQ(e.received, h.clock.now());
  EXPECT_EQ(Harness::data(*m),
            "Received: from client.example.org (client.example.org [192.0.2.1])\r\n"
            "\tby mx.example.com (Axon) with UTF8SMTP\r\n"
            "\t; Tue, 14 Nov 2023 22:14:20 +0000\r\n"
            "Subject: t\r\n\r\nbody\r\n");
  EXPECT_FALSE(h.session->next_action());
  h.session->on_spooled({true, "OTHER", core::Errc::temporary, m->seq + 1});  // not this message's answer
  EXPECT_EQ(h.session->take_output(), "");
  EXPECT_EQ(h.session->phase(), Phase::wait_spool);
  h.session->on_spooled({true, "ABC", core::Errc::temporary, m->seq});
  EXPECT_EQ(h.session->take_output(), "250 2.0.0 Ok: queued as ABC\r\n");
  EXPECT_EQ(h.session->phase(), Phase::ready);
}

TEST(SmtpSession, TlsDescriptionInEnvelopeAndReceived) {
  SessionConfig cfg;
  cfg.tls_available = true;
  Harness h(cfg, PeerInfo{"2001:db8::1", 1, ""});
  EXPECT_NE(h.send("EHLO c\r\n").find("250 STARTTLS\r\n"), std::string::npos);
  EXPECT_EQ(h.send("STARTTLS\r\nEHLO injected\r\n"), "220 2.0.0 Ready to start TLS\r\n");
  EXPECT_EQ(h.session->phase(), Phase::wait_tls);
  ASSERT_TRUE(h.session->next_action().has_value());
  EXPECT_EQ(h.send("MAIL FROM:<x@y.example>\r\n"), "");  // before the handshake: dropped
  h.session->on_tls_ready("TLSv1.3 TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(h.session->take_output(), "");
  EXPECT_EQ(h.session->phase(), Phase::greeting);
  std::string ehlo = h.send("EHLO c\r\n");
  EXPECT_EQ(ehlo.find("STARTTLS"), std::string::npos) << ehlo;
  h.send("MAIL FROM:<> \r\nRCPT TO:<bob@example.com>\r\nDATA\r\nx\r\n.\r\n");
  auto m = h.spool();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->envelope.tls, "TLSv1.3 TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(m->envelope.mail_from, "");
  EXPECT_EQ(Harness::data(*m),
            "Received: from c (unknown [IPv6:2001:db8::1])\r\n"
            "\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)\r\n"
            "\tby mx.example.com (Axon) with ESMTPS for <bob@example.com>\r\n"
            "\t; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "x\r\n");
}

TEST(SmtpSession, ImplicitTlsFromTheStart) {
  SessionConfig cfg;
  cfg.tls_available = true;
  Harness h(cfg);
  ServerSession s(h.cfg, h.policy, h.buffers, h.clock, test::test_peer());
  s.start("TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384");
  EXPECT_EQ(s.take_output(), "220 mx.example.com ESMTP Axon\r\n");
  s.receive("EHLO c\r\n");
  EXPECT_EQ(s.take_output().find("STARTTLS"), std::string::npos);  // RFC 3207 §4.2
  s.receive("STARTTLS\r\n");
  EXPECT_EQ(s.take_output(), "503 5.5.1 Error: TLS already active\r\n");
  EXPECT_FALSE(s.next_action());
  s.receive("MAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nx\r\n.\r\n");
  auto a = s.next_action();
  ASSERT_TRUE(a && std::holds_alternative<SpoolMessage>(*a));
  const auto& m = std::get<SpoolMessage>(*a);
  EXPECT_EQ(m.envelope.tls, "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384");
  const std::string data = Harness::data(m);
  EXPECT_NE(data.find("\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384)\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find(" with ESMTPS for <bob@example.com>"), std::string::npos) << data;
}

// on_shutdown() in every phase: between commands 421 at once; inside a message (DATA, BDAT) or an action (spool,
// TLS handshake) the message or action is finished and answered first, then 421 and Close.
TEST(SmtpSession, ShutdownInEachPhase) {
  const std::string bye = "421 4.3.2 mx.example.com Service shutting down\r\n";
  struct Case {
    const char* name;
    const char* before;    // input that reaches the phase
    Phase phase;
    const char* after;     // input sent after on_shutdown(), or "" when 421 comes at once
    const char* expected;  // output after that input (and the spool's answer), before the 421
  };
  const char* tx = "EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\n";
  std::string data_start = std::string(tx) + "DATA\r\nhalf";
  std::string bdat_chunk = std::string(tx) + "BDAT 10\r\nhalf";
  std::string bdat_between = std::string(tx) + "BDAT 4\r\nhalf";
  std::string in_spool = std::string(tx) + "DATA\r\nx\r\n.\r\n";
  const Case cases[] = {
      {"greeting", "", Phase::greeting, "", ""},
      {"ready", "EHLO c\r\n", Phase::ready, "", ""},
      {"mail", "EHLO c\r\nMAIL FROM:<>\r\n", Phase::mail, "", ""},
      {"rcpt", tx, Phase::rcpt, "", ""},
      {"data", data_start.c_str(), Phase::data, " end\r\n.\r\nNOOP\r\n", "250 2.0.0 Ok: queued as Q\r\n"},
      {"bdat chunk", bdat_chunk.c_str(), Phase::bdat, "123456BDAT 0 LAST\r\n",
       "250 2.0.0 10 octets received\r\n250 2.0.0 Ok: queued as Q\r\n"},
      {"bdat between chunks", bdat_between.c_str(), Phase::bdat, "BDAT 2 LAST\r\nxy",
       "250 2.0.0 Ok: queued as Q\r\n"},
      {"wait_spool", in_spool.c_str(), Phase::wait_spool, "NOOP\r\n", "250 2.0.0 Ok: queued as Q\r\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Harness h;
    h.send(c.before);
    ASSERT_EQ(h.session->phase(), c.phase);
    h.session->on_shutdown();
    if (!*c.after) {
      EXPECT_EQ(h.session->take_output(), bye);
    } else {
      EXPECT_EQ(h.session->take_output(), "");  // the message in transfer goes on
      EXPECT_FALSE(h.session->closed());
      std::string out = h.send(c.after);
      auto m = h.spool();
      ASSERT_TRUE(m);
      h.session->on_spooled({true, "Q", core::Errc::temporary, m->seq});
      out += h.session->take_output();
      EXPECT_EQ(out, std::string(c.expected) + bye);
    }
    auto a = h.session->next_action();
    EXPECT_TRUE(a && std::holds_alternative<Close>(*a));
    EXPECT_TRUE(h.session->closed());
    h.session->on_shutdown();  // a second call changes nothing
    EXPECT_EQ(h.session->take_output(), "");
  }
}

TEST(SmtpSession, ShutdownDuringTlsHandshakeAndRefusedMessage) {
  SessionConfig cfg;
  cfg.tls_available = true;
  {
    Harness h(cfg);
    h.send("EHLO c\r\nSTARTTLS\r\n");
    ASSERT_EQ(h.session->phase(), Phase::wait_tls);
    h.session->on_shutdown();
    EXPECT_EQ(h.session->take_output(), "");
    h.session->on_tls_ready("TLSv1.3 TLS_AES_128_GCM_SHA256");
    EXPECT_EQ(h.session->take_output(), "421 4.3.2 mx.example.com Service shutting down\r\n");
    EXPECT_TRUE(h.session->closed());
  }
  cfg.max_message_size = 64 * 1024;
  Harness h(cfg);
  h.send("EHLO c\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n");
  h.session->on_shutdown();
  EXPECT_EQ(h.send(std::string(70 * 1024, 'x') + "\r\n.\r\n"),
            "552 5.3.4 Message size exceeds fixed limit\r\n421 4.3.2 mx.example.com Service shutting down\r\n");
  EXPECT_TRUE(h.session->closed());
  EXPECT_FALSE(h.spool());  // Close, no message
}

TEST(SmtpSession, WaitTimeoutThenStaleAnswer) {
  Harness h;
  h.send("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nfirst\r\n.\r\n");
  auto first = h.spool();
  ASSERT_TRUE(first);
  h.session->on_wait_timeout();
  EXPECT_EQ(h.session->take_output(), "451 4.3.0 Error: queue file write error\r\n");
  EXPECT_EQ(h.session->phase(), Phase::ready);
  h.session->on_wait_timeout();  // not waiting: ignored
  EXPECT_EQ(h.session->take_output(), "");
  h.send("MAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nsecond\r\n.\r\n");
  auto second = h.spool();
  ASSERT_TRUE(second);
  EXPECT_NE(first->seq, second->seq);
  h.session->on_spooled({true, "LATE", core::Errc::temporary, first->seq});  // the first message's answer
  EXPECT_EQ(h.session->take_output(), "");
  EXPECT_EQ(h.session->phase(), Phase::wait_spool);
  h.session->on_spooled({false, "", core::Errc::temporary, second->seq});
  EXPECT_EQ(h.session->take_output(), "451 4.3.0 Error: temporary failure, try again later\r\n");
}

TEST(SmtpSession, HugeLineWithoutLfIsNotBufferedAndSessionGoesOn) {
  Harness h;
  h.send("HELO c\r\n");
  std::string junk(1 << 16, 'A');
  for (int i = 0; i < 64; ++i) EXPECT_EQ(h.send(junk), "");  // 4 MiB, no reply until the LF
  EXPECT_EQ(h.send("\r\nNOOP\r\n"), "500 5.5.6 Line too long\r\n250 2.0.0 Ok\r\n");
}

TEST(SmtpSession, TooMuchInputWhileSpoolingEndsTheSession) {
  Harness h;
  h.send("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nx\r\n.\r\n");
  auto m = h.spool();
  ASSERT_TRUE(m);
  std::string flood(1 << 20, 'N');
  EXPECT_EQ(h.send(flood), "");
  h.session->on_spooled({true, "Q", core::Errc::temporary, m->seq});
  EXPECT_EQ(h.session->take_output(),
            "250 2.0.0 Ok: queued as Q\r\n421 4.7.0 mx.example.com Error: too much pipelined input\r\n");
  auto a = h.session->next_action();
  ASSERT_TRUE(a && std::holds_alternative<Close>(*a));
  EXPECT_TRUE(h.session->closed());
}

TEST(SmtpSession, JunkCommandLoopEndsAtTheDefaults) {
  // junk_command_limit 100, max_errors 10: NOOPs 101 to 110 are errors 1 to 10, the 111th is one too many.
  Harness h;
  h.send("HELO c\r\n");  // junk 1
  for (int i = 2; i <= 110; ++i) ASSERT_EQ(h.send("NOOP\r\n"), "250 2.0.0 Ok\r\n") << i;
  EXPECT_FALSE(h.session->closed());
  EXPECT_EQ(h.send("NOOP\r\n"), "250 2.0.0 Ok\r\n421 4.7.0 mx.example.com Error: too many errors\r\n");
  EXPECT_TRUE(h.session->closed());
}

namespace {

// A first message ending with BDAT LAST, then a whole pipelined transaction with a 1 MiB chunk, fed in pieces of
// `piece` octets (the first `split` octets alone) while the first message waits for the spool.
void pipelined_after_bdat_last(std::size_t piece, std::size_t split) {
  SessionConfig cfg;
  cfg.max_command_line = 64 * 1024;  // the largest line the config allows: held input is still 64 KiB at most
  Harness h(cfg);
  std::string all = "EHLO c\r\nNOOP\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.com>\r\nBDAT 5 LAST\r\nhello"
                    "MAIL FROM:<>\r\nRCPT TO:<alice@example.com>\r\nBDAT 1048576 LAST\r\n" +
                    std::string(1 << 20, 'x') + "QUIT\r\n";
  std::string out = h.send(std::string_view(all).substr(0, split));
  for (std::size_t i = split; i < all.size(); i += piece) out += h.send(std::string_view(all).substr(i, piece));
  EXPECT_TRUE(out.ends_with("250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n")) << out;
  auto m = h.spool();
  ASSERT_TRUE(m);
  EXPECT_TRUE(Harness::data(*m).ends_with("\r\nhello")) << Harness::data(*m);
  EXPECT_FALSE(h.session->next_action());
  h.session->on_spooled({true, "Q1", core::Errc::temporary, m->seq});
  // The first message is acknowledged; then the held input is refused as a whole: nothing of it is processed.
  EXPECT_EQ(h.session->take_output(),
            "250 2.0.0 Ok: queued as Q1\r\n421 4.7.0 mx.example.com Error: too much pipelined input\r\n");
  auto a = h.session->next_action();
  ASSERT_TRUE(a && std::holds_alternative<Close>(*a));
  EXPECT_TRUE(h.session->closed());
}

}  // namespace

TEST(SmtpSession, InputPipelinedAfterBdatLastIsCappedAt64KiB) {
  pipelined_after_bdat_last(std::size_t{1} << 30, 0);  // all in one receive()
  pipelined_after_bdat_last(4096, 0);
  pipelined_after_bdat_last(4096, 11);  // "EHLO c\r\nNOO": receive() completes a held partial line
  pipelined_after_bdat_last(1, 0);
}

TEST(SmtpSession, HeldPartialLineThenHugeInputWithoutLf) {
  Harness h;
  EXPECT_EQ(h.send("HELO c\r\nNOOP"), "250 mx.example.com\r\n");
  std::string junk(1 << 20, 'A');
  EXPECT_EQ(h.send(junk), "");  // completes the held "NOOP" past max_command_line: discarded, never held
  EXPECT_EQ(h.send(junk), "");
  EXPECT_EQ(h.send("\r\nNOOP\r\n"), "500 5.5.6 Line too long\r\n250 2.0.0 Ok\r\n");
}

TEST(SmtpSession, BareLfCommandTerminatorAndStrayEvents) {
  Harness h;
  EXPECT_EQ(h.send("HELO c\nNOOP\n"), "250 mx.example.com\r\n250 2.0.0 Ok\r\n");
  h.session->on_spooled({true, "X", core::Errc::temporary});  // not waiting: ignored
  h.session->on_tls_ready("TLSv1.3 X");                        // not waiting: ignored
  EXPECT_EQ(h.session->take_output(), "");
  EXPECT_EQ(h.session->phase(), Phase::ready);
  h.session->on_tls_failed();
  EXPECT_TRUE(h.session->closed());
  EXPECT_EQ(h.send("NOOP\r\n"), "");
}

TEST(SmtpSession, SpoolFailureMapping) {
  EXPECT_EQ(render(reply_for(core::Errc::temporary)), "451 4.3.0 Error: temporary failure, try again later\r\n");
  EXPECT_EQ(reply_for(core::Errc::too_big).code, 552);
  EXPECT_EQ(reply_for(core::Errc::limit).status, "4.3.1");
  EXPECT_EQ(reply_for(core::Errc::quota).status, "4.2.2");
  for (auto e : {core::Errc::temporary, core::Errc::unavailable, core::Errc::permanent, core::Errc::not_found,
                 core::Errc::exists, core::Errc::quota, core::Errc::in_use, core::Errc::limit, core::Errc::too_big,
                 core::Errc::invalid})
    EXPECT_GE(reply_for(e).code, 400);
  EXPECT_EQ(render_lines(250, {"a", "b", "c"}), "250-a\r\n250-b\r\n250 c\r\n");
  EXPECT_EQ(render(reply::c354_start_data), "354 End data with <CR><LF>.<CR><LF>\r\n");
}

TEST(SmtpSession, ReceivedHelpers) {
  EXPECT_EQ(protocol_keyword(false, false, false, false), "SMTP");
  EXPECT_EQ(protocol_keyword(true, false, false, false), "ESMTP");
  EXPECT_EQ(protocol_keyword(true, true, false, false), "ESMTPS");
  EXPECT_EQ(protocol_keyword(true, true, true, false), "ESMTPSA");
  EXPECT_EQ(protocol_keyword(true, true, false, true), "UTF8SMTPS");
  EXPECT_EQ(count_received("Received: a\r\nreceived\t: b\r\n c\r\nX: y\r\n\r\nReceived: z\r\n", 10), 2u);
  EXPECT_EQ(count_received("\r\nReceived: z\r\n", 10), 0u);
  ReceivedInfo ri{"evil)\r\nX: y", "", "192.0.2.9", "mx", "ESMTP", "", "", "D"};
  EXPECT_EQ(received_header(ri), "Received: from evil???X:?y (unknown [192.0.2.9])\r\n\tby mx (Axon) with ESMTP\r\n\t; D\r\n");
}

// The streaming hop counter agrees with count_received() over the whole message, however the data is split.
TEST(SmtpSession, HopCounterAgreesWithCountReceived) {
  const std::string cases[] = {
      "Received: a\r\nreceived\t: b\r\n c\r\nX: y\r\n\r\nReceived: z\r\n",
      "\r\nReceived: z\r\n",
      "X-Received: no\r\nReceived:yes\r\nRECEIVED : yes\r\n Received: folded\r\n\r\n",
      "Received: one\r\nReceived: two\r\nReceived: three\r\n",
      std::string(40, 'h') + ": long\r\nReceived: x\r\n\r\nbody\r\n",
      "Received" + std::string(20, ' ') + ": spaced\r\nReceived\t\t\t\t\t\t\t\t\t\t: tabs\r\n\r\n",
  };
  for (const auto& c : cases) {
    for (std::size_t split = 1; split <= c.size(); ++split) {
      HopCounter h;
      for (std::size_t i = 0; i < c.size(); i += split) h.feed(std::string_view(c).substr(i, split));
      EXPECT_EQ(h.count(), count_received(c, 100)) << c << " split " << split;
    }
  }
}
