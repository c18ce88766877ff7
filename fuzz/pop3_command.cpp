// Fuzzes the POP3 input side before authentication: the line reader (bounded lines, in pseudo-random splits), the
// command grammar, message numbers and line counts, base64 and SASL PLAIN; and MessageStream over the same bytes
// as a message (RETR and TOP): the output never ends before its end, whatever the message holds.
// Byte 0: split seed; byte 1: line limit (16..271) and TOP's line count.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/sasl.h"
#include "pop3/command.h"
#include "pop3/line_reader.h"
#include "pop3/message_stream.h"

using namespace axon;

namespace {

// A response body: CRLF lines only, no line that is exactly "." before the last, which is.
void check_stream(std::string_view msg, std::optional<uint64_t> lines, std::size_t piece) {
  pop3::MessageStream s(lines);
  std::string out;
  for (std::size_t i = 0; i < msg.size(); i += piece)
    if (!s.feed(msg.substr(i, piece), out)) break;
  s.finish(out);
  if (out.size() < 3 || out.compare(out.size() - 3, 3, ".\r\n") != 0) std::abort();
  if (out.size() > 3 && out[out.size() - 4] != '\n') std::abort();
  std::string body = "\r\n" + out.substr(0, out.size() - 3);
  if (body.find("\n.\r\n") != std::string::npos || body.find("\n.\n") != std::string::npos) std::abort();
  for (std::size_t i = 0; i < out.size(); ++i)
    if (out[i] == '\n' && (i == 0 || out[i - 1] != '\r')) std::abort();
  if (!lines && out.size() > 2 * msg.size() + 5) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint32_t seed = data[0] | 1u;
  std::size_t max_line = 16 + data[1];
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);

  pop3::LineReader reader;
  std::size_t pos = 0;
  while (pos < in.size()) {
    seed = seed * 1103515245u + 12345u;
    std::size_t n = std::min<std::size_t>(in.size() - pos, 1 + (seed >> 16) % 300);
    reader.feed(in.substr(pos, n));
    pos += n;
    if (reader.buffered() > 300 + max_line) std::abort();  // one feed plus at most one partial line
    while (auto line = reader.next(max_line)) {
      if (line->too_long) {
        if (!line->text.empty()) std::abort();
        continue;
      }
      if (line->text.size() + 1 > max_line) std::abort();
      if (line->text.find('\n') != std::string_view::npos) std::abort();
      pop3::Command c = pop3::parse_command(line->text);
      if (c.argc > pop3::kMaxArgs || c.text.size() > line->text.size()) std::abort();
      for (std::size_t i = 0; i < c.argc; ++i) {
        if (c.args[i].empty() || c.args[i].find(' ') != std::string_view::npos) std::abort();
        auto n = pop3::parse_message_number(c.args[i]);
        if (n && *n == 0) std::abort();
        (void)pop3::parse_line_count(c.args[i]);
        if (auto d = auth::decode_base64(c.args[i])) {
          if (auth::encode_base64(*d) != c.args[i]) std::abort();  // strict: one spelling per value
          if (auto p = auth::parse_plain(*d)) {
            if (p->authcid.empty() || p->password.empty() || p->authcid.size() > 255) std::abort();
          }
        }
      }
    }
  }
  auto enc = auth::encode_base64(in);
  auto dec = auth::decode_base64(enc);
  if (!dec || *dec != in) std::abort();

  check_stream(in, std::nullopt, 1 + data[0] % 64);
  check_stream(in, data[1] % 8, 1 + data[0] % 17);
  return 0;
}
