// Received: header rendering and hop counting. RFC 5321 §4.4 (trace information), §6.3 (loops: more than a
// configured number of Received: fields means 554 5.4.6), RFC 5322 §3.6.7, RFC 3848, RFC 6531 §3.7.3.
// Security: HELO and PTR names come from the peer; anything outside printable ASCII or that would break the
// comment syntax is replaced by '?'.
#include "smtp/received.h"

#include "core/address.h"

namespace axon::smtp {

namespace {

std::string clean_token(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s)
    out.push_back(c < 0x21 || c > 0x7E || c == '(' || c == ')' || c == '\\' || c == '[' || c == ']'
                      ? '?'
                      : static_cast<char>(c));
  return out.empty() ? std::string("unknown") : out;
}

std::string clean_text(std::string_view s) {  // for the TLS comment: spaces allowed
  std::string out;
  for (unsigned char c : s) out.push_back(c < 0x20 || c > 0x7E || c == '(' || c == ')' || c == '\\' ? '?' : c);
  return out;
}

std::string clean_path(std::string_view s) {  // forward-path: already a valid mailbox; no controls, no '>'
  std::string out;
  for (unsigned char c : s) out.push_back(c < 0x20 || c == 0x7F || c == '>' || c == '<' ? '?' : c);
  return out;
}

}  // namespace

std::string protocol_keyword(bool ehlo, bool tls, bool authenticated, bool smtputf8) {
  std::string p = smtputf8 ? "UTF8SMTP" : ehlo ? "ESMTP" : "SMTP";
  if (smtputf8 || ehlo || tls || authenticated) {
    if (p == "SMTP") p = "ESMTP";  // RFC 3848 only defines S/A variants of ESMTP
    if (tls) p += "S";
    if (authenticated) p += "A";
  }
  return p;
}

std::string received_header(const ReceivedInfo& info) {
  std::string ip = clean_token(info.ip);
  if (ip.find(':') != std::string::npos) ip = "IPv6:" + ip;  // RFC 5321 §4.1.3 address literal
  std::string h = "Received: from " + clean_token(info.helo) + " (" +
                  (info.reverse.empty() ? std::string("unknown") : clean_token(info.reverse)) + " [" + ip + "])\r\n";
  if (!info.tls.empty()) {
    // info.tls is "VERSION CIPHER" (net/session.h); Postfix style: "(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)"
    std::string t = clean_text(info.tls);
    std::size_t sp = t.find(' ');
    h += sp == std::string::npos ? "\t(using " + t + ")\r\n"
                                 : "\t(using " + t.substr(0, sp) + " with cipher " + t.substr(sp + 1) + ")\r\n";
  }
  h += "\tby " + clean_token(info.hostname) + " (Axon) with " + info.protocol;
  if (!info.for_rcpt.empty()) h += " for <" + clean_path(info.for_rcpt) + ">";  // only for a single recipient
  h += "\r\n\t; " + info.date + "\r\n";
  return h;
}

std::size_t count_received(std::string_view data, std::size_t limit) {
  std::size_t count = 0, pos = 0;
  while (pos < data.size() && count <= limit) {
    std::size_t eol = data.find('\n', pos);
    std::string_view line = data.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // RFC 5322 §2.1: the empty line ends the header section
    if (line.front() != ' ' && line.front() != '\t') {  // not a folded continuation
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);  // obs-optional
        if (core::iequals(name, "Received")) ++count;
      }
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return count;
}

}  // namespace axon::smtp
