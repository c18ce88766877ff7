// Test helpers: see wire.h.
#include "wire.h"

#include <gtest/gtest.h>

namespace axon::imap::test {

std::string refusal_name(Refusal r) {
  switch (r) {
    case Refusal::none: return "none";
    case Refusal::line_too_long: return "line_too_long";
    case Refusal::command_too_big: return "command_too_big";
    case Refusal::message_too_big: return "message_too_big";
    case Refusal::too_many_literals: return "too_many_literals";
    case Refusal::literal_minus: return "literal_minus";
  }
  return "?";
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  return true;
}

struct Recorder {
  Framer framer;
  Recording rec;
  std::vector<std::string> streamed;
  std::string data;

  explicit Recorder(const FramerLimits& l) : framer(l) {}

  void flush_data() {
    if (!data.empty()) rec.frames.push_back("D" + data);
    data.clear();
  }

  void feed(std::string_view in) {
    while (true) {
      Frame f = framer.next(in);
      if (f.kind != FrameKind::literal_data && f.kind != FrameKind::need_more) flush_data();
      switch (f.kind) {
        case FrameKind::need_more:
          EXPECT_TRUE(in.empty());
          return;
        case FrameKind::command: {
          rec.frames.push_back("C " + framer.command().text);
          rec.commands.push_back(framer.command());
          rec.streamed.push_back(std::move(streamed));
          streamed.clear();
          std::string_view t = framer.command().text;
          auto sp = t.find(' ');
          std::string_view name = sp == std::string_view::npos ? "" : t.substr(sp + 1);
          if (name.size() == 4 && iequals(name, "IDLE")) framer.expect_idle();
          if (name.size() > 13 && iequals(name.substr(0, 13), "AUTHENTICATE ") &&
              name.find(' ', 13) == std::string_view::npos)
            framer.expect_auth_line();
          break;
        }
        case FrameKind::continuation:
          rec.frames.push_back("+" + std::to_string(f.literal.size));
          break;
        case FrameKind::literal_begin:
          rec.frames.push_back("B" + std::to_string(f.literal.stream_index) + ":" + std::to_string(f.literal.size));
          streamed.emplace_back();
          break;
        case FrameKind::literal_data:
          data.append(f.data);
          streamed.back().append(f.data);
          break;
        case FrameKind::literal_end:
          rec.frames.push_back("E" + std::to_string(f.literal.stream_index) + (f.nul ? "!" : ""));
          break;
        case FrameKind::refused:
          rec.frames.push_back("R" + refusal_name(f.refusal) + " " + std::string(f.tag) + (f.fatal ? "!" : ""));
          streamed.clear();
          break;
        case FrameKind::idle_done: rec.frames.push_back("I"); break;
        case FrameKind::idle_other: rec.frames.push_back("i" + std::string(f.data)); break;
        case FrameKind::auth_line: rec.frames.push_back("A" + std::string(f.data)); break;
        case FrameKind::auth_cancel: rec.frames.push_back("X"); break;
      }
    }
  }
};

}  // namespace

Recording record(std::string_view wire, std::size_t chunk, const FramerLimits& limits, std::size_t split) {
  Recorder r(limits);
  if (split != std::string_view::npos) {
    r.feed(wire.substr(0, split));
    r.feed(wire.substr(split));
  } else if (chunk == 0) {
    r.feed(wire);
  } else {
    for (std::size_t i = 0; i < wire.size(); i += chunk) r.feed(wire.substr(i, chunk));
  }
  r.flush_data();
  return std::move(r.rec);
}

Parsed parse_wire(std::string_view wire, const ParseOptions& opt, const FramerLimits& limits) {
  Recording whole = record(wire, 0, limits);
  Recording bytes = record(wire, 1, limits);
  EXPECT_EQ(whole.frames, bytes.frames) << wire;
  if (whole.commands.size() != 1) {
    ADD_FAILURE() << "expected one command from: " << wire;
    return ParseError{"", "no command"};
  }
  Parsed p = parse_command(whole.commands[0], opt);
  Parsed q = parse_command(bytes.commands.at(0), opt);
  EXPECT_EQ(p.ok(), q.ok()) << wire;
  if (p.ok() && q.ok()) {
    EXPECT_TRUE(*p == *q) << wire;
  }
  if (!p.ok() && !q.ok()) {
    EXPECT_EQ(p.error().reason, q.error().reason) << wire;
  }
  return p;
}

Command ok(std::string_view line, const ParseOptions& opt) {
  Parsed p = parse_wire(std::string(line) + "\r\n", opt);
  if (!p.ok()) {
    ADD_FAILURE() << line << " -> BAD " << p.error().reason;
    return {};
  }
  return std::move(*p);
}

std::string bad(std::string_view line, const ParseOptions& opt) {
  Parsed p = parse_wire(std::string(line) + "\r\n", opt);
  if (p.ok()) {
    ADD_FAILURE() << line << " parsed, expected BAD";
    return {};
  }
  return p.error().reason;
}

}  // namespace axon::imap::test
