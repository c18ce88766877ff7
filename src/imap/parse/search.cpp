// SEARCH, SORT, THREAD and the search program: RFC 9051 §6.4.4 and §9 (search-key, search-program,
// search-return-opts), RFC 3501 §6.4.4 (NEW, OLD, RECENT, CHARSET), RFC 4731 §3.1 (ESEARCH RETURN), RFC 5182 §2
// (SAVE, "$"), RFC 7162 §3.1.5 (MODSEQ), RFC 5032 §3 (OLDER, YOUNGER), RFC 8474 §6 (EMAILID, THREADID),
// RFC 5256 §3 (SORT, THREAD), RFC 5267 §3 (ESORT), RFC 5957 (DISPLAYFROM, DISPLAYTO).
// Security: untrusted input after authentication. The program is a tree: its depth is bounded by max_depth
// (NOT, OR and parentheses each count) and its size by max_search_keys.
#include <array>

#include "imap/parse/commands.h"

namespace axon::imap::parse {

namespace {

using K = SearchKey::Kind;

enum class Arg : uint8_t { none, astring, date, number, keyword, set, header, modseq, interval, objectid, not_, or_ };

struct KeyDef {
  std::string_view name;
  K kind;
  Arg arg;
};

constexpr std::array<KeyDef, 40> kKeys{{
    {"ALL", K::all, Arg::none},
    {"ANSWERED", K::answered, Arg::none},
    {"BCC", K::bcc, Arg::astring},
    {"BEFORE", K::before, Arg::date},
    {"BODY", K::body, Arg::astring},
    {"CC", K::cc, Arg::astring},
    {"DELETED", K::deleted, Arg::none},
    {"DRAFT", K::draft, Arg::none},
    {"FLAGGED", K::flagged, Arg::none},
    {"FROM", K::from, Arg::astring},
    {"HEADER", K::header, Arg::header},
    {"KEYWORD", K::keyword, Arg::keyword},
    {"LARGER", K::larger, Arg::number},
    {"NEW", K::new_, Arg::none},
    {"NOT", K::not_, Arg::not_},
    {"OLD", K::old, Arg::none},
    {"ON", K::on, Arg::date},
    {"OR", K::or_, Arg::or_},
    {"RECENT", K::recent, Arg::none},
    {"SEEN", K::seen, Arg::none},
    {"SENTBEFORE", K::sentbefore, Arg::date},
    {"SENTON", K::senton, Arg::date},
    {"SENTSINCE", K::sentsince, Arg::date},
    {"SINCE", K::since, Arg::date},
    {"SMALLER", K::smaller, Arg::number},
    {"SUBJECT", K::subject, Arg::astring},
    {"TEXT", K::text, Arg::astring},
    {"TO", K::to, Arg::astring},
    {"UID", K::uid, Arg::set},
    {"UNANSWERED", K::unanswered, Arg::none},
    {"UNDELETED", K::undeleted, Arg::none},
    {"UNDRAFT", K::undraft, Arg::none},
    {"UNFLAGGED", K::unflagged, Arg::none},
    {"UNKEYWORD", K::unkeyword, Arg::keyword},
    {"UNSEEN", K::unseen, Arg::none},
    {"MODSEQ", K::modseq, Arg::modseq},
    {"OLDER", K::older, Arg::interval},
    {"YOUNGER", K::younger, Arg::interval},
    {"EMAILID", K::emailid, Arg::objectid},
    {"THREADID", K::threadid, Arg::objectid},
}};

class ProgramParser {
 public:
  explicit ProgramParser(Reader& r) : r_(r) {}

  // search-key *(SP search-key), up to the end of the command or a ")".
  bool keys(std::vector<SearchKey>& out) {
    do {
      out.emplace_back();
      if (!key(out.back())) return false;
    } while (r_.eat(' '));
    return true;
  }

