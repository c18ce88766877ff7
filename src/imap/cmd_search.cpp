// imap::Session: SEARCH and UID SEARCH with every search key of RFC 9051 §6.4.4 and RFC 3501, CHARSET UTF-8 /
// US-ASCII, ESEARCH results (RFC 4731; always for IMAP4rev2), SEARCHRES SAVE (RFC 5182), MODSEQ (RFC 7162),
// OLDER/YOUNGER (RFC 5032), EMAILID (RFC 8474). Text keys compare ASCII case-insensitively against header values
// with RFC 2047 words decoded, and against the decoded text of body parts (transfer encoding and charset undone).
// Message content is read only when a key needs it, and then once per message (search_context.h).
// Security: keys are untrusted (bounded by the parser); reading a message is bounded by its size.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "imap/datetime.h"
#include "imap/format.h"
#include "imap/session.h"
#include "imap/session_parts.h"
#include "imap/search_context.h"

namespace axon::imap {

std::vector<uint32_t> Session::matching(const std::vector<SearchKey>& keys, bool& uses_modseq, uint64_t& max_modseq) {
  // "$" refers to the saved result: as UIDs in UID keys, as sequence numbers in sequence-set keys.
  std::vector<uint32_t> saved_seq_list;
  for (const auto& r : saved_)
    for (uint64_t u = r.first; u <= r.last; ++u)
      if (uint32_t q = view_->seq_of(static_cast<uint32_t>(u))) saved_seq_list.push_back(q);
  auto saved_seqs = to_ranges(saved_seq_list);
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  uses_modseq = false;
  std::function<void(const SearchKey&)> scan = [&](const SearchKey& k) {
    if (k.kind == SearchKey::Kind::modseq) uses_modseq = true;
    for (const auto& ch : k.children) scan(ch);
  };
  for (const auto& k : keys) scan(k);
  if (uses_modseq) condstore_ = true;
  std::vector<uint32_t> hits;
  max_modseq = 0;
  const auto& msgs = view_->messages();
  for (uint32_t i = 0; i < msgs.size(); ++i) {
    SearchContext ctx{store_, view_->id(), msgs[i], i + 1, saved_seqs, saved_, view_->exists(), view_->max_uid(), now};
    bool all = std::all_of(keys.begin(), keys.end(), [&](const SearchKey& k) { return ctx.eval(k); });
    if (!all) continue;
    hits.push_back(i + 1);
    max_modseq = std::max(max_modseq, msgs[i].modseq);
  }
  return hits;
}

void Session::cmd_search(Command& c) {
  auto& s = std::get<Search>(c.args);
  if (s.charset && *s.charset != "UTF-8" && *s.charset != "US-ASCII")
    return tagged(c.tag, "NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
  bool uses_modseq = false;
  uint64_t max_modseq = 0;
  std::vector<uint32_t> hits = matching(s.keys, uses_modseq, max_modseq);  // sequence numbers
  const auto& msgs = view_->messages();
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
