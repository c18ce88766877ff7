// Delivery into the embedded store (the queue's router calls it). See sqlite_store.h.
//
// Per batch (RFC 9051 §2.3.1.1 UIDs, RFC 7162 §3.1 mod-sequences): plan with reads only, write the message files,
// then one short write transaction that checks the counters did not move meanwhile and inserts the rows. A new
// mailbox starts at highest_modseq 1 (RFC 7162: HIGHESTMODSEQ is positive), so its first message gets modseq 2.
// Message files are named "<mailbox id>.<uid>": a rolled-back batch leaves at most files that the retry
// overwrites. Delivery keys live in delivery_keys: a key whose message is gone is spent, not free.
#include <map>
#include <tuple>

#include "store/sqlite/sqlite_store.h"

namespace axon::store::sqlite {

using core::Errc;
using core::Error;
using core::make_error;

namespace {

struct SummaryKey {
  int fd;
  uint64_t offset;
  const char* data;
  const char* prefix;
  uint64_t size;
  bool operator<(const SummaryKey& o) const {
    return std::tie(fd, offset, data, prefix, size) < std::tie(o.fd, o.offset, o.data, o.prefix, o.size);
  }
};

// A file error concerns one item (the batch goes on); a missing directory or file is an I/O problem here.
Error file_error(Error e) {
  if (e.code == Errc::not_found) e.code = Errc::temporary;
  e.detail = "message file: " + e.detail;
  return e;
}

}  // namespace

// What deliver() does with one item.
struct SqliteStore::Plan {
  enum Kind { failed, insert, duplicate, rewrite, repeat } kind = failed;
  int64_t mailbox_id = 0, row_id = 0;
  uint32_t uid = 0;
  uint64_t modseq = 0;
  std::string file;
  fs::path path;
  bool fix_size = false;    // rewrite: the row's size is wrong too
  std::size_t same_as = 0;  // repeat: the index of the first delivery with this key
  const std::string* summary = nullptr;
};

// Three steps, so that the database's write lock is never held while message data is written: plan with reads
// only (duplicates, mailboxes, UIDs from the counters), write the files, then one short write transaction that
// checks the counters did not move meanwhile (else the whole batch is retried) and inserts the rows.
std::vector<Result<DeliveryOutcome>> SqliteStore::deliver(std::span<const Delivery> batch) {
  std::vector<Result<DeliveryOutcome>> out(batch.size(), Result<DeliveryOutcome>(DeliveryOutcome{}));
  if (batch.empty()) return out;
  if (read_only_) {  // refused before any message file is written
    out.assign(batch.size(), Result<DeliveryOutcome>(make_error(Errc::permanent, "deliver: the store is read-only")));
    return out;
  }
  std::lock_guard l(wmu_);
  // A storage failure is never the message's fault: every batch-level error is temporary, so the queue
  // retries instead of bouncing (the detail keeps SQLite's own code).
  auto fail_all = [&](Error e) {
    cache_.clear();
    e.code = Errc::temporary;
    out.assign(batch.size(), Result<DeliveryOutcome>(e));
    return out;
  };
  std::vector<Plan> plan(batch.size());
  std::map<SummaryKey, std::string> summaries;
  std::unordered_map<int64_t, Counters> before, after;  // mailbox id → counters as read / after this batch
  std::unordered_map<std::string_view, std::size_t> keys;  // delivery key → first delivery with it in this batch
  {
    // One read transaction for the whole plan (one snapshot, one shared lock), ended before the files are
    // written; the write transaction checks below that the counters read here did not move.
    Transaction rtx(*w_, "deliver: plan", false);
    if (!rtx.begun()) return fail_all(rtx.begun().error());
    if (auto r = check_cache_version(); !r) return fail_all(r.error());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::optional<Error> fatal;
      plan_one(batch, i, plan[i], out[i], before, after, keys, fatal);
      if (fatal) return fail_all(*fatal);
    }
    if (auto r = rtx.commit(); !r) return fail_all(r.error());
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Plan& p = plan[i];
    if (p.kind != Plan::insert && p.kind != Plan::rewrite) continue;
    const Delivery& d = batch[i];
    FileContent c{d.prefix, d.data, d.data_fd, d.data_offset, d.data_size};
    if (auto r = write_message_file(p.path, c); !r) {
      out[i] = file_error(r.error());
      p.kind = Plan::failed;
      continue;
    }
    syncer_.written(p.path);
    if (p.kind == Plan::insert) {
      // Recipients of one message share its data and prefix: summarize once.
      SummaryKey k{d.data_fd, d.data_offset, d.data.data(), d.prefix.data(), d.size()};
      auto it = summaries.find(k);
      if (it == summaries.end()) it = summaries.emplace(k, make_summary(p.path, d.size())).first;
      p.summary = &it->second;
    }
  }

