// Streaming MIME parser; see parser.h. RFC 5322 §2.2 (header fields, folding §2.2.3), RFC 2045 §4 (MIME-Version),
// RFC 2046 §5.1.1 (boundaries, the CRLF before a boundary belongs to it), §5.1.5 (multipart/digest defaults to
// message/rfc822), §5.2.1 (message/rfc822), RFC 6532 §3.5 (message/global).
// Security: untrusted message octets. Bodies are never copied; the only buffers are one header line (capped at
// max_header_bytes), the start of one body line (max_boundary + 4), the kept fields (max_header_bytes per part,
// max_total_header_bytes in all, plus type, subtype and boundary of each part, at most kMaxToken and
// max_boundary) and the part table (max_parts). Every octet is looked at a constant number of times (memchr).
#include "mime/parser.h"

#include <algorithm>
#include <cstring>

#include "mime/header_fields.h"

namespace axon::mime {

namespace {

constexpr uint32_t kMaxDepthLimit = 256;
constexpr uint32_t kMaxBoundaryLimit = 998;
// A longer Content-Type type or subtype is malformed (registered names are at most 127, RFC 6838 §4.2).
constexpr std::size_t kMaxToken = 255;

enum class Field : uint8_t {
  other, content_type, content_transfer_encoding, content_id, content_description, content_md5,
  content_disposition, content_language, content_location, mime_version,
  date, subject, from, sender, reply_to, to, cc, bcc, in_reply_to, message_id,
};

struct FieldName {
  std::string_view name;
  Field field;
};

constexpr FieldName kFields[] = {
    {"Content-Type", Field::content_type},
    {"Content-Transfer-Encoding", Field::content_transfer_encoding},
    {"Content-ID", Field::content_id},
    {"Content-Description", Field::content_description},
    {"Content-MD5", Field::content_md5},
    {"Content-Disposition", Field::content_disposition},
    {"Content-Language", Field::content_language},
    {"Content-Location", Field::content_location},
    {"MIME-Version", Field::mime_version},
    {"Date", Field::date},
    {"Subject", Field::subject},
    {"From", Field::from},
    {"Sender", Field::sender},
    {"Reply-To", Field::reply_to},
    {"To", Field::to},
    {"Cc", Field::cc},
    {"Bcc", Field::bcc},
    {"In-Reply-To", Field::in_reply_to},
    {"Message-ID", Field::message_id},
};

Field classify(std::string_view name) {
  for (const auto& f : kFields)
    if (iequals_ascii(name, f.name)) return f.field;
  return Field::other;
}

bool is_envelope_field(Field f) { return f >= Field::date; }

// Line feeds in [p, end). memchr is vectorized in libc; std::count is not always by the compiler.
std::size_t count_lf(const char* p, const char* end) {
  std::size_t n = 0;
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr) {
    ++n;
    ++p;
  }
  return n;
}

}  // namespace

struct Parser::Node {
  Part part;
  int32_t parent = -1;
  uint32_t depth = 0;
  uint64_t lf_at_body = 0;  // lf_count_ where the body starts
  uint64_t kept = 0;        // header octets kept in fields
  bool type_only = false;   // the Content-Type came past the total budget: keep no parameters but the boundary
  std::string boundary;     // multipart: the (cut) boundary
  bool message_level = false;  // the top level or the message inside a message part: has an envelope
  bool is_mime = false;     // MIME-Version or Content-Type seen, or a body part of a multipart (RFC 2045 §4)
  bool in_multipart = false;
  bool has_type = false;    // the first Content-Type counts
  bool digest = false;      // multipart/digest
  bool header_done = false;
};

Parser::Parser(Limits limits) : limits_(limits) {
  limits_.max_depth = std::clamp<uint32_t>(limits_.max_depth, 1, kMaxDepthLimit);
  limits_.max_parts = std::max<uint32_t>(limits_.max_parts, 1);
  limits_.max_boundary = std::clamp<uint32_t>(limits_.max_boundary, 1, kMaxBoundaryLimit);
  limits_.max_header_bytes = std::max<uint32_t>(limits_.max_header_bytes, limits_.max_boundary + 4);
  open_node(0, true, false);
}

Parser::~Parser() = default;
Parser::Parser(Parser&&) noexcept = default;
Parser& Parser::operator=(Parser&&) noexcept = default;

// ---- Driving -------------------------------------------------------------------------------------------------

void Parser::feed(std::string_view chunk) {
  if (finished_) return;
  const char* p = chunk.data();
  const char* end = p + chunk.size();
  while (p < end) p = state_ == State::header ? header_bytes(p, end) : body_bytes(p, end);
}

