// imap::Session: SEARCH and UID SEARCH with every search key of RFC 9051 §6.4.4 and RFC 3501, CHARSET UTF-8 /
// US-ASCII, ESEARCH results (RFC 4731; always for IMAP4rev2), SEARCHRES SAVE (RFC 5182), MODSEQ (RFC 7162),
// OLDER/YOUNGER (RFC 5032), EMAILID (RFC 8474). Text keys compare ASCII case-insensitively against header values
// with RFC 2047 words decoded, and against the decoded text of body parts (transfer encoding and charset undone).
// Message content is read only when a key needs it, and then once per message.
// Security: keys are untrusted (bounded by the parser); reading a message is bounded by its size.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "imap/datetime.h"
#include "imap/format.h"
#include "imap/session.h"
#include "imap/session_parts.h"
#include "mime/encoded_word.h"
#include "mime/parser.h"
#include "mime/serialize.h"
#include "mime/text_decoder.h"

namespace axon::imap {

namespace {

constexpr uint64_t kChunk = 256 * 1024;

std::string fold(std::string_view s) {
  std::string o(s);
  for (auto& ch : o) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return o;
}

bool contains_ci(const std::string& folded_haystack, const std::string& needle) {
  return folded_haystack.find(fold(needle)) != std::string::npos;
}

Date day_of(int64_t unix_seconds) { return civil_from_days(unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400); }

// The day of an RFC 5322 Date: header ("Tue, 1 Jul 2003 10:52:37 +0200"), in its own zone as RFC 9051 asks
// ("disregarding time and timezone").
std::optional<Date> header_day(std::string_view v) {
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  auto comma = v.find(',');
  if (comma != std::string_view::npos) v.remove_prefix(comma + 1);
  auto skip = [&] {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  };
  auto number = [&](unsigned& n) {
    skip();
    n = 0;
    std::size_t i = 0;
    while (i < v.size() && i < 5 && std::isdigit(static_cast<unsigned char>(v[i]))) n = n * 10 + (v[i++] - '0');
    v.remove_prefix(i);
    return i > 0;
  };
  unsigned day = 0, year = 0;
  if (!number(day)) return std::nullopt;
  skip();
  if (v.size() < 3) return std::nullopt;
  std::string mon = fold(v.substr(0, 3));
  v.remove_prefix(3);
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i)
    if (mon == months[i]) month = i + 1;
  if (!month || !number(year)) return std::nullopt;
  if (year < 50) year += 2000;
  else if (year < 1000) year += 1900;
  if (day < 1 || day > 31) return std::nullopt;
  return Date{static_cast<int>(year), month, day};
}

}  // namespace

// One message as the search sees it: flags from the view, content read on demand.
struct SearchContext {
  store::MailStore& store;
  store::MailboxId mailbox;
  const ViewMessage& m;
  uint32_t seq;
  const std::vector<Range>& saved_seqs;
  const std::vector<Range>& saved_uids;
  uint32_t max_seq, max_uid;
  int64_t now;

  bool opened = false, ok = false;
  std::optional<store::OpenMessage> file;
  std::optional<mime::Summary> summary;
  std::string header;                 // raw top-level header
  std::optional<std::string> body;    // decoded text of the text parts, folded

  bool open() {
    if (opened) return ok;
    opened = true;
    auto o = store.open_message(mailbox, m.uid);
    if (!o) return false;
    file.emplace(std::move(*o));
    if (!file->summary.empty()) {
      if (auto s = mime::deserialize(file->summary)) summary = std::move(*s);
    }
    if (!summary) {
      mime::Parser p;
      for (uint64_t off = 0; off < file->size; off += kChunk) {
        auto c = file->read(off, kChunk);
        if (!c) return false;
        p.feed(*c);
      }
      summary = p.finish();
      (void)store.save_summary(mailbox, m.uid, mime::serialize(*summary));
    }
    auto h = file->read(0, summary->root.body_start);
    if (!h) return false;
    header = std::move(*h);
    ok = true;
    return true;
  }

