// The command parser (imap/parser.h): tags and names, commands of any state and the not-authenticated state,
// and the mailbox commands. Every input is framed and parsed whole and byte by byte (wire.h).
#include <gtest/gtest.h>

#include "imap/format.h"
#include "wire.h"

using namespace axon::imap;
using namespace std::string_literals;
using test::bad;
using test::ok;

TEST(ImapParser, TagAndName) {
  Command c = ok("a001 noop");
  EXPECT_EQ(c.tag, "a001");
  EXPECT_EQ(c.name, CommandName::noop);
  EXPECT_FALSE(c.uid);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(c.args));
  EXPECT_EQ(ok("A.1]x CAPABILITY").tag, "A.1]x");  // "]" is an ASTRING-CHAR, so a tag char
  EXPECT_EQ(ok("t LogOut").name, CommandName::logout);
  for (std::size_t i = 0; i < kCommandNameCount; ++i) {
    auto n = static_cast<CommandName>(i);
    EXPECT_FALSE(to_string(n).empty());
  }
  EXPECT_EQ(to_string(CommandName::delete_), "DELETE");
  EXPECT_EQ(to_string(CommandName::namespace_), "NAMESPACE");
}

TEST(ImapParser, UntaggedErrors) {
  auto untagged = [](std::string_view line) {
    Parsed p = test::parse_wire(std::string(line) + "\r\n");
    EXPECT_FALSE(p.ok()) << line;
    return p.ok() ? std::string("?") : p.error().tag;
  };
  EXPECT_EQ(untagged(""), "");
  EXPECT_EQ(untagged(" NOOP"), "");
  EXPECT_EQ(untagged("a+b NOOP"), "");   // "+" is not a tag char
  EXPECT_EQ(untagged("a\"b NOOP"), "");
  EXPECT_EQ(untagged("*"), "");
  EXPECT_EQ(untagged("a(b NOOP"), "");
  EXPECT_EQ(untagged("tag"), "tag");  // a tag but no command: tagged BAD
  Parsed p = test::parse_wire("\r\n");
  EXPECT_EQ(p.error().reason, "Empty command line");
}

TEST(ImapParser, UnknownCommands) {
  EXPECT_EQ(bad("a FROB"), "Unknown command");
  EXPECT_EQ(bad("a UID NOOP"), "Unknown command");
  EXPECT_EQ(bad("a UID LIST \"\" *"), "Unknown command");
  EXPECT_EQ(bad("a UID"), "Missing command after UID");
  EXPECT_EQ(bad("a NOOPX"), "Unknown command");
  EXPECT_EQ(bad("a NOOP extra"), "Extra characters after the command");
  EXPECT_EQ(bad("a NOOP "), "Extra characters after the command");
  Parsed p = test::parse_wire("x1 FROB\r\n");
  EXPECT_EQ(p.error().tag, "x1");
}

TEST(ImapParser, NoArgumentCommands) {
  const std::pair<const char*, CommandName> cases[] = {
      {"CAPABILITY", CommandName::capability}, {"NOOP", CommandName::noop},       {"LOGOUT", CommandName::logout},
      {"STARTTLS", CommandName::starttls},     {"NAMESPACE", CommandName::namespace_}, {"IDLE", CommandName::idle},
      {"CHECK", CommandName::check},           {"CLOSE", CommandName::close},     {"UNSELECT", CommandName::unselect},
      {"EXPUNGE", CommandName::expunge},
  };
  for (const auto& [name, id] : cases) {
    EXPECT_EQ(ok(std::string("t ") + name).name, id) << name;
    EXPECT_EQ(bad(std::string("t ") + name + " x"), "Extra characters after the command") << name;
  }
}

