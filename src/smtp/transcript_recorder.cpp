// SMTP communication log events (see transcript_recorder.h). RFC 4954 §4: AUTH mechanism [initial-response].
#include "smtp/transcript_recorder.h"

#include <utility>

namespace axon::smtp {

void TranscriptRecorder::client(std::string_view line, const CommandLine& cmd) {
  if (!on_) return;
  TranscriptEvent e{TranscriptEvent::Kind::client, std::string(line), 0};
  if (cmd.verb == Verb::auth) {
    // Keep the verb and the mechanism; an initial response is a credential (RFC 4954 §4).
    std::string_view mech = cmd.arg.substr(0, cmd.arg.find(' '));
    if (mech.size() < cmd.arg.size()) {
      std::size_t keep = static_cast<std::size_t>(cmd.arg.data() - line.data()) + mech.size();
      e.text = std::string(line.substr(0, keep)) + " ***";
    }
  }
  events_.push_back(std::move(e));
}

void TranscriptRecorder::server(std::string_view rendered) {
  if (!on_) return;
  end_data();  // a reply in the middle of data (421 on timeout or shutdown) comes after what was read
  while (!rendered.empty()) {
    std::size_t eol = rendered.find("\r\n");
    std::string_view line = rendered.substr(0, eol);
    events_.push_back({TranscriptEvent::Kind::server, std::string(line), 0});
    rendered.remove_prefix(eol == std::string_view::npos ? rendered.size() : eol + 2);
  }
}

void TranscriptRecorder::begin_data() {
  if (on_) data_ = 0;
}

void TranscriptRecorder::data(uint64_t octets) {
  if (data_) *data_ += octets;
}

void TranscriptRecorder::end_data() {
  if (!data_) return;
  uint64_t n = std::exchange(data_, std::nullopt).value();
  std::string text = std::to_string(n);  // (appended, not concatenated: GCC 12 warns wrongly on "[" + ...)
  text.insert(0, 1, '[');
  text += " octets of message data]";
  events_.push_back({TranscriptEvent::Kind::data, std::move(text), n});
}

void TranscriptRecorder::note(std::string text) {
  if (on_) events_.push_back({TranscriptEvent::Kind::note, std::move(text), 0});
}

}  // namespace axon::smtp