  // Values of a header field (all occurrences), unfolded and decoded.
  std::vector<std::string> field(std::string_view name) {
    std::vector<std::string> out;
    if (!open()) return out;
    std::string_view h = header;
    std::size_t i = 0;
    while (i < h.size()) {
      std::size_t e = h.find('\n', i);
      if (e == std::string_view::npos) e = h.size();
      std::string_view line = h.substr(i, e - i);
      std::size_t next = e + 1;
      auto colon = line.find(':');
      if (colon != std::string_view::npos && colon == name.size() && core::iequals(line.substr(0, colon), name)) {
        std::string value(line.substr(colon + 1));
        while (next < h.size() && (h[next] == ' ' || h[next] == '\t')) {  // continuation lines
          std::size_t e2 = h.find('\n', next);
          if (e2 == std::string_view::npos) e2 = h.size();
          value += h.substr(next, e2 - next);
          next = e2 + 1;
        }
        std::erase(value, '\r');
        out.push_back(mime::decode_header(value));
      }
      i = next;
    }
    return out;
  }

  bool header_has(std::string_view name, const std::string& needle) {
    for (const auto& v : field(name))
      if (needle.empty() || contains_ci(fold(v), needle)) return true;
    return false;
  }

  const std::string& text() {
    if (body) return *body;
    body.emplace();
    if (!open()) return *body;
    std::string out;
    collect(summary->root, out);
    body = fold(out);
    return *body;
  }

  void collect(const mime::Part& p, std::string& out) {
    if (p.kind != mime::PartKind::leaf) {
      for (const auto& c : p.children) collect(c, out);
      return;
    }
    bool textual = p.type.empty() || core::iequals(p.type, "text");
    if (!textual) return;
    mime::TextDecoder dec(p);
    for (uint64_t o = p.body_start; o < p.body_end; o += kChunk) {
      auto c = file->read(o, std::min(kChunk, p.body_end - o));
      if (!c) return;
      dec.feed(*c, out);
    }
    dec.finish(out);
    out += '\n';
  }

  std::optional<Date> sent_day() {
    auto v = field("Date");
    if (v.empty()) return std::nullopt;
    return header_day(v.back());
  }

  bool eval(const SearchKey& k) {
    using K = SearchKey::Kind;
    const uint32_t f = m.flags;
    int64_t internal = std::chrono::duration_cast<std::chrono::seconds>(m.internal_date.time_since_epoch()).count();
    switch (k.kind) {
      case K::all: return true;
      case K::answered: return f & store::Flag::answered;
      case K::deleted: return f & store::Flag::deleted;
      case K::draft: return f & store::Flag::draft;
      case K::flagged: return f & store::Flag::flagged;
      case K::seen: return f & store::Flag::seen;
      case K::unanswered: return !(f & store::Flag::answered);
      case K::undeleted: return !(f & store::Flag::deleted);
      case K::undraft: return !(f & store::Flag::draft);
      case K::unflagged: return !(f & store::Flag::flagged);
      case K::unseen: return !(f & store::Flag::seen);
      case K::new_: return false;  // nothing is \Recent
      case K::recent: return false;
      case K::old: return true;
      case K::keyword:
      case K::unkeyword: {
        bool has = std::any_of(m.keywords.begin(), m.keywords.end(),
                               [&](const std::string& w) { return core::iequals(w, k.text); });
        return k.kind == K::keyword ? has : !has;
      }
      case K::bcc: return header_has("Bcc", k.text);
      case K::cc: return header_has("Cc", k.text);
      case K::from: return header_has("From", k.text);
      case K::to: return header_has("To", k.text);
      case K::subject: return header_has("Subject", k.text);
      case K::header: return header_has(k.text, k.value);
      case K::body: return contains_ci(text(), k.text);
      case K::text: {
        if (!open()) return false;
        return contains_ci(fold(mime::decode_header(header)), k.text) || contains_ci(text(), k.text);
      }
      case K::before: return day_of(internal) < k.date;
      case K::on: return day_of(internal) == k.date;
      case K::since: return !(day_of(internal) < k.date);
      case K::sentbefore:
      case K::senton:
      case K::sentsince: {
        auto d = sent_day();
        if (!d) d = day_of(internal);
        if (k.kind == K::sentbefore) return *d < k.date;
        if (k.kind == K::senton) return *d == k.date;
        return !(*d < k.date);
      }
      case K::larger: return m.size > k.number;
      case K::smaller: return m.size < k.number;
      case K::older: return now - internal >= static_cast<int64_t>(k.number);
      case K::younger: return now - internal <= static_cast<int64_t>(k.number);
      case K::uid: return contains(k.set.resolve(std::max(max_uid, 1u), saved_uids), m.uid);
      case K::sequence_set: return contains(k.set.resolve(std::max(max_seq, 1u), saved_seqs), seq);
      case K::modseq: return m.modseq >= k.number;
      case K::emailid: return k.text == "M" + std::to_string(m.id);
      case K::threadid: return false;
      case K::not_: return !eval(k.children.at(0));
      case K::or_: return eval(k.children.at(0)) || eval(k.children.at(1));
      case K::and_:
        return std::all_of(k.children.begin(), k.children.end(), [&](const SearchKey& c) { return eval(c); });
    }
    return false;
  }
};