 private:
  bool key(SearchKey& k) {
    if (r_.failed()) return false;
    if (++count_ > r_.options().max_search_keys) return r_.fail("Too many search keys");
    const char c = r_.peek();
    if (c == '(') {
      // "(" search-key *(SP search-key) ")"
      r_.eat('(');
      k.kind = K::and_;
      if (!r_.enter() || !keys(k.children) || !r_.expect(')', "Invalid search key list")) return false;
      r_.leave();
      return true;
    }
    if ((c >= '0' && c <= '9') || c == '*' || c == '$') {
      k.kind = K::sequence_set;
      return r_.sequence_set(k.set);
    }
    std::string_view w;
    if (!r_.word(w, "search key")) return false;
    const KeyDef* def = nullptr;
    for (const KeyDef& d : kKeys) {
      if (keyword_is(w, d.name)) {
        def = &d;
        break;
      }
    }
    if (!def) return r_.fail("Unknown search key");
    k.kind = def->kind;
    switch (def->arg) {
      case Arg::none: return true;
      case Arg::astring: return r_.sp() && r_.astring(k.text, "search string");
      case Arg::date: return r_.sp() && r_.date(k.date);
      case Arg::number: return r_.sp() && r_.number64(k.number, "size");
      case Arg::keyword: {
        std::string_view kw;
        if (!r_.sp() || !r_.word(kw, "keyword")) return false;
        k.text.assign(kw);
        return true;
      }
      case Arg::set: return r_.sp() && r_.sequence_set(k.set);
      case Arg::header: return r_.sp() && r_.astring(k.text, "header field name") && r_.sp() &&
                               r_.astring(k.value, "search string");
      case Arg::modseq: return modseq(k);
      case Arg::interval: {
        uint32_t n = 0;
        if (!r_.sp() || !r_.nz_number(n, "interval")) return false;
        k.number = n;
        return true;
      }
      case Arg::objectid: return r_.sp() && objectid(k.text);
      case Arg::not_:
        k.children.emplace_back();
        if (!r_.sp() || !r_.enter() || !key(k.children.back())) return false;
        r_.leave();
        return true;
      case Arg::or_:
        k.children.resize(2);
        if (!r_.sp() || !r_.enter() || !key(k.children[0]) || !r_.sp() || !key(k.children[1])) return false;
        r_.leave();
        return true;
    }
    return false;
  }

  // "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162 §3.1.5);
  // entry-name = DQUOTE "/flags/" attr-flag DQUOTE; entry-type-req = "priv" / "shared" / "all"
  bool modseq(SearchKey& k) {
    if (!r_.sp()) return false;
    if (r_.peek() == '"') {
      std::string_view type;
      if (!r_.astring(k.text, "entry name") || !r_.sp() || !r_.word(type, "entry type") || !r_.sp()) return false;
      if (k.text.size() <= 7 || !keyword_is(k.text.substr(0, 7), "/FLAGS/")) return r_.fail("Invalid entry name");
      if (keyword_is(type, "PRIV")) {
        k.value = "priv";
      } else if (keyword_is(type, "SHARED")) {
        k.value = "shared";
      } else if (keyword_is(type, "ALL")) {
        k.value = "all";
      } else {
        return r_.fail("Invalid entry type");
      }
    }
    return r_.number64(k.number, "mod-sequence");
  }

  // objectid = 1*255(ALPHA / DIGIT / "_" / "-") (RFC 8474 §7)
  bool objectid(std::string& out) {
    std::string_view id = r_.take(kName);
    if (id.empty() || id.size() > 255 || id.find('.') != std::string_view::npos) return r_.fail("Invalid object id");
    out.assign(id);
    return true;
  }

