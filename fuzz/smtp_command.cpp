// Fuzzes the SMTP command grammar (smtp/command.h): command lines, MAIL FROM / RCPT TO paths and parameters,
// BDAT arguments, xtext. Untrusted input from unauthenticated peers.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/address.h"
#include "smtp/command.h"

using namespace axon;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  smtp::CommandLine cmd = smtp::parse_command_line(s);
  if (cmd.arg.size() > s.size()) std::abort();

  auto m = smtp::parse_mail_from(s);
  if (m.ok()) {
    // A parsed sender must be a valid mailbox on its own; the null path has no sender.
    if (m->sender.has_value() == m->reverse_path.empty()) std::abort();
    if (m->sender && !core::parse_mailbox(m->reverse_path, m->smtputf8)) std::abort();
    if (!m->envid.empty() && !smtp::valid_xtext(m->envid)) std::abort();
  } else if (m.error().code < 500) {
    std::abort();  // parse errors are permanent replies
  }
  for (bool utf8 : {false, true}) {
    auto r = smtp::parse_rcpt_to(s, utf8);
    if (r.ok()) {
      if (r->forward_path.empty()) std::abort();
      if (!r->bare_postmaster && !core::parse_mailbox(r->forward_path, utf8)) std::abort();
    } else if (r.error().code < 500) {
      std::abort();
    }
  }
  // Also the argument after a verb, as the session passes it.
  (void)smtp::parse_mail_from(cmd.arg);
  (void)smtp::parse_rcpt_to(cmd.arg, size % 2 == 0);
  auto b = smtp::parse_bdat(cmd.arg);
  if (b.ok() && b->size > 9999999999999999999ull) std::abort();
  (void)smtp::valid_xtext(s);
  return 0;
}
