// Reply rendering and the core::Errc -> SMTP mapping. RFC 5321 §4.2, RFC 2034, RFC 3463.
// Security: no untrusted input reaches reply text.
#include "smtp/reply.h"

namespace axon::smtp {

std::string render(const Reply& r) {
  std::string out = std::to_string(r.code);
  out.push_back(' ');
  if (!r.status.empty()) {
    out += r.status;
    out.push_back(' ');
  }
  out += r.text;
  out += "\r\n";
  return out;
}

std::string render_lines(int code, const std::vector<std::string>& lines) {
  std::string out;
  const std::string c = std::to_string(code);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += c;
    out.push_back(i + 1 < lines.size() ? '-' : ' ');  // RFC 5321 §4.2.1: "-" on every line but the last
    out += lines[i];
    out += "\r\n";
  }
  return out;
}

Reply with_text(const Reply& r, std::string text) { return Reply{r.code, r.status, std::move(text)}; }

Reply reply_for(core::Errc e) {
  using core::Errc;
  switch (e) {
    case Errc::temporary: return reply::c451_local_error;
    case Errc::in_use: return {451, "4.3.0", "Error: resource busy, try again later"};
    case Errc::unavailable: return {451, "4.3.2", "Error: service not available, try again later"};
    case Errc::limit: return {452, "4.3.1", "Error: insufficient system storage"};
    case Errc::quota: return {452, "4.2.2", "Error: mailbox full"};
    case Errc::too_big: return reply::c552_message_too_big;
    case Errc::not_found: return reply::c550_mailbox_unavailable;
    case Errc::invalid: return {550, "5.6.0", "Error: message content rejected"};
    case Errc::exists:
    case Errc::permanent: return {554, "5.3.0", "Error: transaction failed"};
  }
  return reply::c451_local_error;
}

}  // namespace axon::smtp