  Transaction tx(*w_, "deliver");
  if (!tx.begun()) return fail_all(tx.begun().error());
  for (const auto& [mailbox_id, c] : before) {
    Stmt q(*w_, "SELECT uidnext, highest_modseq FROM mailboxes WHERE id = ?", "deliver: check mailbox");
    bool same = q.bind(mailbox_id).row() && static_cast<uint32_t>(q.i64(0)) == c.uidnext &&
                static_cast<uint64_t>(q.i64(1)) == c.modseq;
    if (!q.ok()) return fail_all(q.error());
    if (!same) return fail_all(make_error(Errc::temporary, "deliver: a mailbox changed meanwhile"));
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Plan& p = plan[i];
    const Delivery& d = batch[i];
    if (p.kind == Plan::rewrite && p.fix_size) {
      Stmt u(*w_, "UPDATE messages SET size = ? WHERE id = ?", "deliver: fix size");
      if (auto r = u.bind(static_cast<int64_t>(d.size())).bind(p.row_id).run(); !r) return fail_all(r.error());
    }
    if (p.kind != Plan::insert) continue;
    Stmt q(*w_,
           "INSERT INTO messages (mailbox_id, uid, modseq, internal_date, size, flags, keywords, file, summary) "
           "VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)",
           "deliver: insert message");
    q.bind(p.mailbox_id).bind(int64_t{p.uid}).bind(static_cast<int64_t>(p.modseq));
    auto internal_date = d.internal_date == core::TimePoint{} ? clock_->now() : d.internal_date;
    q.bind(unix_millis(internal_date)).bind(static_cast<int64_t>(d.size())).bind(int64_t{d.flags}).bind(p.file);
    if (p.summary && !p.summary->empty()) {
      q.bind(*p.summary);
    } else {
      q.bind_null();
    }
    if (auto r = q.run(); !r) return fail_all(r.error());
    if (!d.delivery_key.empty()) {
      Stmt k(*w_, "INSERT INTO delivery_keys (key, message_id, fingerprint, created) VALUES (?, ?, ?, ?)",
             "deliver: record key");
      k.bind(d.delivery_key).bind(sqlite3_last_insert_rowid(w_->handle()));
      k.bind(static_cast<int64_t>(d.fingerprint)).bind(unix_seconds(clock_->now()));
      if (auto r = k.run(); !r) return fail_all(r.error());
    }
    out[i] = DeliveryOutcome{false, p.uid};
  }
  for (const auto& [mailbox_id, c] : after) {
    Stmt q(*w_, "UPDATE mailboxes SET uidnext = ?, highest_modseq = ? WHERE id = ?", "deliver: update mailbox");
    if (auto r = q.bind(int64_t{c.uidnext}).bind(static_cast<int64_t>(c.modseq)).bind(mailbox_id).run(); !r)
      return fail_all(r.error());
  }
  if (auto r = tx.commit(); !r) return fail_all(r.error());
  syncer_.db_written();
  // Repeats of a key within the batch share the first one's outcome.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (plan[i].kind != Plan::repeat) continue;
    const auto& first = out[plan[i].same_as];
    out[i] = first.ok() ? Result<DeliveryOutcome>(DeliveryOutcome{true, first->uid}) : first;
  }
  return out;
}

