// Table tests for the SMTP command grammar (smtp/command.h).
#include <gtest/gtest.h>

#include "smtp/command.h"

using namespace axon::smtp;

TEST(SmtpCommand, VerbsAreCaseInsensitive) {
  EXPECT_EQ(parse_command_line("ehlo x").verb, Verb::ehlo);
  EXPECT_EQ(parse_command_line("MaIl FROM:<>").verb, Verb::mail);
  EXPECT_EQ(parse_command_line("StartTLS").verb, Verb::starttls);
  EXPECT_EQ(parse_command_line("MAILFROM:<>").verb, Verb::unknown);
  EXPECT_EQ(parse_command_line("").verb, Verb::unknown);
  EXPECT_EQ(parse_command_line("EHLO   host.example  ").arg, "host.example");
}

TEST(SmtpCommand, MailFromPaths) {
  struct Case {
    const char* arg;
    const char* path;  // nullptr: refused
    int code;
  };
  const Case cases[] = {
      {"FROM:<a@example.org>", "a@example.org", 0},
      {"from:<a@Example.ORG>", "a@Example.ORG", 0},
      {"FROM: <a@example.org>", "a@example.org", 0},  // Postfix-style tolerance
      {"FROM:<>", "", 0},
      {"FROM:<@r1.example,@r2.example:a@example.org>", "a@example.org", 0},
      {"FROM:<\"a >b\"@example.org>", "\"a >b\"@example.org", 0},
      {"FROM:<@r1.example:>", nullptr, 501},
      {"FROM:<@:a@example.org>", nullptr, 501},
      {"FROM:<@r1.example,:a@example.org>", nullptr, 501},
      {"FROM:a@example.org", nullptr, 501},
      {"FROM:<a@example.org", nullptr, 501},
      {"FROM:<a@example.org>SIZE=1", nullptr, 501},
      {"TO:<a@example.org>", nullptr, 501},
      {"FROM:<josé@example.org>", nullptr, 553},
      {"FROM:<josé@example.org> SMTPUTF8", "josé@example.org", 0},
  };
  for (const auto& c : cases) {
    auto m = parse_mail_from(c.arg);
    if (c.path) {
      ASSERT_TRUE(m.ok()) << c.arg << ": " << m.error().text;
      EXPECT_EQ(m->reverse_path, c.path) << c.arg;
      EXPECT_EQ(m->sender.has_value(), *c.path != '\0') << c.arg;
    } else {
      ASSERT_FALSE(m.ok()) << c.arg;
      EXPECT_EQ(m.error().code, c.code) << c.arg;
    }
  }
}

TEST(SmtpCommand, MailFromParams) {
  auto m = parse_mail_from("FROM:<a@example.org>  size=1000 BODY=8bitmime RET=hdrs ENVID=QQ+2B314 SMTPUTF8");
  ASSERT_TRUE(m.ok()) << m.error().text;
  EXPECT_EQ(m->size, 1000u);
  EXPECT_EQ(m->body, axon::core::BodyType::eight_bit_mime);
  EXPECT_EQ(m->ret, "HDRS");
  EXPECT_EQ(m->envid, "QQ+2B314");
  EXPECT_TRUE(m->smtputf8);
  EXPECT_EQ(parse_mail_from("FROM:<> BODY=BINARYMIME")->body, axon::core::BodyType::binary_mime);
  EXPECT_EQ(*parse_mail_from("FROM:<> SIZE=99999999999999999999")->size, UINT64_MAX);

  struct Bad {
    const char* arg;
    int code;
    const char* status;
  };
  const Bad bad[] = {
      {"FROM:<> FOO=1", 555, "5.5.4"},          {"FROM:<> AUTH=<>", 555, "5.5.4"},
      {"FROM:<> SIZE=1 SIZE=2", 501, "5.5.4"},  {"FROM:<> SIZE=", 501, "5.5.4"},
      {"FROM:<> SIZE=-1", 501, "5.5.4"},        {"FROM:<> SIZE=123456789012345678901", 501, "5.5.4"},
      {"FROM:<> BODY=BINARY", 501, "5.5.4"},    {"FROM:<> SMTPUTF8=yes", 501, "5.5.4"},
      {"FROM:<> SMTPUTF8 SMTPUTF8", 501, "5.5.4"}, {"FROM:<> RET=ALL", 501, "5.5.4"},
      {"FROM:<> ENVID=a+zz", 501, "5.5.4"},     {"FROM:<> ENVID=a+2", 501, "5.5.4"},
      {"FROM:<> =x", 501, "5.5.4"},             {"FROM:<> -A=1", 501, "5.5.4"},
      {"FROM:<> ENVID=a=b", 501, "5.5.4"},
  };
  for (const auto& b : bad) {
    auto m2 = parse_mail_from(b.arg);
    ASSERT_FALSE(m2.ok()) << b.arg;
    EXPECT_EQ(m2.error().code, b.code) << b.arg;
    EXPECT_EQ(m2.error().status, b.status) << b.arg;
  }
  EXPECT_FALSE(parse_mail_from("FROM:<> ENVID=" + std::string(101, 'a')).ok());
}

