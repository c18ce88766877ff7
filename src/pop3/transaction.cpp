// pop3::Session in TRANSACTION and UPDATE: STAT, LIST, UIDL, RETR, TOP, DELE, RSET, NOOP (RFC 1939 §5, §7) on the
// snapshot taken at login, and QUIT's update (RFC 1939 §6): \Seen on the retrieved messages (as Dovecot does, so
// IMAP sees them read), \Deleted and expunge on exactly the marked ones, then a durable point (SyncService)
// before "+OK". A failed update answers -ERR [SYS/TEMP] and loses nothing: the messages stay (a \Deleted set for
// the update is taken back when the expunge fails).
// Security: after authentication, on the user's own INBOX; message content is untrusted and goes out through
// MessageStream (byte-stuffed), read by range a chunk at a time.
#include <algorithm>
#include <span>

#include "pop3/reply.h"
#include "pop3/session_impl.h"

namespace axon::pop3 {

namespace {

constexpr uint64_t kMinRead = 4096;  // read at least this much per pread, however full the output is

}  // namespace

// RFC 1939 §5: a message number must be in the maildrop and not marked as deleted.
std::optional<std::size_t> Session::Impl::message_index(const Command& c, std::size_t arg) {
  if (c.argc <= arg) {
    bad_command(reply::missing_argument);
    return std::nullopt;
  }
  auto n = parse_message_number(c.args[arg]);
  if (!n) {
    bad_command(reply::invalid_number);
    return std::nullopt;
  }
  if (*n > drop.size()) {
    bad_command("-ERR There's no message " + std::to_string(*n) + ".");
    return std::nullopt;
  }
  if (drop[*n - 1].deleted) {
    bad_command(reply::message_deleted);
    return std::nullopt;
  }
  return *n - 1;
}

void Session::Impl::cmd_stat() {
  std::size_t count = 0;
  uint64_t octets = 0;
  for (const auto& e : drop)
    if (!e.deleted) {
      ++count;
      octets += e.size;
    }
  send("+OK " + std::to_string(count) + " " + std::to_string(octets));
}

void Session::Impl::cmd_list(const Command& c, bool uidl) {
  if (c.argc > 0) {
    auto i = message_index(c, 0);
    if (!i) return;
    send("+OK " + std::to_string(*i + 1) + " " + (uidl ? unique_id(drop[*i].uid, uidvalidity)
                                                       : std::to_string(drop[*i].size)));
    return;
  }
  if (uidl) {
    send(reply::ok);
  } else {
    std::size_t count = std::count_if(drop.begin(), drop.end(), [](const MaildropEntry& e) { return !e.deleted; });
    send("+OK " + std::to_string(count) + " messages:");
  }
  listing = Listing{uidl, 0};  // the lines follow as the output is taken (fill_listing)
}

void Session::Impl::fill_listing() {
  auto& l = *listing;
  while (out.size() < cfg.output_chunk && l.next < drop.size()) {
    const auto& e = drop[l.next++];
    if (e.deleted) continue;  // RFC 1939 §5: deleted messages are not listed
    send(std::to_string(l.next) + " " + (l.uidl ? unique_id(e.uid, uidvalidity) : std::to_string(e.size)));
  }
  if (l.next == drop.size()) {
    send(".");
    listing.reset();
  }
}

void Session::Impl::cmd_retr(const Command& c) {
  auto i = message_index(c, 0);
  if (!i) return;
  // RFC 1939 §11: the size as sent before byte-stuffing; our messages are stored with CRLF line ends.
  if (!open_retrieval(*i, std::nullopt, "+OK " + std::to_string(drop[*i].size) + " octets")) return;
  drop[*i].retrieved = true;
  ++summary.retr;
  summary.retr_bytes += drop[*i].size;
}

void Session::Impl::cmd_top(const Command& c) {
  auto i = message_index(c, 0);
  if (!i) return;
  if (c.argc < 2) return bad_command(reply::missing_argument);
  auto lines = parse_line_count(c.args[1]);
  if (!lines) return bad_command(reply::invalid_line_count);
  if (open_retrieval(*i, *lines, reply::ok)) ++summary.top;
}

bool Session::Impl::open_retrieval(std::size_t index, std::optional<uint64_t> lines, std::string_view first_line) {
  auto m = store.open_message(mailbox, drop[index].uid);
  if (!m) {  // expunged by another session meanwhile, or the store cannot read it now
    send(reply::for_error(m.error().code));
    return false;
  }
  send(first_line);
  retrieval.emplace(Retrieval{std::move(*m), 0, MessageStream(lines)});
  return true;
}

void Session::Impl::fill_retrieval() {
  auto& r = *retrieval;
  while (out.size() < cfg.output_chunk) {
    if (r.stream.done() || r.offset >= r.message.size) {
      r.stream.finish(out);
      retrieval.reset();
      return;
    }
    uint64_t want = std::max<uint64_t>(cfg.output_chunk - out.size(), kMinRead);
    auto piece = r.message.read(r.offset, std::min(want, r.message.size - r.offset));
    if (!piece || piece->empty()) {
      // "+OK" and part of the message are out: the only honest end is to cut the connection, so the client never
      // sees the final "." and keeps the message on the server (RFC 1939 has no way to take back a "+OK").
      return close();
    }
    r.offset += piece->size();
    r.stream.feed(*piece, out);
  }
}

void Session::Impl::cmd_dele(const Command& c) {
  auto i = message_index(c, 0);
  if (!i) return;
  drop[*i].deleted = true;
  send(reply::marked_deleted);
}

void Session::Impl::cmd_rset() {
  uint64_t octets = 0;
  for (auto& e : drop) {
    e.deleted = false;
    e.retrieved = false;  // as Dovecot: RSET forgets the \Seen changes too
    octets += e.size;
  }
  send("+OK maildrop has " + std::to_string(drop.size()) + " messages (" + std::to_string(octets) + " octets)");
}

void Session::Impl::cmd_quit() {
  summary.quit = true;
  if (phase == Phase::authorization) {  // RFC 1939 §4: no UPDATE without a login
    goodbye(reply::logging_out);
    return;
  }
  std::vector<uint32_t> seen, deleted, flagged;  // flagged: \Deleted set here, to take back if the update fails
  for (const auto& e : drop) {
    if (e.deleted) {
      deleted.push_back(e.uid);
      if (!e.had_deleted) flagged.push_back(e.uid);
      ++summary.deleted;
      summary.deleted_bytes += e.size;
    } else if (e.retrieved) {
      seen.push_back(e.uid);
    }
  }
  if (seen.empty() && deleted.empty()) {
    summary.updated = true;
    return goodbye(reply::logging_out);
  }
  // RFC 1939 §6: UPDATE. One flag change for the \Seen of every retrieved message, one for the marked ones, then
  // expunge exactly those (a message another client flagged \Deleted stays).
  if (!seen.empty()) {
    if (!store.set_flags(mailbox, seen, store::FlagChange{store::FlagOp::add, store::seen, {}, std::nullopt}))
      return goodbye(reply::update_failed);
  }
  if (!deleted.empty()) {
    if (!store.set_flags(mailbox, deleted, store::FlagChange{store::FlagOp::add, store::deleted, {}, std::nullopt}))
      return goodbye(reply::update_failed);
    if (!store.expunge(mailbox, std::span<const uint32_t>(deleted))) {
      if (!flagged.empty())  // best effort: the messages stay as they were; a \Deleted left behind loses nothing
        (void)store.set_flags(mailbox, flagged,
                              store::FlagChange{store::FlagOp::remove, store::deleted, {}, std::nullopt});
      return goodbye(reply::update_failed);
    }
  }
  // The "+OK" promises the update is done: wait for a durable (and published) point first.
  phase = Phase::update;
  uint64_t seq = ++wait_seq;
  bool removed = !deleted.empty();
  sync.request([wake = wake, self = this, seq, removed](core::Result<void> r) {
    wake([self, seq, removed, r = std::move(r)]() mutable { self->on_synced(seq, std::move(r), removed); });
  });
}

void Session::Impl::on_synced(uint64_t seq, core::Result<void> r, bool removed) {
  if (seq != wait_seq || phase != Phase::update) return;  // stale: answered by wait_timeout() already
  if (!r) return goodbye(reply::update_unconfirmed);
  summary.updated = true;
  goodbye(removed ? reply::logging_out_deleted : reply::logging_out);
}

}  // namespace axon::pop3
