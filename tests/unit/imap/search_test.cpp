// SEARCH (every key of RFC 9051 §6.4.4 and RFC 3501, ESEARCH RETURN, SEARCHRES, CONDSTORE MODSEQ, WITHIN,
// OBJECTID), SORT and THREAD.
#include <gtest/gtest.h>

#include "wire.h"

using namespace axon::imap;
using test::bad;
using test::ok;
using K = SearchKey::Kind;

namespace {

Search search(std::string_view line, const ParseOptions& opt = {}) {
  return std::get<Search>(ok(line, opt).args);
}

SearchKey key(std::string_view program) {
  Search s = search("a SEARCH " + std::string(program));
  EXPECT_EQ(s.keys.size(), 1u) << program;
  return s.keys.empty() ? SearchKey{} : s.keys[0];
}

}  // namespace

TEST(ImapSearch, FlagKeys) {
  const std::pair<const char*, K> cases[] = {
      {"ALL", K::all},           {"ANSWERED", K::answered},     {"DELETED", K::deleted},
      {"DRAFT", K::draft},       {"FLAGGED", K::flagged},       {"SEEN", K::seen},
      {"UNANSWERED", K::unanswered}, {"UNDELETED", K::undeleted}, {"UNDRAFT", K::undraft},
      {"UNFLAGGED", K::unflagged}, {"UNSEEN", K::unseen},       {"NEW", K::new_},
      {"OLD", K::old},           {"RECENT", K::recent},
  };
  for (const auto& [name, kind] : cases) {
    EXPECT_EQ(key(name).kind, kind) << name;
    EXPECT_EQ(key(std::string(name) == "ALL" ? "all" : name).kind, kind);
  }
  SearchKey k = key("KEYWORD $Forwarded");
  EXPECT_EQ(k.kind, K::keyword);
  EXPECT_EQ(k.text, "$Forwarded");
  EXPECT_EQ(key("UNKEYWORD Junk").text, "Junk");
}

TEST(ImapSearch, StringKeys) {
  const std::pair<const char*, K> cases[] = {
      {"BCC", K::bcc}, {"BODY", K::body}, {"CC", K::cc}, {"FROM", K::from},
      {"SUBJECT", K::subject}, {"TEXT", K::text}, {"TO", K::to},
  };
  for (const auto& [name, kind] : cases) {
    SearchKey k = key(std::string(name) + " \"hello world\"");
    EXPECT_EQ(k.kind, kind) << name;
    EXPECT_EQ(k.text, "hello world");
    EXPECT_EQ(key(std::string(name) + " Smith").text, "Smith");
  }
  SearchKey k = key("HEADER Message-ID \"<1@example.org>\"");
  EXPECT_EQ(k.kind, K::header);
  EXPECT_EQ(k.text, "Message-ID");
  EXPECT_EQ(k.value, "<1@example.org>");
  EXPECT_EQ(key("HEADER X-Spam \"\"").value, "");
  // A literal search string with CHARSET UTF-8 (RFC 9051 §6.4.4 example).
  Search s = search("A284 SEARCH CHARSET UTF-8 TEXT {13+}\r\n\xD0\xB1\xD0\xBE\xD0\xBB\xD0\xB5\xD0\xB5 \xD0\xBC");
  EXPECT_EQ(s.charset, "UTF-8");
  EXPECT_EQ(s.keys[0].text, "\xD0\xB1\xD0\xBE\xD0\xBB\xD0\xB5\xD0\xB5 \xD0\xBC");
  EXPECT_EQ(search("a SEARCH charset \"us-ascii\" ALL").charset, "US-ASCII");
}

TEST(ImapSearch, DatesAndSizes) {
  SearchKey k = key("SINCE 1-Feb-1994");
  EXPECT_EQ(k.kind, K::since);
  EXPECT_EQ(k.date, (Date{1994, 2, 1}));
  EXPECT_EQ(key("BEFORE \"01-feb-1994\"").date, (Date{1994, 2, 1}));
  EXPECT_EQ(key("ON 29-Feb-2024").kind, K::on);
  EXPECT_EQ(key("SENTBEFORE 1-Jan-2000").kind, K::sentbefore);
  EXPECT_EQ(key("SENTON 1-Jan-2000").kind, K::senton);
  EXPECT_EQ(key("SENTSINCE 31-Dec-1999").kind, K::sentsince);
  k = key("LARGER 10000");
  EXPECT_EQ(k.kind, K::larger);
  EXPECT_EQ(k.number, 10000u);
  EXPECT_EQ(key("SMALLER 9223372036854775807").number, 9223372036854775807u);
  EXPECT_EQ(key("OLDER 3600").kind, K::older);
  EXPECT_EQ(key("YOUNGER 60").number, 60u);
  EXPECT_EQ(bad("a SEARCH SINCE 29-Feb-2023"), "Invalid date");
  EXPECT_EQ(bad("a SEARCH SINCE 1-Foo-1994"), "Invalid date");
  EXPECT_EQ(bad("a SEARCH SINCE 1-Feb-94"), "Invalid date");
  EXPECT_EQ(bad("a SEARCH SINCE"), "Missing argument");
  EXPECT_EQ(bad("a SEARCH LARGER 9223372036854775808"), "Number too big");
  EXPECT_EQ(bad("a SEARCH LARGER x"), "Invalid size");
  EXPECT_EQ(bad("a SEARCH OLDER 0"), "Invalid interval");
}

