// The embedded store's messages: published reads, ranged access, flags, expunge, copy/move, append. See
// sqlite_store.h. Every mutation takes one new mod-sequence per mailbox it changes (RFC 7162 §3.1: messages
// changed by one command may share it) and is published by the next sync().
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/sqlite/sqlite_store.h"

namespace axon::store::sqlite {

using core::Errc;
using core::make_error;

namespace {

constexpr const char* kMessageColumns =
    "SELECT m.id, m.uid, m.modseq, m.internal_date, m.size, m.flags, m.keywords FROM messages m "
    "JOIN mailboxes mb ON mb.id = m.mailbox_id ";

MessageInfo read_message_row(Stmt& q) {
  MessageInfo m;
  m.id = q.i64(0);
  m.uid = static_cast<uint32_t>(q.i64(1));
  m.modseq = static_cast<uint64_t>(q.i64(2));
  m.internal_date = from_millis(q.i64(3));
  m.size = static_cast<uint64_t>(q.i64(4));
  m.flags = static_cast<uint32_t>(q.i64(5));
  m.keywords = split_keywords(q.text(6));
  return m;
}

bool has_keyword(const std::vector<std::string>& ks, std::string_view k) {
  return std::any_of(ks.begin(), ks.end(), [&](const std::string& x) { return core::iequals(x, k); });
}

// Applies a change; true when flags or keywords changed.
bool apply(const FlagChange& c, uint32_t& flags, std::vector<std::string>& keywords) {
  uint32_t f = flags;
  std::vector<std::string> k = keywords;
  switch (c.op) {
    case FlagOp::add:
      f |= c.flags;
      for (const auto& w : c.keywords)
        if (!has_keyword(k, w)) k.push_back(w);
      break;
    case FlagOp::remove:
      f &= ~c.flags;
      std::erase_if(k, [&](const std::string& x) { return has_keyword(c.keywords, x); });
      break;
    case FlagOp::replace:
      f = c.flags;
      k.clear();
      for (const auto& w : c.keywords)
        if (!has_keyword(k, w)) k.push_back(w);
      break;
  }
  bool changed = f != flags || k.size() != keywords.size() ||
                 !std::all_of(k.begin(), k.end(), [&](const std::string& x) { return has_keyword(keywords, x); });
  flags = f;
  keywords = std::move(k);
  return changed;
}

bool contains(std::span<const uint32_t> sorted, uint32_t uid) {
  return std::binary_search(sorted.begin(), sorted.end(), uid);
}

std::vector<uint32_t> sorted_unique(std::span<const uint32_t> uids) {
  std::vector<uint32_t> v(uids.begin(), uids.end());
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

// -- published reads --

Result<std::vector<MessageInfo>> SqliteStore::messages(MailboxId id, uint32_t from_uid) {
  static const std::string sql =
      std::string(kMessageColumns) + "WHERE m.mailbox_id = ? AND m.uid >= ? AND m.uid < mb.visible_uidnext ORDER BY m.uid";
  std::lock_guard l(rmu_);
  std::vector<MessageInfo> out;
  Stmt q(*r_, sql.c_str(), "list messages");
  q.bind(id.value).bind(int64_t{from_uid});
  while (q.row()) out.push_back(read_message_row(q));
  if (!q.ok()) return q.error();
  return out;
}

Result<std::vector<MessageInfo>> SqliteStore::changed_since(MailboxId id, uint64_t modseq) {
  static const std::string sql = std::string(kMessageColumns) +
                                 "WHERE m.mailbox_id = ? AND m.modseq > ? AND m.modseq <= mb.visible_modseq AND "
                                 "m.uid < mb.visible_uidnext ORDER BY m.uid";
  std::lock_guard l(rmu_);
  std::vector<MessageInfo> out;
  Stmt q(*r_, sql.c_str(), "changed messages");
  q.bind(id.value).bind(static_cast<int64_t>(modseq));
  while (q.row()) out.push_back(read_message_row(q));
  if (!q.ok()) return q.error();
  return out;
}

Result<MailStore::Vanished> SqliteStore::vanished_since(MailboxId id, uint64_t modseq) {
  std::lock_guard l(rmu_);
  Vanished out;
  Stmt q(*r_,
         "SELECT e.uid FROM expunged e JOIN mailboxes mb ON mb.id = e.mailbox_id "
         "WHERE e.mailbox_id = ? AND e.modseq > ? AND e.modseq <= mb.visible_modseq ORDER BY e.uid",
         "vanished messages");
  q.bind(id.value).bind(static_cast<int64_t>(modseq));
  while (q.row()) out.uids.push_back(static_cast<uint32_t>(q.i64(0)));
  if (!q.ok()) return q.error();
  return out;
}

Result<OpenMessage> SqliteStore::open_message(MailboxId id, uint32_t uid) {
  fs::path path;
  OpenMessage m;
  {
    std::lock_guard l(rmu_);
    Stmt q(*r_,
           "SELECT mb.account_id, m.file, m.size, m.summary FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id "
           "WHERE m.mailbox_id = ? AND m.uid = ?",
           "open message");
    if (!q.bind(id.value).bind(int64_t{uid}).row()) {
      if (!q.ok()) return q.error();
      return make_error(Errc::not_found, "message " + std::to_string(uid) + " not found");
    }
    path = account_dir(q.i64(0)) / q.text(1);
    m.size = static_cast<uint64_t>(q.i64(2));
    if (!q.is_null(3)) m.summary = q.text(3);
  }
  m.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m.fd < 0) {
    // The row exists but the file does not: lost in a crash before sync (the spool's replay rewrites it), or
    // expunged by another session just now. Either way, try again later.
    return make_error(Errc::temporary, "open message file: " + std::string(std::strerror(errno)));
  }
  return m;
}

Result<void> SqliteStore::save_summary(MailboxId id, uint32_t uid, std::string_view summary) {
  std::lock_guard l(wmu_);
  Stmt q(*w_, "UPDATE messages SET summary = ? WHERE mailbox_id = ? AND uid = ?", "save summary");
  if (auto r = q.bind(summary).bind(id.value).bind(int64_t{uid}).run(); !r) return r;
  syncer_.db_written();
  return {};
}

// -- writer helpers; wmu_ held, inside a transaction --

Result<SqliteStore::MailboxRow> SqliteStore::writer_mailbox(MailboxId id, std::string_view op) {
  Stmt q(*w_,
         "SELECT account_id, uidvalidity, uidnext, highest_modseq, modseq_reserved FROM mailboxes WHERE id = ?", op);
  if (!q.bind(id.value).row()) {
    if (!q.ok()) return q.error();
    return make_error(Errc::not_found, "mailbox not found");
  }
  return MailboxRow{q.i64(0), static_cast<uint32_t>(q.i64(1)), static_cast<uint32_t>(q.i64(2)),
                    static_cast<uint64_t>(q.i64(3)), static_cast<uint64_t>(q.i64(4))};
}

Result<void> SqliteStore::write_mailbox_counters(MailboxId id, uint32_t uidnext, uint64_t modseq,
                                                 std::string_view op) {
  Stmt q(*w_, "UPDATE mailboxes SET uidnext = ?, highest_modseq = ? WHERE id = ?", op);
  return q.bind(int64_t{uidnext}).bind(static_cast<int64_t>(modseq)).bind(id.value).run();
}

Result<bool> SqliteStore::publish_modseq(MailboxId id, uint64_t modseq, uint64_t reserved, std::string_view op) {
  constexpr uint64_t kBlock = 100000;
  // What is durably reserved: the row's value, unless this process raised it and no flush has covered it yet.
  auto pending = reserved_pending_.find(id.value);
  uint64_t durable = pending == reserved_pending_.end() ? reserved : reserved_durable_[id.value];
  if (modseq <= durable) {
    Stmt q(*w_,
           "UPDATE mailboxes SET highest_modseq = ?, visible_modseq = max(visible_modseq, ?) WHERE id = ?", op);
    if (auto r = q.bind(static_cast<int64_t>(modseq)).bind(static_cast<int64_t>(modseq)).bind(id.value).run(); !r)
      return r.error();
    return false;
  }
  uint64_t next = reserved;
  if (modseq > reserved) {
    next = modseq + kBlock;
    if (pending == reserved_pending_.end()) reserved_durable_[id.value] = reserved;
    reserved_pending_[id.value] = next;
  }
  Stmt q(*w_, "UPDATE mailboxes SET highest_modseq = ?, modseq_reserved = ? WHERE id = ?", op);
  if (auto r = q.bind(static_cast<int64_t>(modseq)).bind(static_cast<int64_t>(next)).bind(id.value).run(); !r)
    return r.error();
  return true;  // published by the sync that makes the reservation durable
}

// -- mutations --

Result<FlagResult> SqliteStore::set_flags(MailboxId id, std::span<const uint32_t> uids_in, const FlagChange& change) {
  auto uids = sorted_unique(uids_in);
  FlagResult out;
  if (uids.empty()) return out;
  int64_t account = 0;
  bool sync_now = false;
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "store flags");
    if (!tx.begun()) return tx.begun().error();
    auto mb = writer_mailbox(id, "store flags");
    if (!mb) return mb.error();
    uint64_t modseq = mb->modseq + 1;
    struct Row {
      int64_t id;
      MessageInfo info;
    };
    std::vector<Row> changed;
    {
      Stmt q(*w_,
             "SELECT id, uid, modseq, internal_date, size, flags, keywords FROM messages "
             "WHERE mailbox_id = ? AND uid >= ? AND uid <= ? ORDER BY uid",
             "store flags");
      q.bind(id.value).bind(int64_t{uids.front()}).bind(int64_t{uids.back()});
      while (q.row()) {
        auto uid = static_cast<uint32_t>(q.i64(1));
        if (!contains(uids, uid)) continue;
        MessageInfo m = read_message_row(q);
        if (change.unchanged_since && m.modseq > *change.unchanged_since) {
          out.failed.push_back(uid);
          continue;
        }
        if (!apply(change, m.flags, m.keywords)) continue;
        m.modseq = modseq;
        changed.push_back(Row{q.i64(0), std::move(m)});
      }
      if (!q.ok()) return q.error();
    }
    if (changed.empty()) return out;
    for (const auto& r : changed) {
      Stmt u(*w_, "UPDATE messages SET flags = ?, keywords = ?, modseq = ? WHERE id = ?", "store flags");
      u.bind(int64_t{r.info.flags}).bind(join_keywords(r.info.keywords)).bind(static_cast<int64_t>(modseq));
      if (auto ur = u.bind(r.id).run(); !ur) return ur.error();
    }
    auto must_sync = publish_modseq(id, modseq, mb->modseq_reserved, "store flags");
    if (!must_sync) return must_sync.error();
    if (auto r = tx.commit(); !r) return r.error();
    for (auto& r : changed) out.changed.push_back(std::move(r.info));
    account = mb->account_id;
    sync_now = *must_sync;
    syncer_.db_written();
  }
  if (sync_now) {
    if (auto r = sync(); !r) return r.error();
  } else {
    notify(account, id.value);
  }
  return out;
}

