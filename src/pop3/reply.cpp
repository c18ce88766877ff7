// The mapping from domain errors to POP3 replies (RFC 3206 §4 response codes). See reply.h.
#include "pop3/reply.h"

namespace axon::pop3::reply {

std::string_view for_error(core::Errc e) {
  switch (e) {
    case core::Errc::not_found: return message_gone;
    case core::Errc::in_use: return "-ERR [IN-USE] Mailbox is in use, try again later.";
    case core::Errc::permanent:
    case core::Errc::invalid:
    case core::Errc::too_big: return "-ERR [SYS/PERM] The message cannot be read.";
    case core::Errc::temporary:
    case core::Errc::unavailable:
    case core::Errc::quota:
    case core::Errc::limit:
    case core::Errc::exists: break;
  }
  return "-ERR [SYS/TEMP] Temporary failure, try again later.";
}

}  // namespace axon::pop3::reply