Summary Parser::finish() {
  finished_ = true;
  if (state_ == State::header && !at_line_start_) {
    // The last header line has no line end.
    uint64_t len = offset_ - line_start_;
    std::string_view content(line_);
    bool cut = len > content.size();
    at_line_start_ = true;
    header_line(content, 0, cut);
  } else if (state_ == State::body && in_head_) {
    in_head_ = false;
    if (!check_boundary(head_, 0)) first_line_ = false;
  }
  if (state_ == State::header) finish_field();
  while (!open_.empty()) close_node(offset_, lf_count_);

  std::vector<std::vector<uint32_t>> children(nodes_.size());
  for (uint32_t i = 1; i < nodes_.size(); ++i) children[static_cast<uint32_t>(nodes_[i].parent)].push_back(i);
  Summary s;
  s.root = build(0, children);
  s.size = offset_;
  s.truncated = truncated_;
  return s;
}

Part Parser::build(uint32_t index, std::vector<std::vector<uint32_t>>& children) {
  Part p = std::move(nodes_[index].part);
  p.children.reserve(children[index].size());
  for (uint32_t c : children[index]) p.children.push_back(build(c, children));
  return p;
}

// ---- Header --------------------------------------------------------------------------------------------------

const char* Parser::header_bytes(const char* p, const char* end) {
  if (at_line_start_) {
    line_start_ = offset_;
    line_lf_ = lf_count_;
    at_line_start_ = false;
    line_.clear();
  }
  const char* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
  const std::size_t cap = limits_.max_header_bytes;
  if (lf == nullptr) {
    // Part of a line: keep up to the cap.
    std::size_t n = static_cast<std::size_t>(end - p);
    if (line_.size() < cap) line_.append(p, std::min(n, cap - line_.size()));
    offset_ += n;
    last_cr_ = end[-1] == '\r';
    return end;
  }
  const bool whole = offset_ == line_start_;  // the line starts in this chunk
  const bool cr = lf > p ? lf[-1] == '\r' : last_cr_;
  offset_ += static_cast<uint64_t>(lf + 1 - p);
  ++lf_count_;
  last_cr_ = false;
  const uint64_t content_len = offset_ - line_start_ - 1 - (cr ? 1 : 0);
  std::string_view content;
  if (whole) {
    content = std::string_view(p, static_cast<std::size_t>(content_len));
  } else {
    if (line_.size() < cap) line_.append(p, std::min(static_cast<std::size_t>(lf - p), cap - line_.size()));
    content = std::string_view(line_).substr(0, std::min<uint64_t>(content_len, line_.size()));
  }
  bool cut = content_len > cap;
  if (content.size() > cap) content = content.substr(0, cap);
  at_line_start_ = true;
  header_line(content, cr ? 2 : 1, cut);
  return lf + 1;
}

void Parser::header_line(std::string_view content, uint8_t eol, bool cut) {
  if (check_boundary(content, eol)) return;
  if (content.empty() && eol > 0) {
    finish_field();
    end_of_header(offset_);
    return;
  }
  if (!content.empty()) {
    if (content[0] == ' ' || content[0] == '\t') {
      continue_field(content, cut);
    } else {
      finish_field();
      start_field(content, cut);
    }
  }
  first_line_ = false;
  prev_eol_ = eol;
}

void Parser::start_field(std::string_view line, bool cut) {
  Node& n = nodes_[open_.back()];
  FieldSplit f = split_field(line);
  field_open_ = true;
  field_keep_ = false;
  if (!f.value) return;
  Field kind = classify(f.name);
  if (kind == Field::other || (is_envelope_field(kind) && !n.message_level)) return;
  if (cut || over_budget(n, line.size(), kind == Field::content_type)) {
    truncated_ = true;
    return;
  }
  field_keep_ = true;
  field_name_.assign(f.name);
  field_value_.assign(trim_value_start(*f.value));
}

void Parser::continue_field(std::string_view line, bool cut) {
  // RFC 5322 §2.2.3: unfolding removes the line end, the white space that starts the next line stays (a TAB
  // there becomes a space, as Dovecot shows it).
  if (!field_open_ || !field_keep_) return;
  Node& n = nodes_[open_.back()];
  const bool content_type = iequals_ascii(field_name_, "Content-Type");
  if (cut || over_budget(n, field_name_.size() + field_value_.size() + line.size(), content_type)) {
    field_keep_ = false;
    truncated_ = true;
    return;
  }
  field_value_.push_back(' ');
  field_value_.append(line.substr(1));
}

