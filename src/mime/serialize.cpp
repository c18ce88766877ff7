// Summary (de)serialization; see serialize.h. Layout, version 1:
//   version octet, varint size, octet flags (bit 0: truncated), then the root part:
//   part  = varint mask, varint gap (header_start - previous end), varint header_size, varint body_size,
//           varint body_lines, [type, subtype], [params], [id], [description], [encoding], [md5], [location],
//           [disposition], [disposition params], [language], [envelope], [varint n, n parts]
//   mask  = kind (bits 0-1) | one bit per optional item below, in that order
//   params = varint n, n × (string name, string value); strings = varint length, octets
//   envelope = varint mask (10 bits, ENVELOPE order), the present fields as strings
// "previous end" is the parent's body_start for a first child, the previous sibling's body_end after that, 0 for
// the root. Security: see the header.
#include "mime/serialize.h"

#include <cstdint>

namespace axon::mime {

namespace {

constexpr uint32_t kMaxDepth = 256;

enum Bit : uint32_t {
  kType = 1u << 2, kParams = 1u << 3, kId = 1u << 4, kDescription = 1u << 5, kEncoding = 1u << 6, kMd5 = 1u << 7,
  kLocation = 1u << 8, kDisposition = 1u << 9, kDispositionParams = 1u << 10, kLanguage = 1u << 11,
  kEnvelope = 1u << 12, kChildren = 1u << 13,
};
constexpr uint32_t kKnownBits = (1u << 14) - 1;

using EnvField = std::optional<std::string> Envelope::*;
constexpr EnvField kEnvFields[] = {&Envelope::date, &Envelope::subject, &Envelope::from, &Envelope::sender,
                                   &Envelope::reply_to, &Envelope::to, &Envelope::cc, &Envelope::bcc,
                                   &Envelope::in_reply_to, &Envelope::message_id};

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

void put_params(std::string& out, const std::vector<Param>& params) {
  put_varint(out, params.size());
  for (const auto& p : params) {
    put_string(out, p.name);
    put_string(out, p.value);
  }
}

void put_part(std::string& out, const Part& p, uint64_t prev_end) {
  uint32_t mask = static_cast<uint32_t>(p.kind);
  if (!p.type.empty() || !p.subtype.empty()) mask |= kType;
  if (!p.params.empty()) mask |= kParams;
  if (p.id) mask |= kId;
  if (p.description) mask |= kDescription;
  if (p.encoding) mask |= kEncoding;
  if (p.md5) mask |= kMd5;
  if (p.location) mask |= kLocation;
  if (p.disposition) mask |= kDisposition;
  if (!p.disposition_params.empty()) mask |= kDispositionParams;
  if (!p.language.empty()) mask |= kLanguage;
  if (p.envelope) mask |= kEnvelope;
  if (!p.children.empty()) mask |= kChildren;
  put_varint(out, mask);
  put_varint(out, p.header_start - prev_end);
  put_varint(out, p.header_size());
  put_varint(out, p.body_size());
  put_varint(out, p.body_lines);
  if (mask & kType) {
    put_string(out, p.type);
    put_string(out, p.subtype);
  }
  if (mask & kParams) put_params(out, p.params);
  if (p.id) put_string(out, *p.id);
  if (p.description) put_string(out, *p.description);
  if (p.encoding) put_string(out, *p.encoding);
  if (p.md5) put_string(out, *p.md5);
  if (p.location) put_string(out, *p.location);
  if (p.disposition) put_string(out, *p.disposition);
  if (mask & kDispositionParams) put_params(out, p.disposition_params);
  if (mask & kLanguage) {
    put_varint(out, p.language.size());
    for (const auto& l : p.language) put_string(out, l);
  }
  if (p.envelope) {
    uint32_t env_mask = 0;
    for (std::size_t i = 0; i < std::size(kEnvFields); ++i)
      if ((*p.envelope).*kEnvFields[i]) env_mask |= 1u << i;
    put_varint(out, env_mask);
    for (auto f : kEnvFields)
      if ((*p.envelope).*f) put_string(out, *((*p.envelope).*f));
  }
  if (mask & kChildren) {
    put_varint(out, p.children.size());
    uint64_t prev = p.body_start;
    for (const auto& c : p.children) {
      put_part(out, c, prev);
      prev = c.body_end;
    }
  }
}

class Reader {
 public:
  explicit Reader(std::string_view d) : d_(d) {}