void SqliteStore::plan_one(std::span<const Delivery> batch, std::size_t index, Plan& p, Result<DeliveryOutcome>& result,
              std::unordered_map<int64_t, Counters>& before, std::unordered_map<int64_t, Counters>& after,
              std::unordered_map<std::string_view, std::size_t>& keys, std::optional<Error>& fatal) {
  const Delivery& d = batch[index];
  p.kind = Plan::failed;
  const uint64_t size = d.size();
  if (!d.delivery_key.empty()) {
    if (auto it = keys.find(d.delivery_key); it != keys.end()) {
      uint64_t first = batch[it->second].fingerprint;
      if (first != 0 && d.fingerprint != 0 && first != d.fingerprint) {  // two messages, one key
        result = make_error(Errc::exists, "delivery key " + d.delivery_key + " holds another message");
        return;
      }
      p.kind = Plan::repeat;
      p.same_as = it->second;
      return;
    }
    keys.emplace(d.delivery_key, index);
    Stmt q(*w_,
           "SELECT k.fingerprint, m.id, m.uid, m.size, m.file, mb.account_id FROM delivery_keys k "
           "LEFT JOIN messages m ON m.id = k.message_id LEFT JOIN mailboxes mb ON mb.id = m.mailbox_id "
           "WHERE k.key = ?",
           "deliver: find key");
    if (q.bind(d.delivery_key).row()) {
      auto stored_fp = static_cast<uint64_t>(q.i64(0));
      if (stored_fp != 0 && d.fingerprint != 0 && stored_fp != d.fingerprint) {
        // Another message under a key that must be unique: never a silent drop or an overwrite.
        result = make_error(Errc::exists, "delivery key " + d.delivery_key + " holds another message");
        return;
      }
      if (q.is_null(1)) {  // spent: its message was expunged or deleted; a replay must not bring it back
        result = DeliveryOutcome{true, 0};
        p.kind = Plan::duplicate;
        return;
      }
      p.row_id = q.i64(1);
      auto uid = static_cast<uint32_t>(q.i64(2));
      auto stored = static_cast<uint64_t>(q.i64(3));
      p.path = account_dir(q.i64(5)) / q.text(4);
      result = DeliveryOutcome{true, uid};
      // The row committed but the file was lost or cut short (crash before sync): write it again.
      p.fix_size = stored != size;
      p.kind = (p.fix_size || !message_file_ok(p.path, stored)) ? Plan::rewrite : Plan::duplicate;
      return;
    }
    if (!q.ok()) {
      fatal = q.error();
      return;
    }
  }
  auto ref = mailbox_ref(d.account, mailbox_name(d.mailbox), fatal);
  if (!ref) {
    result = ref.error();
    return;
  }
  auto it = after.find(ref->mailbox_id);
  if (it == after.end()) {
    Stmt q(*w_, "SELECT uidnext, highest_modseq FROM mailboxes WHERE id = ?", "deliver: read mailbox");
    if (!q.bind(ref->mailbox_id).row()) {
      if (!q.ok()) {
        fatal = q.error();
        return;
      }
      cache_.clear();
      result = make_error(Errc::not_found, "mailbox vanished");
      return;
    }
    Counters c{static_cast<uint32_t>(q.i64(0)), static_cast<uint64_t>(q.i64(1))};
    before.emplace(ref->mailbox_id, c);
    it = after.emplace(ref->mailbox_id, c).first;
  }
  Counters& c = it->second;
  // RFC 3501 §2.3.1.1: UIDs are 32-bit and strictly ascending; at the end a new UIDVALIDITY would be needed.
  if (c.uidnext == UINT32_MAX) {
    result = make_error(Errc::limit, "mailbox has used all 32-bit UIDs");
    return;
  }
  p.kind = Plan::insert;
  p.mailbox_id = ref->mailbox_id;
  p.uid = c.uidnext++;
  p.modseq = ++c.modseq;
  p.file = std::to_string(ref->mailbox_id) + "." + std::to_string(p.uid);
  p.path = account_dir(ref->account_id) / p.file;
}

Result<SqliteStore::MailboxRef> SqliteStore::mailbox_ref(std::string_view account_in, const std::string& mailbox,
                               std::optional<Error>& fatal) {
  auto abort = [&](const Error& e) -> Result<MailboxRef> {
    fatal = e;
    return e;
  };
  std::string account = core::to_lower_ascii(account_in);
  std::string key = account;
  key += '\0';
  key += mailbox;
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  Stmt q(*w_,
         "SELECT a.id, mb.id FROM accounts a JOIN mailboxes mb ON mb.account_id = a.id "
         "WHERE a.address = ? AND mb.name = ?",
         "deliver: find mailbox");
  if (q.bind(account).bind(mailbox).row()) {
    MailboxRef ref{q.i64(0), q.i64(1)};
    cache_.emplace(std::move(key), ref);
    return ref;
  }
  if (!q.ok()) return abort(q.error());
  auto acc = lookup_id("SELECT id FROM accounts WHERE address = ?", account, "deliver: find account");
  if (!acc) return abort(acc.error());
  if (*acc == 0) return make_error(Errc::not_found, "account " + account + " not found");
  return make_error(Errc::not_found, "mailbox " + mailbox + " of " + account + " not found");
}
}  // namespace axon::store::sqlite