Result<std::vector<uint32_t>> SqliteStore::expunge(MailboxId id, std::optional<std::span<const uint32_t>> uids_in) {
  std::vector<uint32_t> only;
  if (uids_in) only = sorted_unique(*uids_in);
  std::vector<uint32_t> out;
  std::vector<fs::path> files;
  int64_t account = 0;
  bool sync_now = false;
  {
    std::lock_guard l(wmu_);
    Transaction tx(*w_, "expunge");
    if (!tx.begun()) return tx.begun().error();
    auto mb = writer_mailbox(id, "expunge");
    if (!mb) return mb.error();
    std::vector<int64_t> ids;
    {
      Stmt q(*w_,
             "SELECT m.id, m.uid, m.file FROM messages m JOIN mailboxes mb ON mb.id = m.mailbox_id "
             "WHERE m.mailbox_id = ? AND (m.flags & 8) != 0 AND (? OR m.uid < mb.visible_uidnext) ORDER BY m.uid",
             "expunge");
      // UIDs named by the caller may be unpublished ones (an APPEND undone); without a list only what readers see.
      q.bind(id.value).bind(int64_t{uids_in ? 1 : 0});
      while (q.row()) {
        auto uid = static_cast<uint32_t>(q.i64(1));
        if (uids_in && !contains(only, uid)) continue;
        ids.push_back(q.i64(0));
        out.push_back(uid);
        files.push_back(account_dir(mb->account_id) / q.text(2));
      }
      if (!q.ok()) return q.error();
    }
    if (out.empty()) return out;
    uint64_t modseq = mb->modseq + 1;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      Stmt d(*w_, "DELETE FROM messages WHERE id = ?", "expunge");
      if (auto r = d.bind(ids[i]).run(); !r) return r.error();
      Stmt t(*w_, "INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)", "expunge: tombstone");
      if (auto r = t.bind(id.value).bind(int64_t{out[i]}).bind(static_cast<int64_t>(modseq)).run(); !r)
        return r.error();
    }
    auto must_sync = publish_modseq(id, modseq, mb->modseq_reserved, "expunge");
    if (!must_sync) return must_sync.error();
    if (auto r = tx.commit(); !r) return r.error();
    account = mb->account_id;
    sync_now = *must_sync;
    syncer_.db_written();
  }
  for (auto& f : files) unlink_after_sync(std::move(f));
  if (sync_now) {
    if (auto r = sync(); !r) return r.error();
  } else {
    notify(account, id.value);
  }
  return out;
}

