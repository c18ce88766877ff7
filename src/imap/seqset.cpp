// Sequence sets: RFC 9051 §9 (sequence-set, seq-number, seq-range, nz-number), §6.4.8 ("*" and ranges in UID
// commands); RFC 5182 §2 ("$"). Security: untrusted input; at most max_elements elements are kept, resolution
// sorts and merges ranges and never enumerates messages.
#include "imap/seqset.h"

#include <algorithm>

namespace axon::imap {

namespace {

// seq-number = nz-number / "*"; nz-number = digit-nz *DIGIT, at most 4294967295 (RFC 9051 §9 number).
bool parse_seq_number(std::string_view s, uint32_t& out, std::string& why) {
  if (s.empty()) {
    why = "Invalid sequence set: empty element";
    return false;
  }
  if (s == "*") {
    out = SequenceSet::kStar;
    return true;
  }
  if (s[0] == '0') {
    why = "Invalid sequence set: numbers start at 1";
    return false;
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      why = "Invalid sequence set";
      return false;
    }
    v = v * 10 + static_cast<unsigned>(c - '0');
    if (v > 0xFFFFFFFFu) {
      why = "Invalid sequence set: number too big";
      return false;
    }
  }
  out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

core::Expected<SequenceSet, std::string> SequenceSet::parse(std::string_view s, std::size_t max_elements) {
  SequenceSet set;
  if (s.empty()) return std::string("Missing sequence set");
  std::string why;
  while (true) {
    std::size_t comma = s.find(',');
    std::string_view elem = s.substr(0, comma);
    if (elem == "$") {
      set.saved_ = true;  // RFC 5182: seq-last-command
    } else {
      if (set.elements_.size() >= max_elements) return std::string("Too many elements in sequence set");
      std::size_t colon = elem.find(':');
      uint32_t a = 0, b = 0;
      if (!parse_seq_number(elem.substr(0, colon), a, why)) return why;
      b = a;
      if (colon != std::string_view::npos && !parse_seq_number(elem.substr(colon + 1), b, why)) return why;
      set.add(a, b);
    }
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return set;
}

void SequenceSet::add(uint32_t a, uint32_t b) {
  elements_.push_back({a, b});
  if (a == kStar || b == kStar) star_ = true;
  max_ = std::max({max_, a, b});
}

std::vector<Range> SequenceSet::resolve(uint32_t max, std::span<const Range> saved) const {
  std::vector<Range> out;
  if (max == 0) return out;
  out.reserve(elements_.size() + (saved_ ? saved.size() : 0));
  for (const Element& e : elements_) {
    uint32_t a = e.a == kStar ? max : e.a;
    uint32_t b = e.b == kStar ? max : e.b;
    if (a > b) std::swap(a, b);
    if (a > max) continue;
    out.push_back({a, std::min(b, max)});
  }
  if (saved_)
    for (const Range& r : saved)
      if (r.first <= max && r.first <= r.last) out.push_back({r.first, std::min(r.last, max)});
  return normalize(std::move(out));
}

std::vector<Range> normalize(std::vector<Range> ranges) {
  for (Range& r : ranges)
    if (r.first > r.last) std::swap(r.first, r.last);
  std::sort(ranges.begin(), ranges.end(), [](const Range& x, const Range& y) { return x.first < y.first; });
  std::vector<Range> out;
  out.reserve(ranges.size());
  for (const Range& r : ranges) {
    if (!out.empty() && static_cast<uint64_t>(r.first) <= static_cast<uint64_t>(out.back().last) + 1) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<Range> to_ranges(std::span<const uint32_t> numbers) {
  std::vector<Range> r;
  r.reserve(numbers.size());
  for (uint32_t n : numbers) r.push_back({n, n});
  return normalize(std::move(r));
}

bool contains(std::span<const Range> sorted, uint32_t n) {
  auto it = std::upper_bound(sorted.begin(), sorted.end(), n, [](uint32_t v, const Range& r) { return v < r.first; });
  return it != sorted.begin() && std::prev(it)->last >= n;
}

uint64_t count(std::span<const Range> ranges) {
  uint64_t n = 0;
  for (const Range& r : ranges) n += static_cast<uint64_t>(r.last) - r.first + 1;
  return n;
}

namespace {
void append_range(std::string& out, uint32_t a, uint32_t b) {
  if (!out.empty()) out += ',';
  out += std::to_string(a);
  if (b != a) {
    out += ':';
    out += std::to_string(b);
  }
}
}  // namespace

std::string format_ranges(std::span<const Range> ranges) {
  std::string out;
  for (const Range& r : ranges) append_range(out, r.first, r.last);
  return out;
}

std::string format_numbers(std::span<const uint32_t> numbers) {
  std::string out;
  std::size_t i = 0;
  while (i < numbers.size()) {
    std::size_t j = i;
    while (j + 1 < numbers.size() && numbers[j] != 0xFFFFFFFFu && numbers[j + 1] == numbers[j] + 1) ++j;
    append_range(out, numbers[i], numbers[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace axon::imap