TEST(ImapParser, Authenticate) {
  auto a = std::get<Authenticate>(ok("a AUTHENTICATE plain").args);
  EXPECT_EQ(a.mechanism, "PLAIN");
  EXPECT_FALSE(a.initial_response);
  a = std::get<Authenticate>(ok("a AUTHENTICATE PLAIN AGZvbwBiYXI=").args);
  EXPECT_EQ(a.initial_response, "AGZvbwBiYXI=");
  a = std::get<Authenticate>(ok("a AUTHENTICATE EXTERNAL =").args);  // SASL-IR: "=" is an empty response
  EXPECT_EQ(a.initial_response, "");
  a = std::get<Authenticate>(ok("a AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=").args);
  EXPECT_EQ(a.mechanism, "SCRAM-SHA-256");
  EXPECT_EQ(bad("a AUTHENTICATE"), "Missing argument");
  EXPECT_EQ(bad("a AUTHENTICATE PLAIN AGZv!"), "Extra characters after the command");
  EXPECT_EQ(bad("a AUTHENTICATE PLAIN AGZ"), "Invalid initial response");
  EXPECT_EQ(bad("a AUTHENTICATE PLAIN =AAA"), "Extra characters after the command");
  EXPECT_EQ(bad("a AUTHENTICATE PLAIN =="), "Invalid initial response");
  EXPECT_TRUE(valid_base64(""));
  EXPECT_TRUE(valid_base64("AA=="));
  EXPECT_FALSE(valid_base64("A==="));
  EXPECT_FALSE(valid_base64("AA=A"));
}

TEST(ImapParser, Login) {
  auto l = std::get<Login>(ok("a LOGIN fred \"pass word\"").args);
  EXPECT_EQ(l.user, "fred");
  EXPECT_EQ(l.password, "pass word");
  l = std::get<Login>(test::parse_wire("a LOGIN {4}\r\nuser {9+}\r\np\"a\\ss \r\n\r\n").value().args);
  EXPECT_EQ(l.user, "user");
  EXPECT_EQ(l.password, "p\"a\\ss \r\n");
  l = std::get<Login>(ok("a LOGIN \"\\\"q\\\\\" \"\"").args);
  EXPECT_EQ(l.user, "\"q\\");
  EXPECT_EQ(l.password, "");
  l = std::get<Login>(ok("a LOGIN \"jos\xC3\xA9\" \"p\xC3\xA4ss\"").args);  // UTF-8 in quoted strings
  EXPECT_EQ(l.user, "jos\xC3\xA9");
  EXPECT_EQ(bad("a LOGIN jos\xC3\xA9 x"), "Expected a space");  // 8-bit is no ASTRING-CHAR
  EXPECT_EQ(bad("a LOGIN fred"), "Missing argument");
  EXPECT_EQ(bad("a LOGIN fred  x"), "Invalid password");
  EXPECT_EQ(bad("a LOGIN \"fred x"), "Unterminated quoted string");
  EXPECT_EQ(bad("a LOGIN \"fr\\ed\" \"a\\b\""), "Invalid escape in quoted string");
  EXPECT_EQ(bad("a LOGIN fred (x)"), "Invalid password");
  Parsed p = test::parse_wire("a LOGIN fred {3}\r\na\0b\r\n"s);
  EXPECT_EQ(p.error().reason, "NUL in literal");
  p = test::parse_wire("a LOGIN fred ~{3}\r\nabc\r\n");
  EXPECT_EQ(p.error().reason, "literal8 not allowed here");
}

