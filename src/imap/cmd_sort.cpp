// imap::Session: SORT (RFC 5256 §3, DISPLAYFROM/DISPLAYTO of RFC 5957) and THREAD=ORDEREDSUBJECT and
// THREAD=REFERENCES (RFC 5256 §2.1-2.2). Keys come from the messages' header fields (search_context.h): base
// subjects, first addresses and Date: with the internal date when it is missing; strings compare ASCII
// case-insensitively (i;ascii-casemap), ties by sequence number.
// Security: the header fields are untrusted; References chains are bounded (at most 1000 ids a message) and
// never make a loop.
#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>

#include "core/address.h"
#include "imap/format.h"
#include "imap/search_context.h"
#include "imap/session.h"
#include "imap/session_parts.h"
#include "mime/address.h"
#include "mime/base_subject.h"

namespace axon::imap {

namespace {

struct Info {
  uint32_t seq = 0, number = 0;  // number: UID or sequence number, as the reply shows it
  int64_t arrival = 0, date = 0;
  uint64_t size = 0;
  std::string subject, from, to, cc, display_from, display_to;
  bool reply = false;
  std::string message_id;
  std::vector<std::string> references;
};

std::string mailbox_key(const std::string& raw) {
  auto a = mime::first_address(raw);
  return a ? core::to_lower_ascii(a->mailbox) : std::string();
}

// Message-IDs ("<...>") in a header value, in order.
std::vector<std::string> msg_ids(std::string_view v, std::size_t max) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (out.size() < max) {
    auto a = v.find('<', i);
    if (a == std::string_view::npos) break;
    auto b = v.find('>', a);
    if (b == std::string_view::npos) break;
    std::string id(v.substr(a, b - a + 1));
    std::erase_if(id, [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; });
    if (id.size() > 2) out.push_back(std::move(id));
    i = b + 1;
  }
  return out;
}

// Threads deeper than this are cut (the deeper message starts a thread of its own): every walk below is recursive
// or follows parents, so a crafted chain of References must not make them unbounded.
constexpr std::size_t kMaxDepth = 256;

struct Container {
  int msg = -1;  // index into infos, -1 for a dummy
  Container* parent = nullptr;
  std::vector<Container*> children;
  std::size_t height = 0;  // of its subtree (an upper bound: not lowered when a child leaves)
  std::size_t depth() const {
    std::size_t d = 0;
    for (const Container* p = parent; p && d <= kMaxDepth; p = p->parent) ++d;
    return d;
  }
  bool is_ancestor_of(const Container* c) const {
    std::size_t n = 0;
    for (const Container* p = c; p && n <= kMaxDepth + 1; p = p->parent, ++n)
      if (p == this) return true;
    return false;
  }
};

class Threader {
 public:
  explicit Threader(const std::vector<Info>& infos) : infos_(infos) {}

  std::vector<Container*> references() {
    std::unordered_map<std::string, Container*> by_id;
    auto get = [&](const std::string& id) {
      auto& c = by_id[id];
      if (!c) c = make();
      return c;
    };
    for (std::size_t i = 0; i < infos_.size(); ++i) {
      const Info& m = infos_[i];
      // A missing or repeated Message-ID makes the message unique (RFC 5256 §2.2 step 1).
      Container* self;
      auto it = m.message_id.empty() ? by_id.end() : by_id.find(m.message_id);
      if (!m.message_id.empty() && (it == by_id.end() || it->second->msg < 0)) {
        self = get(m.message_id);
      } else {
        self = make();
      }
      self->msg = static_cast<int>(i);
      Container* prev = nullptr;
      for (const auto& ref : m.references) {
        Container* c = get(ref);
        if (prev && !c->parent && !c->is_ancestor_of(prev) && c != prev && fits(prev, c)) link(prev, c);
        prev = c;
      }
      // The message's parent is its last reference (step 1B), replacing what was there.
      if (self->parent) unlink(self);
      if (prev && prev != self && !self->is_ancestor_of(prev) && fits(prev, self)) link(prev, self);
    }
    std::vector<Container*> roots;
    for (auto& c : all_)
      if (!c->parent) roots.push_back(c.get());
    roots = prune(roots, true);
    sort_children(roots);
    group_by_subject(roots);
    return roots;
  }

  std::vector<Container*> ordered_subject(std::vector<uint32_t> order) {
    // order: message indexes sorted by (base subject, date, seq); threads are runs of one subject.
    std::vector<Container*> roots;
    Container* head = nullptr;
    for (uint32_t i : order) {
      Container* c = make();
      c->msg = static_cast<int>(i);
      if (head && infos_[head->msg].subject == infos_[i].subject) {
        link(head, c);
      } else {
        head = c;
        roots.push_back(c);
      }
    }
    std::stable_sort(roots.begin(), roots.end(), [&](Container* a, Container* b) { return earlier(a, b); });
    return roots;
  }