bool Parser::over_budget(const Node& n, uint64_t more, bool content_type) const {
  if (n.kept + more > limits_.max_header_bytes) return true;
  // Past the message's budget a Content-Type is still read (for the structure), just not kept whole.
  return !content_type && total_kept_ + more > limits_.max_total_header_bytes;
}

void Parser::finish_field() {
  if (field_open_ && field_keep_) {
    Node& n = nodes_[open_.back()];
    const uint64_t size = field_name_.size() + field_value_.size();
    n.kept += size;
    if (iequals_ascii(field_name_, "Content-Type") && total_kept_ + size > limits_.max_total_header_bytes) {
      n.type_only = true;
      truncated_ = true;
    } else {
      total_kept_ += size;
    }
    take_field(n, field_name_, field_value_);
  }
  field_open_ = false;
  field_keep_ = false;
}

void Parser::take_field(Node& n, std::string_view name, std::string_view value) {
  Part& p = n.part;
  auto set_first = [&](std::optional<std::string>& slot) {
    if (!slot) slot.emplace(value);
  };
  switch (classify(name)) {
    case Field::content_type:
      // Like Dovecot (non-strict): a Content-Type makes the part MIME even without MIME-Version.
      if (n.has_type) break;
      n.has_type = true;
      n.is_mime = true;
      if (auto ct = parse_content_type(value); ct && ct->type.size() <= kMaxToken && ct->subtype.size() <= kMaxToken) {
        p.type = std::move(ct->type);
        p.subtype = std::move(ct->subtype);
        p.params = std::move(ct->params);
      }
      break;
    case Field::content_transfer_encoding:
      if (!p.encoding) p.encoding = parse_transfer_encoding(value);
      break;
    case Field::content_id: set_first(p.id); break;
    case Field::content_description: set_first(p.description); break;
    case Field::content_md5: set_first(p.md5); break;
    case Field::content_location: set_first(p.location); break;
    case Field::content_disposition:
      if (!p.disposition) {
        if (auto d = parse_content_disposition(value)) {
          p.disposition = std::move(d->value);
          p.disposition_params = std::move(d->params);
        }
      }
      break;
    case Field::content_language:
      if (p.language.empty()) p.language = parse_content_language(value);
      break;
    case Field::mime_version: n.is_mime = true; break;
    // The envelope keeps the last occurrence of each field (as Dovecot does).
    case Field::date: p.envelope->date.emplace(value); break;
    case Field::subject: p.envelope->subject.emplace(value); break;
    case Field::from: p.envelope->from.emplace(value); break;
    case Field::sender: p.envelope->sender.emplace(value); break;
    case Field::reply_to: p.envelope->reply_to.emplace(value); break;
    case Field::to: p.envelope->to.emplace(value); break;
    case Field::cc: p.envelope->cc.emplace(value); break;
    case Field::bcc: p.envelope->bcc.emplace(value); break;
    case Field::in_reply_to: p.envelope->in_reply_to.emplace(value); break;
    case Field::message_id: p.envelope->message_id.emplace(value); break;
    case Field::other: break;
  }
}

// ---- Parts ---------------------------------------------------------------------------------------------------

uint32_t Parser::open_node(uint64_t header_start, bool message_level, bool in_multipart) {
  Node n;
  n.part.header_start = n.part.body_start = n.part.body_end = header_start;
  if (!open_.empty()) {
    n.parent = static_cast<int32_t>(open_.back());
    n.depth = nodes_[open_.back()].depth + 1;
  }
  n.message_level = message_level;
  n.in_multipart = in_multipart;
  n.is_mime = in_multipart;
  if (message_level) n.part.envelope.emplace();
  auto index = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back(std::move(n));
  open_.push_back(index);
  begin_region(State::header);
  return index;
}

void Parser::begin_region(State s) {
  state_ = s;
  first_line_ = true;
  at_line_start_ = true;
  in_head_ = false;
  field_open_ = false;
  field_keep_ = false;
}

void Parser::downgrade(Node& n) {
  // A container past a limit: its body is opaque octets.
  n.part.kind = PartKind::leaf;
  n.part.type = "application";
  n.part.subtype = "octet-stream";
  truncated_ = true;
}

