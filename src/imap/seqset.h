// IMAP sequence sets (RFC 9051 §9 sequence-set, seq-range; RFC 5182 "$" SEARCHRES): parsing of "1:5,7,9:*,$",
// resolution against the current message count or highest UID (RFC 9051 §9: "*" is the largest number in use,
// and "n:*" with n above it still means the range up to it), and compact formatting of number sets for COPYUID,
// APPENDUID (RFC 4315), VANISHED (RFC 7162) and ESEARCH (RFC 4731): "1:3,5".
// Security: parses untrusted bytes (after authentication, but also fuzzed); the number of elements is bounded by
// the caller's limit, and nothing is ever expanded to one entry per message.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace axon::imap {

// A closed range of message numbers or UIDs, first <= last.
struct Range {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const Range&) const = default;
};

class SequenceSet {
 public:
  static constexpr uint32_t kStar = 0;  // "*" in an element as written (0 is never a valid nz-number)

  // One element as written: "a" (a == b), "a:b" (maybe a > b), with kStar for "*".
  struct Element {
    uint32_t a = 0;
    uint32_t b = 0;
    bool operator==(const Element&) const = default;
  };

  // Parses a whole sequence-set token. Refuses (with a reason for "BAD") an empty element, 0, a number above
  // 4294967295 or with a leading zero, "1:", ":1", "*:" and more than `max_elements` elements.
  static core::Expected<SequenceSet, std::string> parse(std::string_view s, std::size_t max_elements);

  const std::vector<Element>& elements() const { return elements_; }
  bool has_saved() const { return saved_; }  // "$": the saved search result (RFC 5182) is part of the set
  bool has_star() const { return star_; }
  // The largest number written (ignoring "*"); 0 when none. Sequence-number commands compare it with the
  // message count: RFC 9051 §9 makes a number above it an error.
  uint32_t max_number() const { return max_; }

  // The set as sorted, merged ranges within 1..max. "*" stands for max; "n:*" with n > max is max:n (so it still
  // contains max, RFC 9051 §6.4.8); numbers above max are dropped. `saved` is the saved search result (ranges in
  // the same numbering) and is used only when the set has "$". max == 0 (empty mailbox) gives nothing.
  std::vector<Range> resolve(uint32_t max, std::span<const Range> saved = {}) const;

  // For building sets in code (tests, the session).
  void add(uint32_t a, uint32_t b);
  void add_saved() { saved_ = true; }

  bool operator==(const SequenceSet&) const = default;

 private:
  std::vector<Element> elements_;
  uint32_t max_ = 0;
  bool saved_ = false;
  bool star_ = false;
};

// Sorts and merges ranges (adjacent ranges join: 1:2,3:4 is 1:4).
std::vector<Range> normalize(std::vector<Range> ranges);
// Ranges of a set of numbers, sorted and merged.
std::vector<Range> to_ranges(std::span<const uint32_t> numbers);
bool contains(std::span<const Range> sorted, uint32_t n);
uint64_t count(std::span<const Range> ranges);  // numbers in normalized ranges

// "1:3,5" from ranges as given (no sorting); an empty span gives "".
std::string format_ranges(std::span<const Range> ranges);
// Numbers in the order given, each ascending run of consecutive numbers collapsed: [1,2,3,5] -> "1:3,5",
// [3,1] -> "3,1". The order is kept because COPYUID's source and destination sets correspond element by element.
std::string format_numbers(std::span<const uint32_t> numbers);

}  // namespace axon::imap