  std::string render(const std::vector<Container*>& roots) const {
    std::string out;
    for (Container* r : roots) out += "(" + render(r) + ")";
    return out;
  }

 private:
  Container* make() {
    all_.push_back(std::make_unique<Container>());
    return all_.back().get();
  }
  // Linking keeps every container within kMaxDepth of its root, so the ancestor walks above see whole chains.
  static bool fits(const Container* parent, const Container* child) {
    return parent->depth() + 1 + child->height <= kMaxDepth;
  }
  static void link(Container* parent, Container* child) {
    child->parent = parent;
    parent->children.push_back(child);
    std::size_t h = child->height + 1;
    for (Container* p = parent; p && p->height < h; p = p->parent, ++h) p->height = h;
  }
  static void unlink(Container* c) {
    auto& s = c->parent->children;
    s.erase(std::remove(s.begin(), s.end(), c), s.end());
    c->parent = nullptr;
  }

  // Step 3: empty containers without children go; empty ones with children give them to their parent (at the
  // root only when there is one child).
  std::vector<Container*> prune(const std::vector<Container*>& level, bool root) {
    std::vector<Container*> out;
    for (Container* c : level) {
      c->children = prune(c->children, false);
      for (Container* ch : c->children) ch->parent = c;
      if (c->msg >= 0) {
        out.push_back(c);
      } else if (c->children.empty()) {
        continue;
      } else if (!root || c->children.size() == 1) {
        for (Container* ch : c->children) {
          ch->parent = root ? nullptr : c->parent;
          out.push_back(ch);
        }
      } else {
        out.push_back(c);
      }
    }
    return out;
  }

  int64_t date_of(const Container* c) const {
    if (c->msg >= 0) return infos_[c->msg].date;
    return c->children.empty() ? 0 : date_of(c->children.front());
  }
  uint32_t seq_of(const Container* c) const {
    if (c->msg >= 0) return infos_[c->msg].seq;
    return c->children.empty() ? 0 : seq_of(c->children.front());
  }
  bool earlier(const Container* a, const Container* b) const {
    int64_t da = date_of(a), db = date_of(b);
    return da != db ? da < db : seq_of(a) < seq_of(b);
  }
  void sort_children(std::vector<Container*>& level) {
    for (Container* c : level) sort_children(c->children);
    std::stable_sort(level.begin(), level.end(), [&](Container* a, Container* b) { return earlier(a, b); });
  }
  const Info* first_info(const Container* c) const {
    if (c->msg >= 0) return &infos_[c->msg];
    return c->children.empty() ? nullptr : first_info(c->children.front());
  }

  // Step 5: threads with the same base subject are gathered.
  void group_by_subject(std::vector<Container*>& roots) {
    std::map<std::string, Container*> table;
    for (Container* c : roots) {
      const Info* m = first_info(c);
      if (!m || m->subject.empty()) continue;
      auto it = table.find(m->subject);
      if (it == table.end()) {
        table.emplace(m->subject, c);
        continue;
      }
      Container* old = it->second;
      const Info* om = first_info(old);
      // A dummy wins over a message, a message that is not a reply over one that is (step 5.C).
      if ((c->msg < 0 && old->msg >= 0) || (old->msg >= 0 && om && om->reply && !m->reply)) it->second = c;
    }
    std::vector<Container*> out;
    for (Container* c : roots) {
      const Info* m = first_info(c);
      if (!m || m->subject.empty()) {
        out.push_back(c);
        continue;
      }
      Container* t = table.at(m->subject);
      if (t == c) {
        out.push_back(c);
        continue;
      }
      if (t->msg < 0 && c->msg < 0) {  // both dummies: the children join
        for (Container* ch : c->children) link(t, ch);
        c->children.clear();
      } else if (t->msg < 0) {
        link(t, c);
      } else if (!first_info(t)->reply && m->reply) {
        link(t, c);
      } else {  // neither: a new dummy holds both
        Container* d = make();
        std::replace(out.begin(), out.end(), t, d);
        link(d, t);
        link(d, c);
        table[m->subject] = d;
      }
    }
    roots = std::move(out);
    sort_children(roots);
  }

  std::string render(const Container* c) const {
    std::string s;
    if (c->msg >= 0) s = std::to_string(infos_[c->msg].number);
    if (c->children.size() == 1 && c->msg >= 0) {
      s += " " + render(c->children.front());
    } else if (!c->children.empty()) {
      if (!s.empty()) s += ' ';
      for (const Container* ch : c->children) s += "(" + render(ch) + ")";
    }
    return s;
  }