  bool varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= d_.size()) return false;
      const auto b = static_cast<unsigned char>(d_[pos_++]);
      if (shift == 63 && (b & 0x7E) != 0) return false;  // more than 64 bits
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool string(std::string& s) {
    uint64_t n;
    if (!varint(n) || n > d_.size() - pos_) return false;
    s.assign(d_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool opt_string(std::optional<std::string>& s) {
    s.emplace();
    return string(*s);
  }
  // A count of items that take at least `min_size` octets each: never more than the input could hold.
  bool count(uint64_t& n, uint64_t min_size) { return varint(n) && n <= (d_.size() - pos_) / min_size; }
  bool params(std::vector<Param>& out) {
    uint64_t n;
    if (!count(n, 2)) return false;
    out.resize(n);
    for (auto& p : out)
      if (!string(p.name) || !string(p.value)) return false;
    return true;
  }
  bool octet(unsigned char& c) {
    if (pos_ >= d_.size()) return false;
    c = static_cast<unsigned char>(d_[pos_++]);
    return true;
  }
  bool done() const { return pos_ == d_.size(); }

 private:
  std::string_view d_;
  std::size_t pos_ = 0;
};

bool add(uint64_t a, uint64_t b, uint64_t& out) { return !__builtin_add_overflow(a, b, &out); }

// Reads one part whose header starts at or after `prev_end` and which must end by `limit`.
bool get_part(Reader& r, Part& p, uint64_t prev_end, uint64_t limit, uint32_t depth) {
  if (depth > kMaxDepth) return false;
  uint64_t mask, gap, header_size, body_size;
  if (!r.varint(mask) || (mask & ~uint64_t{kKnownBits}) != 0 || (mask & 3) > 2) return false;
  if (!r.varint(gap) || !r.varint(header_size) || !r.varint(body_size) || !r.varint(p.body_lines)) return false;
  if (!add(prev_end, gap, p.header_start) || !add(p.header_start, header_size, p.body_start) ||
      !add(p.body_start, body_size, p.body_end) || p.body_end > limit || p.body_lines > body_size)
    return false;
  p.kind = static_cast<PartKind>(mask & 3);
  if ((mask & kType) && (!r.string(p.type) || !r.string(p.subtype))) return false;
  if ((mask & kParams) && !r.params(p.params)) return false;
  if ((mask & kId) && !r.opt_string(p.id)) return false;
  if ((mask & kDescription) && !r.opt_string(p.description)) return false;
  if ((mask & kEncoding) && !r.opt_string(p.encoding)) return false;
  if ((mask & kMd5) && !r.opt_string(p.md5)) return false;
  if ((mask & kLocation) && !r.opt_string(p.location)) return false;
  if ((mask & kDisposition) && !r.opt_string(p.disposition)) return false;
  if ((mask & kDispositionParams) && !r.params(p.disposition_params)) return false;
  if (mask & kLanguage) {
    uint64_t n;
    if (!r.count(n, 1)) return false;
    p.language.resize(n);
    for (auto& l : p.language)
      if (!r.string(l)) return false;
  }
  if (mask & kEnvelope) {
    uint64_t env_mask;
    if (!r.varint(env_mask) || env_mask >= (1u << std::size(kEnvFields))) return false;
    p.envelope.emplace();
    for (std::size_t i = 0; i < std::size(kEnvFields); ++i)
      if ((env_mask & (1u << i)) && !r.opt_string((*p.envelope).*kEnvFields[i])) return false;
  }
  if (mask & kChildren) {
    if (p.kind == PartKind::leaf) return false;
    uint64_t n;
    if (!r.count(n, 5)) return false;
    p.children.resize(n);
    uint64_t prev = p.body_start;
    for (auto& c : p.children) {
      if (!get_part(r, c, prev, p.body_end, depth + 1)) return false;
      prev = c.body_end;
    }
  }
  if (p.kind == PartKind::message) {
    // The enclosed message is exactly this part's body.
    if (p.children.size() != 1 || p.children[0].header_start != p.body_start ||
        p.children[0].body_end != p.body_end)
      return false;
  }
  return true;
}

}  // namespace

std::string serialize(const Summary& s) {
  std::string out;
  out.push_back(static_cast<char>(kSummaryVersion));
  put_varint(out, s.size);
  out.push_back(static_cast<char>(s.truncated ? 1 : 0));
  put_part(out, s.root, 0);
  return out;
}

core::Result<Summary> deserialize(std::string_view data) {
  auto bad = [](const char* what) { return core::make_error(core::Errc::invalid, what); };
  Reader r(data);
  unsigned char version, flags;
  if (!r.octet(version)) return bad("mime summary: empty");
  if (version != kSummaryVersion) return bad("mime summary: unknown version");
  Summary s;
  if (!r.varint(s.size) || !r.octet(flags) || flags > 1) return bad("mime summary: bad header");
  s.truncated = flags == 1;
  if (!get_part(r, s.root, 0, s.size, 0)) return bad("mime summary: bad part");
  if (s.root.header_start != 0 || s.root.body_end != s.size) return bad("mime summary: root does not span");
  if (!r.done()) return bad("mime summary: trailing octets");
  return s;
}

}  // namespace axon::mime
