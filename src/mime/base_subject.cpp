// RFC 5256 §2.1 base subject; see base_subject.h. ABNF (§5):
//   subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"     subj-blob = "[" *BLOBCHAR "]" *WSP
//   subj-leader = (*subj-blob subj-refwd) / WSP                  subj-trailer = "(fwd)" / WSP
//   subj-fwd-hdr = "[fwd:"   subj-fwd-trl = "]"                  BLOBCHAR = any octet but "[" and "]"
// Security: untrusted header text.
#include "mime/base_subject.h"

#include "mime/encoded_word.h"
#include "mime/header_fields.h"

namespace axon::mime {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals_ascii(s.substr(0, prefix.size()), prefix);
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && s[i] == ' ') ++i;
  return i;
}

// subj-blob at s[i]: its end (after trailing white space), or 0.
std::size_t blob_end(std::string_view s, std::size_t i) {
  if (i >= s.size() || s[i] != '[') return 0;
  for (std::size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == '[') return 0;
    if (s[j] == ']') return skip_spaces(s, j + 1);
  }
  return 0;
}

// *subj-blob subj-refwd at the start of s: its length, or 0.
std::size_t refwd_leader(std::string_view s) {
  std::size_t i = 0;
  while (std::size_t e = blob_end(s, i)) i = e;
  std::string_view rest = s.substr(i);
  std::size_t n;
  if (starts_with_ci(rest, "re"))
    n = 2;
  else if (starts_with_ci(rest, "fwd"))
    n = 3;
  else if (starts_with_ci(rest, "fw"))
    n = 2;
  else
    return 0;
  i = skip_spaces(s, i + n);
  if (std::size_t e = blob_end(s, i)) i = e;
  if (i < s.size() && s[i] == ':') return i + 1;
  return 0;
}

std::string normalize_space(std::string_view decoded) {
  // Step 1: tabs and continuations become spaces; runs of spaces become one.
  std::string out;
  out.reserve(decoded.size());
  for (char c : decoded) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

BaseSubject base_subject(std::string_view raw_subject) {
  const std::string s = normalize_space(decode_header(raw_subject));
  std::string_view v = s;
  bool refwd = false;
  while (true) {
    // Step 2: trailers.
    while (true) {
      if (!v.empty() && v.back() == ' ') {
        v.remove_suffix(1);
      } else if (v.size() >= 5 && iequals_ascii(v.substr(v.size() - 5), "(fwd)")) {
        v.remove_suffix(5);
        refwd = true;
      } else {
        break;
      }
    }
    // Steps 3-5: leaders, then a blob when something is left after it.
    while (true) {
      bool changed = false;
      while (true) {
        if (!v.empty() && v.front() == ' ') {
          v.remove_prefix(1);
        } else if (std::size_t n = refwd_leader(v)) {
          v.remove_prefix(n);
          refwd = true;
        } else {
          break;
        }
        changed = true;
      }
      if (std::size_t b = blob_end(v, 0); b != 0 && v.substr(b).find_first_not_of(' ') != std::string_view::npos) {
        v.remove_prefix(b);
        changed = true;
      }
      if (!changed) break;
    }
    // Step 6: "[fwd: subject]".
    if (v.size() >= 6 && starts_with_ci(v, "[fwd:") && v.back() == ']') {
      v = v.substr(5, v.size() - 6);
      refwd = true;
      continue;
    }
    break;
  }
  return {std::string(v), refwd};
}

}  // namespace axon::mime