TEST(SmtpCommand, RcptTo) {
  auto r = parse_rcpt_to("TO:<alice@example.com> NOTIFY=success,delay ORCPT=rfc822;alice+40example.com", false);
  ASSERT_TRUE(r.ok()) << r.error().text;
  EXPECT_EQ(r->forward_path, "alice@example.com");
  EXPECT_EQ(r->notify, "SUCCESS,DELAY");
  EXPECT_EQ(r->orcpt, "rfc822;alice+40example.com");
  EXPECT_FALSE(r->bare_postmaster);

  auto p = parse_rcpt_to("to:<postMASTER>", false);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->bare_postmaster);
  EXPECT_EQ(p->address.local, "postmaster");

  EXPECT_EQ(parse_rcpt_to("TO:<@a.example,@b.example:bob@example.com>", false)->forward_path, "bob@example.com");
  EXPECT_EQ(parse_rcpt_to("TO:<用户@example.com>", false).error().code, 553);
  EXPECT_TRUE(parse_rcpt_to("TO:<用户@example.com>", true).ok());
  for (const char* bad : {"TO:<>", "TO:<postmaster@>", "TO:alice@example.com", "TO:<alice@example.com> NOTIFY=NEVER,DELAY",
                          "TO:<alice@example.com> NOTIFY=DELAY,DELAY", "TO:<alice@example.com> NOTIFY=",
                          "TO:<alice@example.com> ORCPT=rfc822", "TO:<alice@example.com> ORCPT=;x",
                          "TO:<alice@example.com> ORCPT=rfc822;a+g0", "TO:<alice@example.com> NOTIFY=NEVER NOTIFY=NEVER",
                          "FROM:<alice@example.com>"})
    EXPECT_FALSE(parse_rcpt_to(bad, true).ok()) << bad;
  EXPECT_EQ(parse_rcpt_to("TO:<alice@example.com> NOTIFY=NEVER NOTIFY=NEVER", false).error().code, 501);
  EXPECT_EQ(parse_rcpt_to("TO:<alice@example.com> XFOO", false).error().code, 555);
}

TEST(SmtpCommand, Bdat) {
  auto b = parse_bdat("1000 last");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size, 1000u);
  EXPECT_TRUE(b->last);
  EXPECT_FALSE(parse_bdat("0")->last);
  for (const char* bad : {"", "x", "-1", "10 FIRST", "10 LAST x", "12345678901234567890"})
    EXPECT_FALSE(parse_bdat(bad).ok()) << bad;
}

TEST(SmtpCommand, Xtext) {
  EXPECT_TRUE(valid_xtext(""));
  EXPECT_TRUE(valid_xtext("abc+2B+3d"));
  EXPECT_FALSE(valid_xtext("a b"));
  EXPECT_FALSE(valid_xtext("a+"));
  EXPECT_FALSE(valid_xtext("a+1"));
  EXPECT_FALSE(valid_xtext("\x7f"));
}
