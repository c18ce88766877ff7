// imap::Session: APPEND and MULTIAPPEND (RFC 9051 §6.3.12, RFC 3502, RFC 4315 APPENDUID, RFC 7889 APPENDLIMIT,
// RFC 3516 literal8). The framer streams each message literal; the session keeps up to
// SessionConfig::append_memory of it in memory and spills the rest to an unlinked file, so a client sending a
// 50 MiB message costs no more than that in memory. MULTIAPPEND is all or nothing: when one message fails, the
// ones stored before it are expunged again.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/fileio.h"
#include "imap/format.h"
#include "imap/session.h"
#include "imap/session_parts.h"

namespace axon::imap {

Session::AppendState::~AppendState() {
  for (auto& m : messages)
    if (m.fd >= 0) ::close(m.fd);
}

void Session::cmd_append_begin(const Frame& f) {
  if (!append_) append_ = std::make_unique<AppendState>();
  if (append_->messages.size() <= f.literal.stream_index) append_->messages.resize(f.literal.stream_index + 1);
  append_->current = f.literal.stream_index;
}

void Session::cmd_append_data(std::string_view d) {
  if (!append_ || append_->current >= append_->messages.size() || append_->failed || append_->too_big) return;
  auto& m = append_->messages[append_->current];
  m.size += d.size();
  append_->total += d.size();
  // MULTIAPPEND: the messages of one command together are bounded too (four times APPENDLIMIT), and share one
  // in-memory allowance; the rest goes to spill files.
  if (append_->total > 4 * cfg_.limits.max_message_literal) {
    append_->too_big = true;
    for (auto& x : append_->messages) {
      if (x.fd >= 0) ::close(x.fd);
      x.fd = -1;
      x.data.clear();
    }
    return;
  }
  if (m.fd < 0 && append_->in_memory + d.size() <= cfg_.append_memory) {
    m.data.append(d);
    append_->in_memory += d.size();
    return;
  }
  if (m.fd < 0) {
    m.fd = ::open(cfg_.temp_dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (m.fd < 0 || !core::write_all(m.fd, m.data)) {
      append_->failed = true;
      return;
    }
    append_->in_memory -= m.data.size();
    m.data.clear();
    m.data.shrink_to_fit();
  }
  if (!core::write_all(m.fd, d)) append_->failed = true;
}

void Session::cmd_append_end(const Frame& f) {
  if (append_ && append_->current < append_->messages.size()) append_->messages[append_->current].nul = f.nul;
}

void Session::cmd_append(Command& c) {
  auto state = std::move(append_);
  auto& a = std::get<Append>(c.args);
  auto mb = store_.mailbox(account_, a.mailbox);
  if (!mb) {
    if (mb.error().code == core::Errc::not_found) return tagged(c.tag, "NO", "[TRYCREATE] Mailbox doesn't exist");
    return store_error(c.tag, mb.error());
  }
  if (state && state->too_big) return tagged(c.tag, "NO", "[TOOBIG] Messages too large");
  if (!state || state->failed) return tagged(c.tag, "NO", "[UNAVAILABLE] Internal error occurred.");
  std::vector<uint32_t> uids;
  uint32_t validity = 0;
  auto undo = [&] {
    if (uids.empty()) return;
    (void)store_.set_flags(mb->id, uids, store::FlagChange{store::FlagOp::add, store::Flag::deleted, {}, {}});
    (void)store_.expunge(mb->id, std::span<const uint32_t>(uids));
  };
  for (const auto& msg : a.messages) {
    if (msg.catenate || msg.parts.size() != 1 || msg.parts[0].kind != AppendPart::Kind::text) {
      undo();
      return tagged(c.tag, "NO", "[CANNOT] CATENATE is not supported");
    }
    std::size_t idx = msg.parts[0].stream_index;
    if (idx >= state->messages.size()) {
      undo();
      return bad(c.tag, "Missing message literal");
    }
    const auto& data = state->messages[idx];
    if (data.nul && !msg.parts[0].binary) {
      undo();
      return tagged(c.tag, "NO", "[UNKNOWN-CTE] NUL octets need literal8");
    }
    if (data.size == 0) {
      undo();
      return tagged(c.tag, "NO", "Can't save a zero byte message.");
    }
    store::AppendData ad;
    if (data.fd >= 0) {
      ad.fd = data.fd;
      ad.offset = 0;
      ad.size = data.size;
    } else {
      ad.data = data.data;
    }
    if (!to_store_flags(msg.flags, ad.flags, ad.keywords)) {
      undo();
      return bad(c.tag, "Invalid system flag");
    }
    if (msg.internal_date)
      ad.internal_date = core::TimePoint(std::chrono::seconds(msg.internal_date->unix_seconds));
    auto r = store_.append(mb->id, ad);
    if (!r) {
      undo();
      return store_error(c.tag, r.error());
    }
    validity = r->uidvalidity;
    uids.push_back(r->uid);
  }
  bool to_selected = view_ && view_->id() == mb->id;
  after_sync([this, tag = c.tag, uids, validity, to_selected](bool ok) {
    if (!ok) return tagged(tag, "NO", "[UNAVAILABLE] Internal error occurred.");
    if (to_selected) news_ = true;  // EXISTS before the OK, as Dovecot does
    tagged(tag, "OK", "[APPENDUID " + std::to_string(validity) + " " + format_numbers(uids) + "] Append completed.");
  });
}

}  // namespace axon::imap