Result<void> SqliteStore::copy_rows(int64_t from, std::span<const uint32_t> uids, int64_t to, bool move,
                                    CopyResult& out, std::vector<fs::path>& links) {
  auto src = writer_mailbox(MailboxId{from}, "copy");
  if (!src) return src.error();
  auto dst = writer_mailbox(MailboxId{to}, "copy");
  if (!dst) return dst.error();
  if (src->account_id != dst->account_id) return make_error(Errc::invalid, "copy between accounts");
  out.uidvalidity = dst->uidvalidity;
  struct Row {
    int64_t id;
    uint32_t uid;
    std::string file;
  };
  std::vector<Row> rows;
  {
    Stmt q(*w_, "SELECT id, uid, file FROM messages WHERE mailbox_id = ? ORDER BY uid", "copy");
    q.bind(from);
    while (q.row()) {
      auto uid = static_cast<uint32_t>(q.i64(1));
      if (contains(uids, uid)) rows.push_back(Row{q.i64(0), uid, q.text(2)});
    }
    if (!q.ok()) return q.error();
  }
  if (rows.empty()) return {};
  if (uint64_t{dst->uidnext} + rows.size() >= UINT32_MAX) return make_error(Errc::limit, "mailbox out of UIDs");
  uint32_t uidnext = dst->uidnext;
  uint64_t dst_modseq = dst->modseq + 1, src_modseq = src->modseq + 1;
  const fs::path dir = account_dir(src->account_id);
  for (const auto& r : rows) {
    uint32_t uid = uidnext++;
    out.source_uids.push_back(r.uid);
    out.dest_uids.push_back(uid);
    if (move) {
      Stmt u(*w_, "UPDATE messages SET mailbox_id = ?, uid = ?, modseq = ? WHERE id = ?", "move");
      if (auto ur = u.bind(to).bind(int64_t{uid}).bind(static_cast<int64_t>(dst_modseq)).bind(r.id).run(); !ur)
        return ur;
      Stmt t(*w_, "INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)", "move: tombstone");
      if (auto tr = t.bind(from).bind(int64_t{r.uid}).bind(static_cast<int64_t>(src_modseq)).run(); !tr) return tr;
      continue;
    }
    std::string file = std::to_string(to) + "." + std::to_string(uid);
    fs::path target = dir / file;
    ::unlink(target.c_str());  // a leftover of a rolled-back copy
    if (::link((dir / r.file).c_str(), target.c_str()) != 0)
      return make_error(Errc::temporary, "copy message file: " + std::string(std::strerror(errno)));
    links.push_back(target);
    Stmt c(*w_,
           "INSERT INTO messages (mailbox_id, uid, modseq, internal_date, size, flags, keywords, file, summary) "
           "SELECT ?, ?, ?, internal_date, size, flags, keywords, ?, summary FROM messages WHERE id = ?",
           "copy");
    if (auto cr = c.bind(to).bind(int64_t{uid}).bind(static_cast<int64_t>(dst_modseq)).bind(file).bind(r.id).run();
        !cr)
      return cr;
  }
  if (auto r = write_mailbox_counters(MailboxId{to}, uidnext, dst_modseq, "copy"); !r) return r;
  if (move) {
    if (auto r = write_mailbox_counters(MailboxId{from}, src->uidnext, src_modseq, "move"); !r) return r;
  }
  return {};
}

