// Test helpers for the IMAP syntax layer: run the framer over wire text (whole, byte by byte, or split at a
// given point) and record what it reports; frame and parse one command the way a session would.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "imap/framer.h"
#include "imap/parser.h"

namespace axon::imap::test {

// What the framer reported, one line per frame with consecutive literal_data merged:
//   "C <text>" command (literal octets shown as they are, streamed ones absent), "+<n>" continuation,
//   "B<i>:<n>" literal_begin, "D<data>" literal data, "E<i>" literal_end ("E<i>!" with a NUL),
//   "R<refusal> <tag>" refused (with "!" when fatal), "I" idle_done, "i<line>" idle_other, "A<line>" auth_line,
//   "X" auth_cancel.
struct Recording {
  std::vector<std::string> frames;
  std::vector<FramedCommand> commands;
  std::vector<std::vector<std::string>> streamed;  // per command: the octets of each streamed literal
};

// Feeds `wire` in pieces: chunk == 0 whole, else `chunk` octets at a time; `split` (when not npos) feeds the
// first `split` octets, then the rest. Modes: a command whose name is IDLE makes the next line an IDLE end;
// AUTHENTICATE without an initial response makes the next line a SASL line (as a session would).
Recording record(std::string_view wire, std::size_t chunk = 0, const FramerLimits& limits = {},
                 std::size_t split = std::string_view::npos);

// Frames `wire` (one command, literals inline, continuations answered) and parses it. The same input is also
// framed byte by byte and must give the same result (checked with gtest expectations).
Parsed parse_wire(std::string_view wire, const ParseOptions& opt = {}, const FramerLimits& limits = {});

// parse_wire(wire + "\r\n"), expecting success; returns the command (or a default one after a test failure).
Command ok(std::string_view line, const ParseOptions& opt = {});
// parse_wire(line + "\r\n"), expecting failure; returns the reason.
std::string bad(std::string_view line, const ParseOptions& opt = {});

std::string refusal_name(Refusal r);

}  // namespace axon::imap::test