  const std::vector<Info>& infos_;
  std::vector<std::unique_ptr<Container>> all_;
};

}  // namespace

void Session::cmd_sort(Command& c) {
  const bool thread = c.name == CommandName::thread;
  const std::string& charset = thread ? std::get<Thread>(c.args).charset : std::get<Sort>(c.args).charset;
  if (charset != "UTF-8" && charset != "US-ASCII")
    return tagged(c.tag, "NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
  if (thread) {
    const auto& alg = std::get<Thread>(c.args).algorithm;
    if (alg != "REFERENCES" && alg != "ORDEREDSUBJECT") return bad(c.tag, "Unknown thread algorithm");
  }
  const auto& keys = thread ? std::get<Thread>(c.args).keys : std::get<Sort>(c.args).keys;
  bool uses_modseq = false;
  uint64_t max_modseq = 0;
  auto hits = matching(keys, uses_modseq, max_modseq);
  const auto& msgs = view_->messages();
  std::vector<Range> none;
  std::vector<Info> infos;
  infos.reserve(hits.size());
  for (uint32_t seq : hits) {
    const auto& m = msgs[seq - 1];
    SearchContext ctx{store_, view_->id(), m, seq, none, none, view_->exists(), view_->max_uid(), 0};
    Info i;
    i.seq = seq;
    i.number = c.uid ? m.uid : seq;
    i.arrival = std::chrono::duration_cast<std::chrono::seconds>(m.internal_date.time_since_epoch()).count();
    i.size = m.size;
    auto date = header_time(ctx.raw_field("Date"));
    i.date = date ? *date : i.arrival;  // RFC 5256 §2.2: the internal date when the Date: is missing or bad
    auto bs = mime::base_subject(ctx.raw_field("Subject"));
    i.subject = core::to_lower_ascii(bs.text);
    i.reply = bs.reply_or_forward;
    i.from = mailbox_key(ctx.raw_field("From"));
    i.to = mailbox_key(ctx.raw_field("To"));
    i.cc = mailbox_key(ctx.raw_field("Cc"));
    i.display_from = core::to_lower_ascii(mime::display_sort_key(ctx.raw_field("From")));
    i.display_to = core::to_lower_ascii(mime::display_sort_key(ctx.raw_field("To")));
    if (thread) {
      auto ids = msg_ids(ctx.raw_field("Message-ID"), 1);
      if (!ids.empty()) i.message_id = ids.front();
      i.references = msg_ids(ctx.raw_field("References"), 100);
      if (i.references.empty()) i.references = msg_ids(ctx.raw_field("In-Reply-To"), 1);
    }
    infos.push_back(std::move(i));
  }

  if (thread) {
    Threader t(infos);
    std::vector<Container*> roots;
    if (std::get<Thread>(c.args).algorithm == "REFERENCES") {
      roots = t.references();
    } else {
      std::vector<uint32_t> order(infos.size());
      for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        if (infos[a].subject != infos[b].subject) return infos[a].subject < infos[b].subject;
        if (infos[a].date != infos[b].date) return infos[a].date < infos[b].date;
        return infos[a].seq < infos[b].seq;
      });
      roots = t.ordered_subject(std::move(order));
    }
    std::string line = "THREAD";
    std::string rendered = t.render(roots);
    if (!rendered.empty()) line += " " + rendered;
    untagged(line);
    return tagged(c.tag, "OK", "Thread completed.");
  }

  const auto& criteria = std::get<Sort>(c.args).criteria;
  auto cmp = [&](const Info& a, const Info& b) {
    for (const auto& k : criteria) {
      int r = 0;
      auto three = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
      switch (k.key) {
        case SortKey::arrival: r = three(a.arrival, b.arrival); break;
        case SortKey::cc: r = three(a.cc, b.cc); break;
        case SortKey::date: r = three(a.date, b.date); break;
        case SortKey::from: r = three(a.from, b.from); break;
        case SortKey::size: r = three(a.size, b.size); break;
        case SortKey::subject: r = three(a.subject, b.subject); break;
        case SortKey::to: r = three(a.to, b.to); break;
        case SortKey::display_from: r = three(a.display_from, b.display_from); break;
        case SortKey::display_to: r = three(a.display_to, b.display_to); break;
      }
      if (k.reverse) r = -r;
      if (r) return r < 0;
    }
    return a.seq < b.seq;
  };
  std::stable_sort(infos.begin(), infos.end(), cmp);
  std::string line = "SORT";
  for (const auto& i : infos) line += " " + std::to_string(i.number);
  if (uses_modseq && !infos.empty()) line += " (MODSEQ " + std::to_string(max_modseq) + ")";
  untagged(line);
  tagged(c.tag, "OK", "Sort completed.");
}

}  // namespace axon::imap