void Parser::finalize_header(uint32_t index) {
  Node& n = nodes_[index];
  Part& p = n.part;
  n.header_done = true;
  if (!n.is_mime) {
    // RFC 2045 §4: without MIME-Version (or a Content-Type) the Content-* fields mean nothing.
    const std::optional<Envelope> env = std::move(p.envelope);
    const uint64_t hs = p.header_start, bs = p.body_start;
    p = Part{};
    p.header_start = hs;
    p.body_start = p.body_end = bs;
    p.envelope = env;
  }
  const bool parent_digest = n.in_multipart && n.parent >= 0 && nodes_[static_cast<uint32_t>(n.parent)].digest;
  p.kind = PartKind::leaf;
  if (p.type.empty()) {
    if (parent_digest) {
      p.type = "message";
      p.subtype = "rfc822";
      p.kind = PartKind::message;
    }
  } else if (iequals_ascii(p.type, "multipart")) {
    const Param* b = find_param(p.params, "boundary");
    if (b != nullptr && !b->value.empty()) {
      p.kind = PartKind::multipart;
      n.boundary = b->value.substr(0, limits_.max_boundary);
      n.digest = iequals_ascii(p.subtype, "digest");
      if (n.type_only) p.params = {Param{"boundary", n.boundary}};
    } else {
      // No boundary: nothing can be found inside, show it as text/plain.
      p.type.clear();
      p.subtype.clear();
      p.params.clear();
    }
  } else if (iequals_ascii(p.type, "message") &&
             (iequals_ascii(p.subtype, "rfc822") || iequals_ascii(p.subtype, "global"))) {
    p.kind = PartKind::message;
  }
  if (n.type_only && p.kind != PartKind::multipart) p.params.clear();
  if (p.kind != PartKind::leaf && n.depth + 1 >= limits_.max_depth) downgrade(n);
}

void Parser::end_of_header(uint64_t body_start) {
  const uint32_t index = open_.back();
  {
    Node& n = nodes_[index];
    n.part.body_start = n.part.body_end = body_start;
    n.lf_at_body = lf_count_;
  }
  finalize_header(index);
  begin_region(State::body);
  Node& n = nodes_[index];
  if (n.part.kind == PartKind::multipart) {
    boundaries_.push_back({n.boundary, index});
  } else if (n.part.kind == PartKind::message) {
    if (nodes_.size() < limits_.max_parts)
      open_node(body_start, true, false);
    else
      downgrade(n);
  }
}

void Parser::close_node(uint64_t end, uint64_t end_lf) {
  const uint32_t index = open_.back();
  if (!nodes_[index].header_done) {
    // The header was cut short (by a boundary or the end of the message): the body is empty.
    finish_field();
    nodes_[index].part.body_start = end;
    nodes_[index].lf_at_body = end_lf;
    finalize_header(index);
    if (nodes_[index].part.kind == PartKind::message) {
      if (nodes_.size() < limits_.max_parts) {
        // The enclosed message is empty too.
        Node inner;
        inner.part.header_start = inner.part.body_start = inner.part.body_end = end;
        inner.part.envelope.emplace();
        inner.parent = static_cast<int32_t>(index);
        inner.depth = nodes_[index].depth + 1;
        inner.message_level = true;
        inner.header_done = true;
        nodes_.push_back(std::move(inner));
      } else {
        downgrade(nodes_[index]);
      }
    }
  }
  Node& n = nodes_[index];
  n.part.body_end = end;
  n.part.body_lines = end_lf - n.lf_at_body;
  open_.pop_back();
  while (!boundaries_.empty() && boundaries_.back().node == index) boundaries_.pop_back();
  if (!open_.empty()) state_ = State::body;
}

// ---- Boundaries ----------------------------------------------------------------------------------------------

bool Parser::check_boundary(std::string_view line, int eol) {
  if (boundaries_.empty() || line.size() < 2 || line[0] != '-' || line[1] != '-') return false;
  const std::string_view rest = line.substr(2);
  // The open boundary that is the longest prefix of the line; the innermost wins a tie.
  int best = -1;
  for (int i = static_cast<int>(boundaries_.size()) - 1; i >= 0; --i) {
    const std::string& b = boundaries_[static_cast<std::size_t>(i)].text;
    if (b.size() <= rest.size() && rest.compare(0, b.size(), b) == 0 &&
        (best < 0 || boundaries_[static_cast<std::size_t>(best)].text.size() < b.size()))
      best = i;
  }
  if (best < 0) return false;
  const Boundary& b = boundaries_[static_cast<std::size_t>(best)];
  const bool closing = rest.size() >= b.text.size() + 2 && rest.compare(b.text.size(), 2, "--") == 0;
  // RFC 2046 §5.1.1: the line end before the boundary line belongs to it, unless this is the first line of the
  // part's header or body (then that line end belonged to the line before: a boundary or the blank line).
  const uint64_t end = first_line_ ? line_start_ : line_start_ - prev_eol_;
  const uint64_t end_lf = first_line_ ? line_lf_ : line_lf_ - 1;
  const uint32_t owner = b.node;
  while (open_.back() != owner) close_node(end, end_lf);
  boundaries_.resize(static_cast<std::size_t>(closing ? best : best + 1));
  state_ = State::body;
  in_head_ = false;
  pending_child_ = !closing;
  if (eol < 0)
    skip_rest_ = true;
  else
    boundary_line_done(static_cast<uint8_t>(eol));
  return true;
}

