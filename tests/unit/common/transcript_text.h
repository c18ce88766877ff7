// Text helpers the protocol transcript runners share: escapes in transcript files, the "*" wildcard of expected
// lines, and a printable form of octets for failure messages.
#pragma once

#include <string>
#include <string_view>

namespace axon::test {

// \r \n \t \0 \xHH and \<c> (c itself).
inline std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'r': out.push_back('\r'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case '0': out.push_back('\0'); break;
      case 'x':
        if (i + 2 < s.size()) {
          out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
          i += 2;
        }
        break;
      default: out.push_back(c);
    }
  }
  return out;
}

// "*" matches any run of octets; everything else matches itself.
inline bool glob_match(std::string_view p, std::string_view s) {
  if (p.empty()) return s.empty();
  if (p.front() == '*') {
    for (std::size_t i = 0; i <= s.size(); ++i)
      if (glob_match(p.substr(1), s.substr(i))) return true;
    return false;
  }
  return !s.empty() && p.front() == s.front() && glob_match(p.substr(1), s.substr(1));
}

// CR, LF as \r \n; other control and 8-bit octets as \xHH.
inline std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c < 32 || c >= 127) out += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
    else out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace axon::test