void Session::cmd_search(Command& c) {
  auto& s = std::get<Search>(c.args);
  if (s.charset && *s.charset != "UTF-8" && *s.charset != "US-ASCII")
    return tagged(c.tag, "NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
  // "$" refers to the saved result: as UIDs in UID keys, as sequence numbers in sequence-set keys.
  std::vector<uint32_t> saved_seq_list;
  for (const auto& r : saved_)
    for (uint64_t u = r.first; u <= r.last; ++u)
      if (uint32_t q = view_->seq_of(static_cast<uint32_t>(u))) saved_seq_list.push_back(q);
  auto saved_seqs = to_ranges(saved_seq_list);
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  bool uses_modseq = false;
  std::function<void(const SearchKey&)> scan = [&](const SearchKey& k) {
    if (k.kind == SearchKey::Kind::modseq) uses_modseq = true;
    for (const auto& ch : k.children) scan(ch);
  };
  for (const auto& k : s.keys) scan(k);
  if (uses_modseq) condstore_ = true;

  std::vector<uint32_t> hits;  // sequence numbers
  uint64_t max_modseq = 0;
  const auto& msgs = view_->messages();
  for (uint32_t i = 0; i < msgs.size(); ++i) {
    SearchContext ctx{store_, view_->id(), msgs[i], i + 1, saved_seqs, saved_, view_->exists(), view_->max_uid(), now};
    bool all = std::all_of(s.keys.begin(), s.keys.end(), [&](const SearchKey& k) { return ctx.eval(k); });
    if (!all) continue;
    hits.push_back(i + 1);
    max_modseq = std::max(max_modseq, msgs[i].modseq);
  }
  std::vector<uint32_t> numbers;
  for (uint32_t q : hits) numbers.push_back(c.uid ? msgs[q - 1].uid : q);

  bool esearch = s.ret.has_value() || rev2_;
  SearchReturn ret = s.ret.value_or(SearchReturn{});
  if (s.ret && !ret.min && !ret.max && !ret.count && !ret.all && !ret.save) ret.all = true;  // RETURN ()
  if (!s.ret) ret.all = true;
  if (ret.save) {
    std::vector<uint32_t> u;
    for (uint32_t q : hits) u.push_back(msgs[q - 1].uid);
    saved_ = to_ranges(u);
  }
  if (esearch) {
    std::string line = "ESEARCH (TAG \"" + c.tag + "\")";
    if (c.uid) line += " UID";
    // RFC 5182 §2.4: RETURN (SAVE) alone sends no ESEARCH response.
    bool save_only = s.ret && ret.save && !ret.min && !ret.max && !ret.count && !ret.all;
    if (!numbers.empty()) {
      if (ret.min) line += " MIN " + std::to_string(numbers.front());
      if (ret.max) line += " MAX " + std::to_string(numbers.back());
    }
    if (ret.count) line += " COUNT " + std::to_string(numbers.size());
    if (ret.all && !numbers.empty()) line += " ALL " + format_ranges(to_ranges(numbers));
    if (uses_modseq && !numbers.empty()) line += " MODSEQ " + std::to_string(max_modseq);
    if (!save_only) untagged(line);
  } else {
    std::string line = "SEARCH";
    for (uint32_t n : numbers) line += " " + std::to_string(n);
    if (uses_modseq && !numbers.empty()) line += " (MODSEQ " + std::to_string(max_modseq) + ")";
    untagged(line);
  }
  tagged(c.tag, "OK", "Search completed.");
}

}  // namespace axon::imap
