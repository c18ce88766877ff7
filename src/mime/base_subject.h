// RFC 5256 §2.1 base subject extraction for SORT SUBJECT and THREAD ORDEREDSUBJECT/REFERENCES: encoded words
// decoded to UTF-8, white space collapsed, then "Re:", "Fw:", "Fwd:" leaders (with [blob]s), "(fwd)" trailers and
// "[fwd: ...]" wrappers removed until none is left. The caller compares the result with i;unicode-casemap.
// Security: untrusted header text; linear apart from the repeat loops, each of which removes text.
#pragma once

#include <string>
#include <string_view>

namespace axon::mime {

struct BaseSubject {
  std::string text;
  bool reply_or_forward = false;  // a leader, "(fwd)" trailer or "[fwd:]" wrapper was removed (RFC 5256 §2.1)
};

BaseSubject base_subject(std::string_view raw_subject);

}  // namespace axon::mime