TEST(ImapSearch, SetsAndUids) {
  SearchKey k = key("1:5,7,9:*");
  EXPECT_EQ(k.kind, K::sequence_set);
  EXPECT_EQ(k.set.elements().size(), 3u);
  k = key("UID 2:4");
  EXPECT_EQ(k.kind, K::uid);
  EXPECT_EQ(k.set.elements()[0], (SequenceSet::Element{2, 4}));
  k = key("$");  // RFC 5182
  EXPECT_TRUE(k.set.has_saved());
  EXPECT_TRUE(key("UID $").set.has_saved());
  k = key("*");
  EXPECT_TRUE(k.set.has_star());
  EXPECT_EQ(bad("a SEARCH 0"), "Invalid sequence set: numbers start at 1");
  EXPECT_EQ(bad("a SEARCH UID 1:"), "Invalid sequence set: empty element");
}

TEST(ImapSearch, Logic) {
  SearchKey k = key("NOT SEEN");
  EXPECT_EQ(k.kind, K::not_);
  ASSERT_EQ(k.children.size(), 1u);
  EXPECT_EQ(k.children[0].kind, K::seen);
  k = key("OR SEEN (FLAGGED SINCE 1-Feb-1994)");
  EXPECT_EQ(k.kind, K::or_);
  ASSERT_EQ(k.children.size(), 2u);
  EXPECT_EQ(k.children[1].kind, K::and_);
  EXPECT_EQ(k.children[1].children.size(), 2u);
  k = key("NOT (OR FROM a TO b)");
  EXPECT_EQ(k.children[0].kind, K::and_);
  EXPECT_EQ(k.children[0].children[0].kind, K::or_);
  Search s = search("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");  // RFC 9051 §6.4.4
  ASSERT_EQ(s.keys.size(), 3u);
  EXPECT_EQ(s.keys[2].kind, K::not_);
  EXPECT_EQ(s.keys[2].children[0].text, "Smith");
  EXPECT_EQ(bad("a SEARCH OR SEEN"), "Missing argument");
  EXPECT_EQ(bad("a SEARCH NOT"), "Missing argument");
  EXPECT_EQ(bad("a SEARCH (SEEN"), "Invalid search key list");
  EXPECT_EQ(bad("a SEARCH SEEN)"), "Extra characters after the command");
  EXPECT_EQ(bad("a SEARCH ()"), "Missing search key");
  EXPECT_EQ(bad("a SEARCH"), "Missing argument");
  EXPECT_EQ(bad("a SEARCH FOO"), "Unknown search key");
  EXPECT_EQ(bad("a SEARCH SEEN  UNSEEN"), "Missing search key");
}

TEST(ImapSearch, Limits) {
  ParseOptions opt;
  opt.max_depth = 8;
  std::string deep = "a SEARCH " + std::string(8, '(') + "SEEN" + std::string(8, ')');
  EXPECT_EQ(search(deep, opt).keys.size(), 1u);
  deep = "a SEARCH " + std::string(9, '(') + "SEEN" + std::string(9, ')');
  EXPECT_EQ(bad(deep, opt), "Too deeply nested");
  std::string nots = "a SEARCH ";
  for (int i = 0; i < 9; ++i) nots += "NOT ";
  EXPECT_EQ(bad(nots + "SEEN", opt), "Too deeply nested");
  // The default limit stops a program of 30000 nested parentheses without exhausting the stack.
  std::string huge = "a SEARCH " + std::string(30000, '(') + "SEEN" + std::string(30000, ')');
  EXPECT_EQ(bad(huge), "Too deeply nested");
  opt = {};
  opt.max_search_keys = 5;  // OR and its two operands count as three
  EXPECT_EQ(search("a SEARCH SEEN SEEN OR SEEN SEEN", opt).keys.size(), 3u);
  EXPECT_EQ(bad("a SEARCH SEEN SEEN SEEN SEEN SEEN SEEN", opt), "Too many search keys");
}