  Reader& r_;
  std::size_t count_ = 0;
};

// "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")", after "RETURN". "()" is ALL (RFC 4731 §3.1).
bool return_options(Reader& r, SearchReturn& ret) {
  if (!r.sp() || !r.expect('(', "Invalid RETURN options")) return false;
  std::size_t n = 0;
  if (!r.eat(')')) {
    do {
      std::string_view w;
      if (!r.word(w, "RETURN option")) return false;
      ++n;
      if (keyword_is(w, "MIN")) {
        ret.min = true;
      } else if (keyword_is(w, "MAX")) {
        ret.max = true;
      } else if (keyword_is(w, "ALL")) {
        ret.all = true;
      } else if (keyword_is(w, "COUNT")) {
        ret.count = true;
      } else if (keyword_is(w, "SAVE")) {
        ret.save = true;
      } else {
        return r.fail("Unknown RETURN option");
      }
      if (n > 5) return r.fail("Too many RETURN options");
    } while (r.eat(' '));
    if (!r.expect(')', "Invalid RETURN options")) return false;
  }
  if (n == 0) ret.all = true;
  return true;
}

// charset = atom / quoted
bool charset(Reader& r, std::string& out) {
  if (!r.astring(out, "charset")) return false;
  out = upper(out);
  return true;
}

// search-criteria = charset 1*(SP search-key) (RFC 5256)
bool criteria(Reader& r, std::string& cs, std::vector<SearchKey>& keys) {
  return charset(r, cs) && r.sp() && ProgramParser(r).keys(keys);
}

}  // namespace

bool search(Reader& r, Command& c) {
  // "SEARCH" [SP "RETURN" SP "(" ... ")"] SP ["CHARSET" SP charset SP] search-key *(SP search-key)
  Search s;
  if (!r.sp()) return false;
  if (r.eat_keyword("RETURN")) {
    s.ret.emplace();
    if (!return_options(r, *s.ret) || !r.sp()) return false;
  }
  if (r.eat_keyword("CHARSET")) {
    s.charset.emplace();
    if (!r.sp() || !charset(r, *s.charset) || !r.sp()) return false;
  }
  if (!ProgramParser(r).keys(s.keys)) return false;
  c.args = std::move(s);
  return r.end();
}

bool sort(Reader& r, Command& c) {
  // "SORT" [SP "RETURN" SP "(" ... ")"] SP "(" sort-criterion *(SP sort-criterion) ")" SP search-criteria;
  // sort-criterion = ["REVERSE" SP] sort-key
  static constexpr std::array<std::pair<std::string_view, SortKey>, 9> kSortKeys{{
      {"ARRIVAL", SortKey::arrival},
      {"CC", SortKey::cc},
      {"DATE", SortKey::date},
      {"FROM", SortKey::from},
      {"SIZE", SortKey::size},
      {"SUBJECT", SortKey::subject},
      {"TO", SortKey::to},
      {"DISPLAYFROM", SortKey::display_from},
      {"DISPLAYTO", SortKey::display_to},
  }};
  Sort s;
  if (!r.sp()) return false;
  if (r.eat_keyword("RETURN")) {
    s.ret.emplace();
    if (!return_options(r, *s.ret) || !r.sp()) return false;
  }
  if (!r.expect('(', "Expected sort criteria")) return false;
  do {
    SortCriterion sc;
    std::string_view w;
    if (!r.more(s.criteria.size(), "sort criteria") || !r.word(w, "sort key")) return false;
    if (keyword_is(w, "REVERSE")) {
      sc.reverse = true;
      if (!r.sp() || !r.word(w, "sort key")) return false;
    }
    bool found = false;
    for (const auto& [name, key] : kSortKeys) {
      if (keyword_is(w, name)) {
        sc.key = key;
        found = true;
        break;
      }
    }
    if (!found) return r.fail("Unknown sort key");
    s.criteria.push_back(sc);
  } while (r.eat(' '));
  if (!r.expect(')', "Invalid sort criteria") || !r.sp() || !criteria(r, s.charset, s.keys)) return false;
  c.args = std::move(s);
  return r.end();
}

bool thread(Reader& r, Command& c) {
  // "THREAD" SP thread-alg SP search-criteria; thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / atom
  Thread t;
  std::string_view alg;
  if (!r.sp() || !r.word(alg, "thread algorithm")) return false;
  t.algorithm = upper(alg);
  if (!r.sp() || !criteria(r, t.charset, t.keys)) return false;
  c.args = std::move(t);
  return r.end();
}

}  // namespace axon::imap::parse
