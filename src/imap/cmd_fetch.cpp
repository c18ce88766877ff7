// imap::Session: FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2; RFC 7162 CHANGEDSINCE/VANISHED; RFC 3516 BINARY;
// RFC 8474 EMAILID). Each message's response is built as pieces: text, and ranges of the stored file that are
// streamed 256 KiB at a time (Step::write_more), so a FETCH of big messages never holds one whole in memory.
// ENVELOPE and BODYSTRUCTURE come from the MIME summary made at delivery (made here, once, and saved, for a
// message stored without one). \Seen is set for non-PEEK body items before the data goes out.
#include <algorithm>

#include "imap/datetime.h"
#include "imap/format.h"
#include "imap/search_context.h"
#include "imap/session.h"
#include "imap/session_parts.h"
#include "mime/body_decoder.h"
#include "mime/render.h"
#include "mime/section.h"

namespace axon::imap {

namespace {

constexpr uint64_t kReadChunk = 256 * 1024;

bool needs_structure(const FetchItem& it) {
  switch (it.kind) {
    case FetchItem::Kind::envelope:
    case FetchItem::Kind::body:
    case FetchItem::Kind::bodystructure:
    case FetchItem::Kind::rfc822_header:
    case FetchItem::Kind::rfc822_text:
    case FetchItem::Kind::binary:
    case FetchItem::Kind::binary_size:
      return true;
    case FetchItem::Kind::body_section:
      return !it.section.part.empty() || it.section.kind != Section::Kind::all;
    default:
      return false;
  }
}

bool needs_file(const FetchItem& it) {
  return needs_structure(it) || it.kind == FetchItem::Kind::body_section || it.kind == FetchItem::Kind::rfc822;
}

bool sets_seen(const FetchItem& it) {
  return !it.peek && (it.kind == FetchItem::Kind::body_section || it.kind == FetchItem::Kind::binary ||
                      it.kind == FetchItem::Kind::rfc822 || it.kind == FetchItem::Kind::rfc822_text);
}

mime::SectionSpec to_spec(const Section& s) {
  mime::SectionSpec m;
  m.part = s.part;
  m.fields = s.fields;
  switch (s.kind) {
    case Section::Kind::all: m.kind = mime::SectionSpec::Kind::full; break;
    case Section::Kind::header: m.kind = mime::SectionSpec::Kind::header; break;
    case Section::Kind::header_fields: m.kind = mime::SectionSpec::Kind::header_fields; break;
    case Section::Kind::header_fields_not: m.kind = mime::SectionSpec::Kind::header_fields_not; break;
    case Section::Kind::text: m.kind = mime::SectionSpec::Kind::text; break;
    case Section::Kind::mime: m.kind = mime::SectionSpec::Kind::mime; break;
  }
  return m;
}

}  // namespace

void Session::cmd_fetch(Command& c) {
  auto& f = std::get<Fetch>(c.args);
  // RFC 7162 §3.2.6: VANISHED only in UID FETCH with CHANGEDSINCE, and only once QRESYNC is enabled.
  if (f.vanished && (!c.uid || !qresync_)) return bad(c.tag, "VANISHED needs UID FETCH and ENABLE QRESYNC");
  std::vector<uint32_t> seqs;
  if (!resolve(c, f.set, seqs)) return;
  auto job = std::make_unique<FetchJob>();
  job->tag = c.tag;
  job->uid = c.uid;
  job->items = f.items;
  if (f.changedsince) condstore_ = true;
  if (c.uid && std::none_of(job->items.begin(), job->items.end(),
                            [](const FetchItem& i) { return i.kind == FetchItem::Kind::uid; }))
    job->items.insert(job->items.begin(), FetchItem{FetchItem::Kind::uid});
  if (f.changedsince && std::none_of(job->items.begin(), job->items.end(),
                                     [](const FetchItem& i) { return i.kind == FetchItem::Kind::modseq; }))
    job->items.push_back(FetchItem{FetchItem::Kind::modseq});
  if (f.changedsince) {
    uint64_t since = *f.changedsince;
    std::erase_if(seqs, [&](uint32_t s) { return view_->messages()[s - 1].modseq <= since; });
    if (f.vanished && c.uid && qresync_) {
      auto gone = store_.vanished_since(view_->id(), since);
      if (gone) {
        // "*" is the highest UID ever given here (UIDNEXT - 1), so expunged ones at the end still count.
        auto ranges = f.set.resolve(std::max({view_->max_uid(), view_->uidnext() - 1, 1u}));
        std::vector<uint32_t> u;
        for (uint32_t x : gone->uids)
          if (contains(ranges, x)) u.push_back(x);
        if (!u.empty()) untagged("VANISHED (EARLIER) " + format_ranges(to_ranges(u)));
      }
    }
  }
  job->set_seen = !read_only_ && std::any_of(job->items.begin(), job->items.end(), sets_seen);
  if (job->set_seen) {
    std::vector<uint32_t> unseen;
    for (uint32_t s : seqs) {
      const auto& m = view_->messages()[s - 1];
      if (!(m.flags & store::Flag::seen)) unseen.push_back(m.uid);
    }
    if (!unseen.empty()) {
      auto r = store_.set_flags(view_->id(), unseen, store::FlagChange{store::FlagOp::add, store::Flag::seen, {}, {}});
      if (r) {
        for (const auto& m : r->changed) view_->note_flags(m);
        job->seen_uids = std::move(unseen);
      }
    }
  }
  job->seqs = std::move(seqs);
  fetch_ = std::move(job);
}

// Builds the pieces of the next message's response; false when every message is done.
bool Session::fetch_more() {
  FetchJob& j = *fetch_;
  // Stream what is pending first.
  while (j.piece < j.pieces.size()) {
    Piece& p = j.pieces[j.piece];
    if (!p.file) {
      out_ += p.text;
      ++j.piece;
    } else {
      uint64_t n = std::min<uint64_t>(kReadChunk, p.length - j.piece_done);
      auto data = p.file->read(p.offset + j.piece_done, n);
      if (!data || data->size() != n) {
        // The response has promised n octets: keep the stream in sync with spaces, then say NO at the end.
        out_.append(n, ' ');
        j.failed = true;
      } else {
        out_ += *data;
      }
      j.piece_done += n;
      if (j.piece_done >= p.length) {
        ++j.piece;
        j.piece_done = 0;
      }
    }
    if (out_.size() >= kReadChunk) return true;
  }
  j.pieces.clear();
  j.piece = 0;
  if (j.next >= j.seqs.size()) {
    // Done. (\Seen set by this FETCH is a flag change: published at once.)
    std::string tag = j.tag;
    bool failed = j.failed;
    auto finish = [this, tag, failed](bool ok) {
      if (failed || !ok)
        tagged(tag, "NO", "[UNAVAILABLE] Some messages could not be read; try again.");
      else
        tagged(tag, "OK", "Fetch completed.");
    };
    fetch_.reset();
    finish(true);
    return false;
  }

  uint32_t seq = j.seqs[j.next++];
  if (!view_ || seq > view_->exists()) return true;
  const ViewMessage& m = view_->messages()[seq - 1];
  bool want_file = std::any_of(j.items.begin(), j.items.end(), needs_file);
  bool want_structure = std::any_of(j.items.begin(), j.items.end(), needs_structure);
  std::shared_ptr<store::OpenMessage> file;
  std::optional<mime::Summary> sum;
  if (want_file) {
    auto o = store_.open_message(view_->id(), m.uid);
    if (!o) {
      j.failed = true;  // expunged meanwhile, or lost: skip it (RFC 9051 allows omitting it)
      return true;
    }
    file = std::make_shared<store::OpenMessage>(std::move(*o));
    if (want_structure) {
      sum = load_summary(store_, view_->id(), m.uid, *file);
      if (!sum) {
        j.failed = true;
        return true;
      }
    }
  }
  bool seen_now = std::binary_search(j.seen_uids.begin(), j.seen_uids.end(), m.uid);  // ascending
  bool flags_listed = false;

  std::string text = "* " + std::to_string(seq) + " FETCH (";
  bool first = true;
  auto sep = [&] {
    if (!first) text += ' ';
    first = false;
  };
  // A literal of the message's octets [off, off+len): the header now, the data streamed.
  auto literal = [&](uint64_t off, uint64_t len, bool binary) {
    text += binary ? "~{" : "{";
    text += std::to_string(len) + "}\r\n";
    j.pieces.push_back(Piece{std::move(text), nullptr, 0, 0});
    text.clear();
    if (len) j.pieces.push_back(Piece{{}, file, off, len});
  };
  for (const auto& it : j.items) {
    switch (it.kind) {
      case FetchItem::Kind::uid:
        sep();
        text += "UID " + std::to_string(m.uid);
        break;
      case FetchItem::Kind::flags:
        sep();
        flags_listed = true;
        text += "FLAGS " + message_flags(m.flags, m.keywords);
        break;
      case FetchItem::Kind::internaldate: {
        sep();
        auto secs = std::chrono::duration_cast<std::chrono::seconds>(m.internal_date.time_since_epoch()).count();
        text += "INTERNALDATE \"" + format_date_time(secs) + "\"";
        break;
      }
      case FetchItem::Kind::rfc822_size:
        sep();
        text += "RFC822.SIZE " + std::to_string(m.size);
        break;
      case FetchItem::Kind::modseq:
        sep();
        text += "MODSEQ (" + std::to_string(m.modseq) + ")";
        break;
      case FetchItem::Kind::emailid:
        sep();
        text += "EMAILID (M" + std::to_string(m.id) + ")";
        break;
      case FetchItem::Kind::threadid:
        sep();
        text += "THREADID NIL";
        break;
      case FetchItem::Kind::savedate:
        sep();
        text += "SAVEDATE NIL";
        break;
      case FetchItem::Kind::envelope:
        sep();
        text += "ENVELOPE " + mime::imap_envelope(*sum);
        break;
      case FetchItem::Kind::body:
        sep();
        text += "BODY " + mime::imap_body(*sum, false, rev2_);
        break;
      case FetchItem::Kind::bodystructure:
        sep();
        text += "BODYSTRUCTURE " + mime::imap_body(*sum, true, rev2_);
        break;
      case FetchItem::Kind::rfc822:
        sep();
        text += "RFC822 ";
        literal(0, file->size, false);
        break;
      case FetchItem::Kind::rfc822_header:
      case FetchItem::Kind::rfc822_text: {
        sep();
        bool header = it.kind == FetchItem::Kind::rfc822_header;
        text += header ? "RFC822.HEADER " : "RFC822.TEXT ";
        mime::SectionSpec spec;
        spec.kind = header ? mime::SectionSpec::Kind::header : mime::SectionSpec::Kind::text;
        auto r = mime::section_range(*sum, spec);
        if (!r) r = mime::ByteRange{0, 0};
        literal(r->offset, r->length, false);
        break;
      }
      case FetchItem::Kind::body_section: {
        sep();
        text += "BODY[" + section_spec(it.section) + "]";
        if (it.partial) text += "<" + std::to_string(it.partial->offset) + ">";
        text += ' ';
        std::optional<mime::ByteRange> r;
        if (!sum) {
          r = mime::ByteRange{0, file->size};
        } else {
          r = mime::section_range(*sum, to_spec(it.section));
        }
        if (!r) r = mime::ByteRange{0, 0};
        if (it.section.kind == Section::Kind::header_fields || it.section.kind == Section::Kind::header_fields_not) {
          auto header = file->read(r->offset, r->length);
          std::string filtered = header ? mime::filter_header_fields(
                                              *header, it.section.fields,
                                              it.section.kind == Section::Kind::header_fields_not)
                                        : std::string("\r\n");
          if (it.partial) {
            uint64_t o = std::min<uint64_t>(it.partial->offset, filtered.size());
            filtered = filtered.substr(o, it.partial->length);
          }
          text += "{" + std::to_string(filtered.size()) + "}\r\n" + filtered;
          break;
        }
        uint64_t off = r->offset, len = r->length;
        if (it.partial) {
          uint64_t o = std::min(it.partial->offset, len);
          off += o;
          len = std::min(len - o, it.partial->length);
        }
        literal(off, len, false);
        break;
      }
      case FetchItem::Kind::binary:
      case FetchItem::Kind::binary_size: {
        sep();
        const mime::Part* part = it.section.part.empty() ? &sum->root : mime::find_part(*sum, it.section.part);
        std::string name = it.kind == FetchItem::Kind::binary ? "BINARY[" : "BINARY.SIZE[";
        std::string spec;
        for (std::size_t i = 0; i < it.section.part.size(); ++i)
          spec += (i ? "." : "") + std::to_string(it.section.part[i]);
        text += name + spec + "]";
        if (!part || part->kind == mime::PartKind::multipart) {
          text += it.kind == FetchItem::Kind::binary ? " NIL" : " 0";
          break;
        }
        // The decoded part is held in memory (it is one part; BINARY on a huge part costs its size).
        mime::BodyDecoder dec(mime::encoding_of(part->encoding));
        std::string decoded;
        for (uint64_t o = part->body_start; o < part->body_end; o += kReadChunk) {
          auto chunk = file->read(o, std::min(kReadChunk, part->body_end - o));
          if (!chunk) break;
          dec.feed(*chunk, decoded);
        }
        dec.finish(decoded);
        if (dec.error()) {
          // RFC 3516 §4.3: the whole command fails with UNKNOWN-CTE.
          fetch_->pieces.clear();
          text.clear();
          tagged(j.tag, "NO", "[UNKNOWN-CTE] Can't decode the part's content");
          fetch_.reset();
          return false;
        }
        if (it.kind == FetchItem::Kind::binary_size) {
          text += " " + std::to_string(decoded.size());
          break;
        }
        if (it.partial) {
          text += "<" + std::to_string(it.partial->offset) + ">";
          uint64_t o = std::min<uint64_t>(it.partial->offset, decoded.size());
          decoded = decoded.substr(o, it.partial->length);
        }
        bool nul = decoded.find('\0') != std::string::npos;
        text += std::string(nul ? " ~{" : " {") + std::to_string(decoded.size()) + "}\r\n" + decoded;
        break;
      }
    }
  }
  if (seen_now && !flags_listed) {
    sep();
    text += "FLAGS " + message_flags(m.flags, m.keywords);
  }
  text += ")\r\n";
  j.pieces.push_back(Piece{std::move(text), nullptr, 0, 0});
  return true;
}

}  // namespace axon::imap
