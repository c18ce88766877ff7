// imap::SearchContext and the date helpers of SEARCH and SORT. See search_context.h.
#include "imap/search_context.h"

#include <algorithm>
#include <cctype>

#include "core/address.h"
#include "mime/encoded_word.h"
#include "mime/parser.h"
#include "mime/serialize.h"
#include "mime/text_decoder.h"

namespace axon::imap {

namespace {

constexpr uint64_t kChunk = 256 * 1024;

bool contains_ci(const std::string& folded_haystack, const std::string& needle) {
  return folded_haystack.find(core::to_lower_ascii(needle)) != std::string::npos;
}

struct DateParts {
  Date day;
  int hh = 0, mm = 0, ss = 0, zone = 0;  // zone in minutes east of UTC
};

std::optional<DateParts> parse_rfc5322(std::string_view v) {
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  auto comma = v.find(',');
  if (comma != std::string_view::npos) v.remove_prefix(comma + 1);
  auto skip = [&] {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  };
  auto number = [&](int& n, std::size_t max_digits) {
    skip();
    n = 0;
    std::size_t i = 0;
    while (i < v.size() && i < max_digits && std::isdigit(static_cast<unsigned char>(v[i]))) n = n * 10 + (v[i++] - '0');
    v.remove_prefix(i);
    return i > 0;
  };
  DateParts d;
  int day = 0, year = 0;
  if (!number(day, 2)) return std::nullopt;
  skip();
  if (v.size() < 3) return std::nullopt;
  std::string mon = core::to_lower_ascii(v.substr(0, 3));
  v.remove_prefix(3);
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i)
    if (mon == months[i]) month = i + 1;
  if (!month || !number(year, 4)) return std::nullopt;
  if (year < 50) year += 2000;
  else if (year < 1000) year += 1900;
  if (day < 1 || day > 31) return std::nullopt;
  d.day = Date{year, month, static_cast<unsigned>(day)};
  // Time and zone are optional for the day; SORT DATE uses them when present.
  if (number(d.hh, 2) && !v.empty() && v.front() == ':') {
    v.remove_prefix(1);
    number(d.mm, 2);
    if (!v.empty() && v.front() == ':') {
      v.remove_prefix(1);
      number(d.ss, 2);
    }
    skip();
    if (v.size() >= 5 && (v[0] == '+' || v[0] == '-')) {
      int z = 0;
      std::string_view digits = v.substr(1, 4);
      if (std::all_of(digits.begin(), digits.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
        z = ((digits[0] - '0') * 10 + (digits[1] - '0')) * 60 + (digits[2] - '0') * 10 + (digits[3] - '0');
        d.zone = v[0] == '-' ? -z : z;
      }
    }
  }
  return d;
}

}  // namespace

std::optional<mime::Summary> load_summary(store::MailStore& store, store::MailboxId mailbox, uint32_t uid,
                                          const store::OpenMessage& m) {
  if (!m.summary.empty()) {
    if (auto s = mime::deserialize(m.summary)) return std::move(*s);
  }
  mime::Parser p;
  for (uint64_t off = 0; off < m.size; off += kChunk) {
    auto chunk = m.read(off, kChunk);
    if (!chunk) return std::nullopt;
    p.feed(*chunk);
  }
  mime::Summary s = p.finish();
  (void)store.save_summary(mailbox, uid, mime::serialize(s));
  return s;
}

Date day_of(int64_t unix_seconds) {
  return civil_from_days(unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400);
}

std::optional<Date> header_day(std::string_view v) {
  auto d = parse_rfc5322(v);
  if (!d) return std::nullopt;
  return d->day;
}

std::optional<int64_t> header_time(std::string_view v) {
  auto d = parse_rfc5322(v);
  if (!d) return std::nullopt;
  int64_t days = days_from_civil(d->day.year, d->day.month, d->day.day);
  return days * 86400 + d->hh * 3600 + d->mm * 60 + d->ss - d->zone * 60;
}

bool SearchContext::open() {
  if (opened) return ok;
  opened = true;
  auto o = store.open_message(mailbox, m.uid);
  if (!o) return false;
  file.emplace(std::move(*o));
  summary = load_summary(store, mailbox, m.uid, *file);
  if (!summary) return false;
  auto h = file->read(0, summary->root.body_start);
  if (!h) return false;
  header = std::move(*h);
  ok = true;
  return true;
}

std::vector<std::string> SearchContext::fields(std::string_view name, bool decode) {
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
      out.push_back(decode ? mime::decode_header(value) : value);
    }
    i = next;
  }
  return out;
}

std::vector<std::string> SearchContext::field(std::string_view name) { return fields(name, true); }

std::string SearchContext::raw_field(std::string_view name) {
  auto v = fields(name, false);
  return v.empty() ? std::string() : v.back();
}

bool SearchContext::header_has(std::string_view name, const std::string& needle) {
  for (const auto& v : field(name))
    if (needle.empty() || contains_ci(core::to_lower_ascii(v), needle)) return true;
  return false;
}

const std::string& SearchContext::text() {
  if (body) return *body;
  body.emplace();
  if (!open()) return *body;
  std::string out;
  collect(summary->root, out);
  body = core::to_lower_ascii(out);
  return *body;
}

void SearchContext::collect(const mime::Part& p, std::string& out) {
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

std::optional<Date> SearchContext::sent_day() {
  auto v = field("Date");
  if (v.empty()) return std::nullopt;
  return header_day(v.back());
}

bool SearchContext::eval(const SearchKey& k) {
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
    case K::new_: return false;  // nothing is \\Recent
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
    case K::text:
      if (!open()) return false;
      return contains_ci(core::to_lower_ascii(mime::decode_header(header)), k.text) || contains_ci(text(), k.text);
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

}  // namespace axon::imap
