// Helpers shared by the MIME tests: parsing whole, in chunks, and reading corpus files.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "mime/parser.h"

namespace axon::mime::test {

inline Summary parse(std::string_view msg, Limits limits = {}) {
  Parser p(limits);
  p.feed(msg);
  return p.finish();
}

// Feeds the message cut at the given offsets (sorted, within the message).
inline Summary parse_cut(std::string_view msg, const std::vector<std::size_t>& cuts, Limits limits = {}) {
  Parser p(limits);
  std::size_t start = 0;
  for (std::size_t c : cuts) {
    p.feed(msg.substr(start, c - start));
    start = c;
  }
  p.feed(msg.substr(start));
  return p.finish();
}

inline Summary parse_chunks(std::string_view msg, std::size_t chunk, Limits limits = {}) {
  Parser p(limits);
  for (std::size_t i = 0; i < msg.size(); i += chunk) p.feed(msg.substr(i, chunk));
  return p.finish();
}

// "\n" line ends made "\r\n" (test messages are written with "\n").
inline std::string crlf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string slice(std::string_view msg, uint64_t from, uint64_t to) {
  return std::string(msg.substr(from, to - from));
}

}  // namespace axon::mime::test