void Parser::boundary_line_done(uint8_t eol) {
  skip_rest_ = false;
  if (pending_child_ && eol > 0) {
    pending_child_ = false;
    if (nodes_.size() < limits_.max_parts) {
      open_node(offset_, false, true);
      return;
    }
    truncated_ = true;  // no more parts: the octets stay in the multipart's body
  }
  pending_child_ = false;
  // Back in the multipart's body: between parts (when no part could be made) or after the close delimiter.
  state_ = State::body;
  at_line_start_ = true;
  first_line_ = false;
  prev_eol_ = eol;
}

// ---- Body ----------------------------------------------------------------------------------------------------

const char* Parser::body_bytes(const char* p, const char* end) {
  if (skip_rest_) {
    // The rest of a boundary line (transport padding or garbage, RFC 2046 §5.1.1).
    const char* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (lf == nullptr) {
      offset_ += static_cast<uint64_t>(end - p);
      last_cr_ = end[-1] == '\r';
      return end;
    }
    const uint8_t eol = (lf > p ? lf[-1] == '\r' : last_cr_) ? 2 : 1;
    offset_ += static_cast<uint64_t>(lf + 1 - p);
    ++lf_count_;
    last_cr_ = false;
    boundary_line_done(eol);
    return lf + 1;
  }
  if (boundaries_.empty()) {
    // Nothing but the end of the message can end this body: count its lines, as fast as memory goes.
    lf_count_ += count_lf(p, end);
    offset_ += static_cast<uint64_t>(end - p);
    last_cr_ = end[-1] == '\r';
    at_line_start_ = end[-1] == '\n';
    return end;
  }
  if (in_head_) return head_bytes(p, end);
  return body_lines(p, end);
}

const char* Parser::body_lines(const char* p, const char* end) {
  while (p < end) {
    if (at_line_start_) {
      line_start_ = offset_;
      line_lf_ = lf_count_;
      at_line_start_ = false;
      if (*p == '-') {
        // Maybe a boundary: look at the start of the line first.
        in_head_ = true;
        head_.clear();
        return p;
      }
    }
    const char* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (lf == nullptr) {
      offset_ += static_cast<uint64_t>(end - p);
      last_cr_ = end[-1] == '\r';
      return end;
    }
    prev_eol_ = (lf > p ? lf[-1] == '\r' : last_cr_) ? 2 : 1;
    ++lf_count_;
    offset_ += static_cast<uint64_t>(lf + 1 - p);
    last_cr_ = false;
    first_line_ = false;
    at_line_start_ = true;
    p = lf + 1;
  }
  return p;
}

const char* Parser::head_bytes(const char* p, const char* end) {
  const std::size_t cap = limits_.max_boundary + 4;  // "--" boundary "--" tells everything
  const char* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
  const std::size_t avail = static_cast<std::size_t>((lf != nullptr ? lf : end) - p);
  const std::size_t take = std::min(avail, cap - head_.size());
  head_.append(p, take);
  if (lf != nullptr && take == avail) {
    // The whole line is here.
    in_head_ = false;
    std::string_view content(head_);  // starts with '-', never empty
    const bool cr = content.back() == '\r';
    if (cr) content.remove_suffix(1);
    offset_ += static_cast<uint64_t>(lf + 1 - p);
    ++lf_count_;
    last_cr_ = false;
    if (!check_boundary(content, cr ? 2 : 1)) {
      prev_eol_ = cr ? 2 : 1;
      first_line_ = false;
      at_line_start_ = true;
    }
    return lf + 1;
  }
  offset_ += take;
  p += take;
  if (take > 0) last_cr_ = p[-1] == '\r';
  if (head_.size() < cap) return p;  // the chunk ended: wait for more
  // Enough of the line to decide; its end comes later.
  in_head_ = false;
  check_boundary(head_, -1);
  return p;
}

}  // namespace axon::mime