Result<CopyResult> SqliteStore::copy(MailboxId from, std::span<const uint32_t> uids_in, MailboxId to, bool move) {
  auto uids = sorted_unique(uids_in);
  CopyResult out;
  std::vector<fs::path> links;
  {
    std::lock_guard l(wmu_);
    if (from == to && move) return make_error(Errc::invalid, "move into the same mailbox");
    Transaction tx(*w_, move ? "move" : "copy");
    if (!tx.begun()) return tx.begun().error();
    auto r = copy_rows(from.value, uids, to.value, move, out, links);
    if (r) r = tx.commit();
    if (!r) {
      for (const auto& p : links) ::unlink(p.c_str());
      return r.error();
    }
    // Registered before the lock goes: a sync that publishes these UIDs must flush their files and rows.
    for (auto& p : links) syncer_.written(std::move(p));
    syncer_.db_written();
  }
  return out;
}

Result<AppendResult> SqliteStore::append(MailboxId id, const AppendData& m) {
  if (read_only_) return make_error(Errc::permanent, "append: the store is read-only");
  std::lock_guard l(wmu_);
  // This process is the only writer of messages (wmu_): the UID read here cannot move before the insert.
  MailboxRow mb;
  {
    Transaction rtx(*w_, "append: plan", false);
    if (!rtx.begun()) return rtx.begun().error();
    auto r = writer_mailbox(id, "append");
    if (!r) return r.error();
    mb = *r;
    if (auto c = rtx.commit(); !c) return c.error();
  }
  if (mb.uidnext == UINT32_MAX) return make_error(Errc::limit, "mailbox has used all 32-bit UIDs");
  uint32_t uid = mb.uidnext;
  std::string file = std::to_string(id.value) + "." + std::to_string(uid);
  fs::path path = account_dir(mb.account_id) / file;
  FileContent c{{}, m.data, m.fd, m.offset, m.size};
  if (auto r = write_message_file(path, c); !r) return r.error();
  std::string summary = make_summary(path, m.bytes());
  Transaction tx(*w_, "append");
  auto fail = [&](core::Error e) -> Result<AppendResult> {
    ::unlink(path.c_str());
    return e;
  };
  if (!tx.begun()) return fail(tx.begun().error());
  auto now = writer_mailbox(id, "append");
  if (!now) return fail(now.error());
  if (now->uidnext != uid) return fail(make_error(Errc::temporary, "append: mailbox changed meanwhile"));
  Stmt q(*w_,
         "INSERT INTO messages (mailbox_id, uid, modseq, internal_date, size, flags, keywords, file, summary) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
         "append");
  auto date = m.internal_date == core::TimePoint{} ? clock_->now() : m.internal_date;
  q.bind(id.value).bind(int64_t{uid}).bind(static_cast<int64_t>(now->modseq + 1)).bind(unix_millis(date));
  q.bind(static_cast<int64_t>(m.bytes())).bind(int64_t{m.flags & kAllFlags}).bind(join_keywords(m.keywords));
  q.bind(file);
  if (summary.empty()) {
    q.bind_null();
  } else {
    q.bind(summary);
  }
  if (auto r = q.run(); !r) return fail(r.error());
  if (auto r = write_mailbox_counters(id, uid + 1, now->modseq + 1, "append"); !r) return fail(r.error());
  if (auto r = tx.commit(); !r) return fail(r.error());
  syncer_.written(path);
  syncer_.db_written();
  return AppendResult{now->uidvalidity, uid};
}

}  // namespace axon::store::sqlite
