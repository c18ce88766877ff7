// Section addressing and header field filtering; see section.h. RFC 9051 §6.4.5 (section-spec semantics),
// RFC 5322 §2.2 (a field and its continuation lines).
// Security: client-chosen part numbers (bounded by the tree walk); untrusted header octets in the filter.
#include "mime/section.h"

#include "mime/header_fields.h"

namespace axon::mime {

namespace {

ByteRange header_of(const Part& p) { return {p.header_start, p.header_size()}; }
ByteRange body_of(const Part& p) { return {p.body_start, p.body_size()}; }

bool is_message(const Part& p) { return p.kind == PartKind::message && p.children.size() == 1; }

}  // namespace

const Part* find_part(const Summary& s, const std::vector<uint32_t>& path) {
  const Part* part = &s.root;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const uint32_t n = path[i];
    if (n == 0) return nullptr;
    if (part->kind == PartKind::multipart) {
      if (n > part->children.size()) return nullptr;
      part = &part->children[n - 1];
    } else if (n != 1 || (i + 1 < path.size() && !is_message(*part))) {
      // Only 1 in a part that is not multipart; going deeper needs a message/rfc822.
      return nullptr;
    }
    // Numbers after a message/rfc822 part continue in the enclosed message.
    if (i + 1 < path.size() && is_message(*part)) part = &part->children.front();
  }
  return part;
}

std::optional<ByteRange> section_range(const Summary& s, const SectionSpec& spec) {
  using Kind = SectionSpec::Kind;
  if (spec.part.empty()) {
    switch (spec.kind) {
      case Kind::full: return ByteRange{0, s.size};
      case Kind::header:
      case Kind::header_fields:
      case Kind::header_fields_not: return header_of(s.root);
      case Kind::text: return body_of(s.root);
      case Kind::mime: return std::nullopt;
    }
    return std::nullopt;
  }
  const Part* part = find_part(s, spec.part);
  if (part == nullptr) return std::nullopt;
  switch (spec.kind) {
    case Kind::full: return body_of(*part);
    case Kind::mime: return header_of(*part);
    case Kind::header:
    case Kind::header_fields:
    case Kind::header_fields_not:
      if (!is_message(*part)) return std::nullopt;
      return header_of(part->children.front());
    case Kind::text:
      if (!is_message(*part)) return std::nullopt;
      return body_of(part->children.front());
  }
  return std::nullopt;
}

std::string filter_header_fields(std::string_view header, const std::vector<std::string>& fields, bool not_) {
  std::string out;
  bool keep = false;  // the current field is selected
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t lf = header.find('\n', pos);
    const std::size_t next = lf == std::string_view::npos ? header.size() : lf + 1;
    std::string_view line = header.substr(pos, (lf == std::string_view::npos ? header.size() : lf) - pos);
    pos = next;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the blank line ends the header
    if (line[0] != ' ' && line[0] != '\t') {
      const std::string_view name = split_field(line).name;
      bool listed = false;
      for (const auto& f : fields) {
        if (iequals_ascii(name, f)) {
          listed = true;
          break;
        }
      }
      keep = listed != not_;
    }
    if (keep) {
      out.append(line);
      out += "\r\n";
    }
  }
  out += "\r\n";
  return out;
}

}  // namespace axon::mime