TEST(ImapSearch, ReturnAndCharset) {
  // RFC 4731 §4 examples
  Search s = search("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
  ASSERT_TRUE(s.ret);
  EXPECT_TRUE(s.ret->min);
  EXPECT_TRUE(s.ret->count);
  EXPECT_FALSE(s.ret->all);
  s = search("A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
  EXPECT_TRUE(s.ret->all);  // "()" is ALL
  s = search("A284 UID SEARCH RETURN (MAX ALL) CHARSET UTF-8 SEEN");
  EXPECT_TRUE(s.ret->max && s.ret->all);
  EXPECT_EQ(s.charset, "UTF-8");
  s = search("A301 SEARCH RETURN (SAVE) FLAGGED");  // RFC 5182
  EXPECT_TRUE(s.ret->save);
  EXPECT_FALSE(s.ret->all);
  EXPECT_FALSE(search("a SEARCH ALL").ret);
  EXPECT_EQ(bad("a SEARCH RETURN (FOO) ALL"), "Unknown RETURN option");
  EXPECT_EQ(bad("a SEARCH RETURN MIN ALL"), "Invalid RETURN options");
  EXPECT_EQ(bad("a SEARCH CHARSET"), "Missing argument");
  EXPECT_EQ(bad("a SEARCH CHARSET UTF-8"), "Missing argument");
  EXPECT_EQ(bad("a SEARCH RETURNX"), "Unknown search key");  // RETURN is a whole atom
}

TEST(ImapSearch, ModseqAndObjectIds) {
  SearchKey k = key("MODSEQ 620162338");  // RFC 7162 §3.1.5
  EXPECT_EQ(k.kind, K::modseq);
  EXPECT_EQ(k.number, 620162338u);
  EXPECT_EQ(k.text, "");
  k = key("MODSEQ \"/flags/\\\\draft\" all 620162338");
  EXPECT_EQ(k.text, "/flags/\\draft");
  EXPECT_EQ(k.value, "all");
  EXPECT_EQ(key("MODSEQ \"/flags/$x\" PRIV 0").value, "priv");
  EXPECT_EQ(bad("a SEARCH MODSEQ \"/x/y\" all 1"), "Invalid entry name");
  EXPECT_EQ(bad("a SEARCH MODSEQ \"/flags/x\" none 1"), "Invalid entry type");
  k = key("EMAILID M6d99ac3275bb4e");  // RFC 8474
  EXPECT_EQ(k.kind, K::emailid);
  EXPECT_EQ(k.text, "M6d99ac3275bb4e");
  EXPECT_EQ(key("THREADID T64b478a75b7ea9").kind, K::threadid);
  EXPECT_EQ(bad("a SEARCH EMAILID a.b"), "Invalid object id");
}

TEST(ImapSort, SortAndThread) {
  // RFC 5256 §3 examples
  Command c = ok("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994");
  EXPECT_EQ(c.name, CommandName::sort);
  auto s = std::get<Sort>(c.args);
  ASSERT_EQ(s.criteria.size(), 1u);
  EXPECT_EQ(s.criteria[0].key, SortKey::subject);
  EXPECT_EQ(s.charset, "UTF-8");
  EXPECT_EQ(s.keys[0].kind, K::since);
  c = ok("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL");
  s = std::get<Sort>(c.args);
  EXPECT_TRUE(s.criteria[1].reverse);
  EXPECT_EQ(s.criteria[1].key, SortKey::date);
  c = ok("A284 UID SORT (REVERSE ARRIVAL cc from size to DISPLAYFROM displayto) US-ASCII SUBJECT \"afternoon\"");
  EXPECT_TRUE(c.uid);
  EXPECT_EQ(std::get<Sort>(c.args).criteria.size(), 7u);
  s = std::get<Sort>(ok("a SORT RETURN (MIN MAX) (DATE) UTF-8 ALL").args);  // RFC 5267
  EXPECT_TRUE(s.ret && s.ret->min && s.ret->max);
  EXPECT_EQ(bad("a SORT (FOO) UTF-8 ALL"), "Unknown sort key");
  EXPECT_EQ(bad("a SORT (DATE) ALL"), "Missing argument");  // no charset: ALL is taken as one
  EXPECT_EQ(bad("a SORT DATE UTF-8 ALL"), "Expected sort criteria");
  EXPECT_EQ(bad("a SORT (REVERSE) UTF-8 ALL"), "Expected a space");

  auto t = std::get<Thread>(ok("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000").args);
  EXPECT_EQ(t.algorithm, "ORDEREDSUBJECT");
  EXPECT_EQ(t.charset, "UTF-8");
  EXPECT_EQ(t.keys[0].date, (Date{2000, 3, 5}));
  c = ok("A284 UID THREAD references US-ASCII TEXT \"gewp\"");
  EXPECT_TRUE(c.uid);
  EXPECT_EQ(std::get<Thread>(c.args).algorithm, "REFERENCES");
  EXPECT_EQ(bad("a THREAD REFERENCES UTF-8"), "Missing argument");
}
