// The client commands of the RFCs' own examples (RFC 9051, RFC 3501 and the extensions) all parse, whole and byte
// by byte, to the command named in the example. Literal octets are filled in with the announced size.
#include <gtest/gtest.h>

#include "wire.h"

using namespace axon::imap;

namespace {

struct Example {
  const char* line;  // "^" stands for the octets of the literal announced just before it
  CommandName name;
};

// Replaces each "^" after "{n}" / "{n+}" / "~{n}" with n octets and an "\r\n" before them.
std::string wire(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '^') {
      out += line[i];
      continue;
    }
    std::size_t close = out.rfind('}');
    std::size_t open = out.rfind('{');
    std::size_t n = std::stoul(out.substr(open + 1, close - open - 1));
    out += "\r\n" + std::string(n, 'x');
  }
  return out + "\r\n";
}

const Example kExamples[] = {
    // RFC 9051 §6.1-6.4
    {"abcd CAPABILITY", CommandName::capability},
    {"a002 NOOP", CommandName::noop},
    {"A023 LOGOUT", CommandName::logout},
    {"a001 STARTTLS", CommandName::starttls},
    {"A001 AUTHENTICATE GSSAPI", CommandName::authenticate},
    {"a001 LOGIN SMITH SESAME", CommandName::login},
    {"A142 SELECT INBOX", CommandName::select},
    {"A932 EXAMINE blurdybloop", CommandName::examine},
    {"A003 CREATE owatagusiam/", CommandName::create},
    {"A004 CREATE owatagusiam/blurdybloop", CommandName::create},
    {"A682 LIST \"\" *", CommandName::list},
    {"A683 DELETE blurdybloop", CommandName::delete_},
    {"A685 DELETE foo/bar", CommandName::delete_},
    {"A686 LIST \"\" foo/%", CommandName::list},
    {"A683 RENAME blurdybloop sarasoop", CommandName::rename},
    {"A684 RENAME foo zowie", CommandName::rename},
    {"A002 SUBSCRIBE #news.comp.mail.mime", CommandName::subscribe},
    {"A002 UNSUBSCRIBE #news.comp.mail.mime", CommandName::unsubscribe},
    {"A101 LIST \"\" \"\"", CommandName::list},
    {"A102 LIST #news.comp.mail.misc \"\"", CommandName::list},
    {"A103 LIST /usr/staff/jones \"\"", CommandName::list},
    {"A202 LIST ~/Mail/ %", CommandName::list},
    {"A01 LIST \"\" % RETURN (SPECIAL-USE)", CommandName::list},
    {"A02 LIST (SUBSCRIBED) \"\" \"*\"", CommandName::list},
    {"A03 LIST () \"\" \"%\" RETURN (CHILDREN)", CommandName::list},
    {"A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)", CommandName::list},
    {"A05 LIST (REMOTE SUBSCRIBED) \"/\" \"*\"", CommandName::list},
    {"A06 LIST (REMOTE) \"\" \"*\"", CommandName::list},
    {"C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"", CommandName::list},
    {"BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")", CommandName::list},
    {"A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))", CommandName::list},
    {"A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))", CommandName::list},
    {"A03 NAMESPACE", CommandName::namespace_},
    {"A042 STATUS blurdybloop (UIDNEXT MESSAGES)", CommandName::status},
    {"A003 APPEND saved-messages (\\Seen) {326}^", CommandName::append},
    {"A004 APPEND saved-messages (\\Seen) {326+}^", CommandName::append},
    {"A002 IDLE", CommandName::idle},
    {"FXXZ CHECK", CommandName::check},
    {"A341 CLOSE", CommandName::close},
    {"A342 UNSELECT", CommandName::unselect},
    {"A202 EXPUNGE", CommandName::expunge},
    {"A202 UID EXPUNGE 3000:3002", CommandName::expunge},
    {"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", CommandName::search},
    {"A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", CommandName::search},
    {"A284 SEARCH RETURN (ALL) CHARSET UTF-8 TEXT {12}^", CommandName::search},
    {"A285 SEARCH RETURN (MIN MAX) CHARSET UTF-8 TEXT {12+}^", CommandName::search},
    {"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", CommandName::search},
    {"A283 SEARCH TEXT \"string not in mailbox\"", CommandName::search},
    {"A301 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM \"Smith\"", CommandName::search},
    {"A302 COPY $ \"Other Messages\"", CommandName::copy},
    {"A303 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM \"Smith\" UID $", CommandName::search},
    {"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])", CommandName::fetch},
    {"A003 STORE 2:4 +FLAGS (\\Deleted)", CommandName::store},
    {"A003 COPY 2:4 MEETING", CommandName::copy},
    {"a UID MOVE 42:69 foo", CommandName::move},
    {"A999 UID FETCH 4827313:4828442 FLAGS", CommandName::fetch},
    {"A999 UID SEARCH 1:100 UID 443:557", CommandName::search},
    {"t1 ENABLE IMAP4rev2", CommandName::enable},
    // RFC 3501 §8 (sample session, lower case) and §6.4
    {"a001 login mrc secret", CommandName::login},
    {"a002 select inbox", CommandName::select},
    {"a003 fetch 12 full", CommandName::fetch},
    {"a004 fetch 12 body[header]", CommandName::fetch},
    {"a005 store 12 +flags \\deleted", CommandName::store},
    {"a006 logout", CommandName::logout},
    {"A002 LSUB \"#news.\" \"comp.mail.*\"", CommandName::lsub},
    {"A002 LSUB \"#news.\" \"comp.%\"", CommandName::lsub},
    {"A042 STATUS blurdybloop (UIDNEXT MESSAGES RECENT)", CommandName::status},
    {"A284 SEARCH CHARSET UTF-8 TEXT {6}^", CommandName::search},
    {"A284 SEARCH NEW OLD RECENT", CommandName::search},
    {"A003 APPEND saved-messages (\\Seen) {310}^", CommandName::append},
    // RFC 4959 SASL-IR, RFC 5161 ENABLE, RFC 2971 ID, RFC 4978 COMPRESS
    {"a001 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", CommandName::authenticate},
    {"t2 ENABLE CONDSTORE X-GOOD-IDEA", CommandName::enable},
    {"a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")", CommandName::id},
    {"a024 ID NIL", CommandName::id},
    {"tag COMPRESS DEFLATE", CommandName::compress},
    // RFC 3502 MULTIAPPEND, RFC 4469 CATENATE, RFC 3516 BINARY, RFC 6855 UTF8=ACCEPT
    {"A003 APPEND saved-messages (\\Seen) {329}^ (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {295}^", CommandName::append},
    {"A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;"
     "section=HEADER\" TEXT {42}^ URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\" URL "
     "\"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\" TEXT {42}^ URL "
     "\"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=2.MIME\" URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;"
     "section=2\" TEXT {44}^)",
     CommandName::append},
    {"A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL \"imap://example.com/Drafts;UIDVALIDITY=385759045/"
     ";UID=30\" TEXT {2}^)",
     CommandName::append},
    {"A003 APPEND Drafts ~{100}^", CommandName::append},
    {"t FETCH 1 (BINARY.PEEK[1]<0.100> BINARY.SIZE[1] BINARY[2.1])", CommandName::fetch},
    {"A ENABLE UTF8=ACCEPT", CommandName::enable},
    {"A APPEND INBOX UTF8 (~{30}^)", CommandName::append},
    // RFC 4315 UIDPLUS, RFC 6851 MOVE
    {"A004 COPY 2:4 meeting", CommandName::copy},
    {"A005 UID COPY 305:310 meeting", CommandName::copy},
    {"a MOVE 2:4 foo", CommandName::move},
    // RFC 7162 CONDSTORE/QRESYNC
    {"a SELECT INBOX (CONDSTORE)", CommandName::select},
    {"A142 EXAMINE INBOX (CONDSTORE)", CommandName::examine},
    {"s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)", CommandName::fetch},
    {"s101 FETCH 1:* (FLAGS MODSEQ) (CHANGEDSINCE 12345)", CommandName::fetch},
    {"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)", CommandName::store},
    {"c107 STORE 7,5,9 (UNCHANGEDSINCE 0) +FLAGS.SILENT (\\Deleted)", CommandName::store},
    {"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338", CommandName::search},
    {"t SEARCH OR NOT MODSEQ 720162338 LARGER 50000", CommandName::search},
    {"C STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)", CommandName::status},
    {"A01 ENABLE QRESYNC", CommandName::enable},
    {"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))", CommandName::select},
    {"A03 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)", CommandName::fetch},
    // RFC 9208 QUOTA
    {"G0001 GETQUOTA \"!partition/sda4\"", CommandName::getquota},
    {"G0002 GETQUOTAROOT INBOX", CommandName::getquotaroot},
    {"S0000 SETQUOTA \"User.Gabriel\" (STORAGE 510)", CommandName::setquota},
    // RFC 5256 SORT/THREAD, RFC 5267 ESORT
    {"A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994", CommandName::sort},
    {"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL", CommandName::sort},
    {"A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"", CommandName::sort},
    {"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000", CommandName::thread},
    {"A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"", CommandName::thread},
    {"A283 SORT RETURN (COUNT) (SUBJECT REVERSE DATE) UTF-8 ALL", CommandName::sort},
    // RFC 6154 SPECIAL-USE, RFC 5032 WITHIN, RFC 8474 OBJECTID, RFC 8514 SAVEDATE
    {"t1 CREATE \"Important Messages\" (USE (\\Important))", CommandName::create},
    {"t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)", CommandName::list},
    {"t2 LIST (SPECIAL-USE) \"\" \"*\"", CommandName::list},
    {"a1 SEARCH UNSEEN YOUNGER 259200", CommandName::search},
    {"27 FETCH 1:2 (EMAILID THREADID)", CommandName::fetch},
    {"28 UID SEARCH THREADID T64b478a75b7ea9", CommandName::search},
    {"a STATUS foo (MAILBOXID)", CommandName::status},
    {"a FETCH 1 (SAVEDATE)", CommandName::fetch},
};

}  // namespace

TEST(ImapRfcExamples, AllParse) {
  for (const Example& e : kExamples) {
    Parsed p = test::parse_wire(wire(e.line));
    ASSERT_TRUE(p.ok()) << e.line << " -> BAD " << p.error().reason;
    EXPECT_EQ(p->name, e.name) << e.line;
  }
}