TEST(ImapParser, EnableIdCompress) {
  auto e = std::get<Enable>(ok("a ENABLE condstore UTF8=ACCEPT IMAP4rev2").args);
  EXPECT_EQ(e.capabilities, (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT", "IMAP4REV2"}));
  EXPECT_EQ(bad("a ENABLE"), "Missing argument");
  EXPECT_EQ(bad("a ENABLE (X)"), "Missing capability");

  auto id = std::get<Id>(ok("a ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)").args);
  ASSERT_EQ(id.params.size(), 3u);
  EXPECT_EQ(id.params[0].field, "name");
  EXPECT_EQ(id.params[1].value, "19.34");
  EXPECT_FALSE(id.params[2].value);
  EXPECT_TRUE(std::get<Id>(ok("a ID NIL").args).params.empty());
  EXPECT_TRUE(std::get<Id>(ok("a ID ()").args).params.empty());
  EXPECT_EQ(bad("a ID (\"name\")"), "Expected a space");
  EXPECT_EQ(bad("a ID (name \"x\")"), "Missing ID field");
  EXPECT_EQ(bad("a ID (\"0123456789012345678901234567890\" NIL)"), "ID parameter too long");
  std::string many = "a ID (";
  for (int i = 0; i < 31; ++i) many += (i ? " " : "") + std::string("\"f\" NIL");
  EXPECT_EQ(bad(many + ")"), "Too many ID parameters");
  EXPECT_EQ(bad("a ID FOO"), "Invalid ID parameters");

  EXPECT_EQ(std::get<Compress>(ok("a COMPRESS deflate").args).algorithm, "DEFLATE");
  EXPECT_EQ(bad("a COMPRESS"), "Missing argument");
}

TEST(ImapParser, SelectExamine) {
  Command c = ok("a SELECT inbox");
  EXPECT_EQ(c.name, CommandName::select);
  auto s = std::get<Select>(c.args);
  EXPECT_EQ(s.mailbox, "INBOX");
  EXPECT_FALSE(s.condstore);
  c = ok("a EXAMINE \"Sent Items\" (CONDSTORE)");
  EXPECT_EQ(c.name, CommandName::examine);
  s = std::get<Select>(c.args);
  EXPECT_EQ(s.mailbox, "Sent Items");
  EXPECT_TRUE(s.condstore);
  // RFC 7162 §3.2.5.2 example
  s = std::get<Select>(ok("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))").args);
  ASSERT_TRUE(s.qresync);
  EXPECT_EQ(s.qresync->uidvalidity, 67890007u);
  EXPECT_EQ(s.qresync->modseq, 20050715194045000u);
  ASSERT_TRUE(s.qresync->known_uids);
  EXPECT_EQ(s.qresync->known_uids->elements().size(), 3u);
  EXPECT_FALSE(s.qresync->seq_match);
  s = std::get<Select>(
      ok("B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
         "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))")
          .args);
  ASSERT_TRUE(s.qresync->seq_match);
  EXPECT_EQ(s.qresync->seq_match->seqs.elements().size(), 4u);
  EXPECT_EQ(s.qresync->seq_match->uids.elements().size(), 13u);
  s = std::get<Select>(ok("a SELECT INBOX (QRESYNC (1 2) CONDSTORE)").args);
  EXPECT_TRUE(s.condstore);
  EXPECT_FALSE(s.qresync->known_uids);
  s = std::get<Select>(ok("a SELECT INBOX (QRESYNC (1 2 (1 5)))").args);
  EXPECT_TRUE(s.qresync->seq_match);
  EXPECT_EQ(bad("a SELECT INBOX (QRESYNC (1 2 1:*))"), "Invalid sequence set in QRESYNC");
  EXPECT_EQ(bad("a SELECT INBOX (QRESYNC (0 2))"), "Invalid UIDVALIDITY");
  EXPECT_EQ(bad("a SELECT INBOX (QRESYNC (1 0))"), "Invalid mod-sequence");
  EXPECT_EQ(bad("a SELECT INBOX (QRESYNC (1 2 3 4))"), "Invalid QRESYNC parameters");
  EXPECT_EQ(bad("a SELECT INBOX (FOO)"), "Unknown SELECT parameter");
  EXPECT_EQ(bad("a SELECT INBOX (CONDSTORE CONDSTORE)"), "Duplicate SELECT parameter");
  EXPECT_EQ(bad("a SELECT INBOX (CONDSTORE"), "Invalid SELECT parameters");
  EXPECT_EQ(bad("a SELECT"), "Missing argument");
}

TEST(ImapParser, MailboxNames) {
  // mUTF-7 on the wire (RFC 3501 §5.1.3), UTF-8 in the command.
  EXPECT_EQ(std::get<MailboxArg>(ok("a DELETE ~peter/mail/&U,BTFw-/&ZeVnLIqe-").args).mailbox,
            "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  EXPECT_EQ(bad("a DELETE &Jjo!"), "Invalid mailbox name");
  EXPECT_EQ(bad("a DELETE \"&AGE-\""), "Invalid mailbox name");  // "a" must not be encoded
  EXPECT_EQ(bad("a DELETE \"caf\xC3\xA9\""), "Invalid mailbox name");  // 8-bit without UTF8=ACCEPT
  ParseOptions utf8;
  utf8.utf8 = true;
  EXPECT_EQ(std::get<MailboxArg>(ok("a DELETE \"caf\xC3\xA9\"", utf8).args).mailbox, "caf\xC3\xA9");
  EXPECT_EQ(std::get<MailboxArg>(ok("a DELETE &AOk-", utf8).args).mailbox, "&AOk-");  // no decoding
  EXPECT_EQ(bad("a DELETE \"caf\xC3\"", utf8), "Invalid mailbox name");  // invalid UTF-8
  EXPECT_EQ(bad("a DELETE \"a\x01\""), "Invalid mailbox name");        // control character
  EXPECT_EQ(std::get<MailboxArg>(ok("a SUBSCRIBE InBox").args).mailbox, "INBOX");
  EXPECT_EQ(std::get<MailboxArg>(ok("a UNSUBSCRIBE \"INBOX.x\"").args).mailbox, "INBOX.x");
  EXPECT_EQ(std::get<MailboxArg>(ok("a GETQUOTAROOT {5+}\r\nInBoX").args).mailbox, "INBOX");
}

TEST(ImapParser, CreateRenameStatus) {
  auto c = std::get<Create>(ok("a CREATE owatagusiam/").args);
  EXPECT_EQ(c.mailbox, "owatagusiam/");
  EXPECT_TRUE(c.special_use.empty());
  c = std::get<Create>(ok("t1 CREATE \"Important Messages\" (USE (\\Important))").args);  // RFC 6154 §5.2
  EXPECT_EQ(c.special_use, (std::vector<std::string>{"\\Important"}));
  c = std::get<Create>(ok("a CREATE MySent (USE (\\Sent \\Archive))").args);
  EXPECT_EQ(c.special_use.size(), 2u);
  EXPECT_EQ(bad("a CREATE x (USE (Sent))"), "Invalid special-use attribute");
  EXPECT_EQ(bad("a CREATE x (FOO (x))"), "Unknown CREATE parameter");
  EXPECT_EQ(bad("a CREATE x (USE () USE ())"), "Duplicate CREATE parameter");

  auto r = std::get<Rename>(ok("A683 RENAME blurdybloop sarasoop").args);
  EXPECT_EQ(r.from, "blurdybloop");
  EXPECT_EQ(r.to, "sarasoop");
  EXPECT_EQ(bad("a RENAME x"), "Missing argument");

  auto s = std::get<Status>(
      ok("A042 STATUS blurdybloop (UIDNEXT MESSAGES unseen deleted size recent uidvalidity highestmodseq "
         "appendlimit mailboxid)")
          .args);
  EXPECT_EQ(s.mailbox, "blurdybloop");
  EXPECT_EQ(s.items, (std::vector<StatusItem>{StatusItem::uidnext, StatusItem::messages, StatusItem::unseen,
                                              StatusItem::deleted, StatusItem::size, StatusItem::recent,
                                              StatusItem::uidvalidity, StatusItem::highestmodseq,
                                              StatusItem::appendlimit, StatusItem::mailboxid}));
  EXPECT_EQ(bad("a STATUS x ()"), "Missing status item");
  EXPECT_EQ(bad("a STATUS x (FOO)"), "Unknown status item");
  EXPECT_EQ(bad("a STATUS x MESSAGES"), "Expected a list of status items");
}

TEST(ImapParser, Quota) {
  EXPECT_EQ(std::get<GetQuota>(ok("G0001 GETQUOTA \"!partition/sda4\"").args).root, "!partition/sda4");
  EXPECT_EQ(ok("G0002 GETQUOTAROOT INBOX").name, CommandName::getquotaroot);
  auto s = std::get<SetQuota>(ok("S0000 SETQUOTA \"User.Gabriel\" (STORAGE 510 message 10)").args);
  EXPECT_EQ(s.root, "User.Gabriel");
  ASSERT_EQ(s.limits.size(), 2u);
  EXPECT_EQ(s.limits[1].resource, "MESSAGE");
  EXPECT_EQ(s.limits[1].limit, 10u);
  EXPECT_TRUE(std::get<SetQuota>(ok("a SETQUOTA \"\" ()").args).limits.empty());
  EXPECT_EQ(bad("a SETQUOTA x (STORAGE)"), "Expected a space");
  EXPECT_EQ(bad("a SETQUOTA x (STORAGE x)"), "Invalid resource limit");
}
