// imap::Session: the loop (framing, dispatch by state, waits, IDLE, output pieces). See session.h.
#include "imap/session.h"

#include <algorithm>

#include "imap/format.h"
#include "imap/session_parts.h"

namespace axon::imap {

namespace {

constexpr std::size_t kOutputChunk = 256 * 1024;  // a long response is produced this much at a time

// Before login no APPEND can succeed: message literals are refused before their data (a non-synchronizing one
// closes the connection), and commands are kept small, so a stranger cannot park data on the server.
FramerLimits pre_login_limits(FramerLimits l) {
  l.max_message_literal = 0;
  l.max_command = std::min<std::size_t>(l.max_command, 16 * 1024);
  l.max_literals = std::min<std::size_t>(l.max_literals, 4);
  return l;
}

bool loopback(const std::string& ip) {
  return ip == "::1" || ip.rfind("127.", 0) == 0 || ip.rfind("::ffff:127.", 0) == 0;
}

// Which commands each state allows (RFC 9051 §6).
bool allowed(CommandName n, Session::State s) {
  switch (n) {
    case CommandName::capability:
    case CommandName::noop:
    case CommandName::logout:
    case CommandName::id:
      return true;
    case CommandName::enable:  // RFC 5161 §3.1: authenticated state only
      return s == Session::State::authenticated;
    case CommandName::starttls:
    case CommandName::authenticate:
    case CommandName::login:
      return s == Session::State::not_authenticated;
    case CommandName::check:
    case CommandName::close:
    case CommandName::unselect:
    case CommandName::expunge:
    case CommandName::search:
    case CommandName::sort:
    case CommandName::thread:
    case CommandName::fetch:
    case CommandName::store:
    case CommandName::copy:
    case CommandName::move:
      return s == Session::State::selected;
    default:
      return s == Session::State::authenticated || s == Session::State::selected;
  }
}

}  // namespace

Session::Session(const SessionConfig& cfg, store::MailStore& store, auth::Authenticator& auth,
                 store::SyncService& sync, const net::Peer& peer, net::Wake wake)
    : cfg_(cfg),
      store_(store),
      auth_(auth),
      sync_(sync),
      peer_(peer),
      wake_(std::move(wake)),
      framer_(pre_login_limits(cfg.limits)),
      alive_(std::make_shared<bool>(true)) {}

Session::~Session() {
  *alive_ = false;
  watch_.reset();
  if (!connection_key_.empty() && cfg_.user_connections) cfg_.user_connections->release(connection_key_);
}

bool UserConnections::acquire(const std::string& key) {
  std::lock_guard l(mu_);
  auto& n = count_[key];
  if (n >= limit_) {
    if (n == 0) count_.erase(key);
    return false;
  }
  ++n;
  return true;
}

void UserConnections::release(const std::string& key) {
  std::lock_guard l(mu_);
  auto it = count_.find(key);
  if (it == count_.end()) return;
  if (--it->second == 0) count_.erase(it);
}

bool Session::secure() const { return tls_ || loopback(peer_.ip); }

std::string Session::capabilities() const {
  std::string c = "IMAP4rev1 IMAP4rev2";
  if (state_ == State::not_authenticated) {
    if (cfg_.tls_available && !tls_) c += " STARTTLS";
    if (secure() || cfg_.allow_plaintext) {
      c += " AUTH=PLAIN AUTH=LOGIN";
    } else {
      c += " LOGINDISABLED";
    }
    c += " SASL-IR ID ENABLE LITERAL+";
    return c;
  }
  c += " LITERAL+ SASL-IR ID ENABLE IDLE UIDPLUS MOVE UNSELECT NAMESPACE CHILDREN SPECIAL-USE CREATE-SPECIAL-USE"
       " LIST-EXTENDED LIST-STATUS ESEARCH SEARCHRES CONDSTORE QRESYNC BINARY MULTIAPPEND UTF8=ACCEPT"
       " STATUS=SIZE OBJECTID SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES";
  if (!deflate_) c += " COMPRESS=DEFLATE";
  c += " APPENDLIMIT=" + std::to_string(cfg_.limits.max_message_literal);
  return c;
}

ParseOptions Session::parse_options() const {
  ParseOptions o;
  o.utf8 = utf8_;
  return o;
}

void Session::start(std::string tls_description) {
  tls_ = !tls_description.empty();
  out_ += "* OK [CAPABILITY " + capabilities() + "] " + cfg_.hostname + " Axon IMAP ready\r\n";
}

void Session::receive(std::string_view bytes) {
  if (closing_) return;
  if (deflate_) {
    deflate_->feed(bytes);
  } else {
    in_.append(bytes);
  }
  process();
}

void Session::tls_ready(std::string) {
  tls_ = true;
  process();
}

void Session::tls_failed() { closing_ = true; }

void Session::idle_timeout() {
  out_ += "* BYE Autologout; idle for too long\r\n";
  closing_ = true;
}

void Session::wait_timeout() {
  ++wait_seq_;  // the late answer is stale
  busy_ = false;
  out_ += "* BYE [UNAVAILABLE] Internal server error, try again later\r\n";
  closing_ = true;
}

void Session::shutdown() {
  shutting_down_ = true;
  if (busy_ || fetch_ || append_) return;  // finishes first (next_step checks shutting_down_)
  out_ += "* BYE Server shutting down\r\n";
  closing_ = true;
}

std::string Session::take_output() {
  while (fetch_ && out_.size() < kOutputChunk) {
    if (!fetch_more()) {
      fetch_.reset();
      process();
      break;
    }
  }
  std::string o;
  o.swap(out_);
  if (deflate_ && !compress_starting_ && !o.empty()) return deflate_->compress(o);
  if (compress_starting_) {
    // The tagged OK went out as it is; from here on both directions are compressed (RFC 4978 §3). Octets the
    // client sent after the command are already compressed.
    compress_starting_ = false;
    deflate_->feed(in_);
    in_.clear();
    process();  // what the client pipelined after COMPRESS
  }
  return o;
}

net::Step Session::next_step() {
  if (start_tls_) {
    start_tls_ = false;
    return net::Step::start_tls;
  }
  if (closing_) return net::Step::close;
  if (fetch_ || !out_.empty()) return net::Step::write_more;
  if (compress_starting_) return net::Step::write_more;
  if (busy_) return net::Step::wait;
  if (shutting_down_ && !append_ && idle_tag_.empty()) {
    out_ += "* BYE Server shutting down\r\n";
    closing_ = true;
    return net::Step::write_more;
  }
  return net::Step::read;
}

void Session::bad(const std::string& tag, const std::string& reason) {
  if (tag.empty()) {
    out_ += "* BAD " + reason + "\r\n";
  } else {
    out_ += tag + " BAD " + reason + "\r\n";
  }
  if (++bad_count_ >= cfg_.max_bad_commands) {
    out_ += "* BYE Too many invalid IMAP commands.\r\n";
    closing_ = true;
  }
}

void Session::tagged(const std::string& tag, const std::string& status, const std::string& text) {
  if (view_ && news_) refresh(allow_expunge_);
  out_ += tag + " " + status + " " + text + "\r\n";
}

void Session::store_error(const std::string& tag, const core::Error& e) {
  using core::Errc;
  switch (e.code) {
    case Errc::not_found:
      tagged(tag, "NO", "[NONEXISTENT] Mailbox doesn't exist");
      break;
    case Errc::exists:
      tagged(tag, "NO", "[ALREADYEXISTS] Mailbox already exists");
      break;
    case Errc::limit:
    case Errc::quota:
    case Errc::too_big:
      tagged(tag, "NO", "[LIMIT] Limit reached");
      break;
    case Errc::invalid:
      tagged(tag, "NO", "[CANNOT] Operation not allowed");
      break;
    default:
      tagged(tag, "NO", "[UNAVAILABLE] Internal error occurred. Refer to server log for more information.");
  }
}

void Session::go_async() {
  busy_ = true;
  ++wait_seq_;
}

void Session::resume(uint64_t seq, std::function<void()> f) {
  if (seq != wait_seq_ || !busy_) return;  // stale: the wait timed out meanwhile
  busy_ = false;
  f();
  if (!busy_) process();
}

void Session::after_sync(std::function<void(bool)> then) {
  go_async();
  uint64_t seq = wait_seq_;
  sync_.request([wake = wake_, seq, this, then = std::move(then)](core::Result<void> r) {
    bool ok = r.ok();
    wake([this, seq, ok, then] { resume(seq, [&] { then(ok); }); });
  });
}

void Session::watch_account() {
  std::weak_ptr<bool> alive = alive_;
  watch_ = store_.watch(account_, [wake = wake_, this, alive](const store::MailboxChange& ch) {
    int64_t mb = ch.mailbox.value;
    wake([this, alive, mb] {
      if (alive.expired()) return;
      if (!view_ || view_->id().value != mb) return;
      news_ = true;
      if (!idle_tag_.empty()) refresh(true);  // IDLE: tell the client now (the driver writes it at once)
    });
  });
}

void Session::refresh(bool allow_expunge) {
  if (!view_) return;
  news_ = false;
  MailboxView::Options o;
  o.allow_expunge = allow_expunge;
  o.qresync = qresync_;
  o.condstore = condstore_;
  auto r = view_->refresh(store_, o, out_);
  if (!r && r.error().code == core::Errc::not_found) {
    // Another session (or the CLI) deleted the selected mailbox: nothing we say about it can be right any more.
    out_ += "* BYE Selected mailbox was deleted, have to disconnect.\r\n";
    closing_ = true;
    view_.reset();
    return;
  }
  if (!r) news_ = true;  // try again at the next chance
}

void Session::process() {
  while (!busy_ && !closing_ && !start_tls_ && !fetch_ && !compress_starting_) {
    if (in_.empty() && deflate_ && deflate_->has_input()) {
      if (!deflate_->inflate_some(in_, 256 * 1024)) {
        out_ += "* BYE Invalid compressed data\r\n";
        closing_ = true;
        return;
      }
    }
    if (in_.empty() && !framer_.closed()) return;
    std::string_view in = in_;
    Frame f = framer_.next(in);
    std::size_t consumed = in_.size() - in.size();
    switch (f.kind) {
      case FrameKind::need_more:
        in_.clear();
        return;
      case FrameKind::command: {
        auto parsed = parse_command(framer_.command(), parse_options());
        if (!parsed) {
          bad(parsed.error().tag, parsed.error().reason);
        } else {
          handle(std::move(*parsed));
        }
        append_.reset();  // streamed APPEND data belongs to this command only (cmd_append took it)
        break;
      }
      case FrameKind::continuation: {
        if (auto mb = append_mailbox(framer_.command(), parse_options())) {
          // An APPEND's message: refuse before the data when the mailbox is missing (RFC 9051 §6.3.12).
          if (state_ == State::not_authenticated) {
            framer_.refuse_literal();
            append_.reset();
            bad(std::string(parsed_tag(framer_.command())), "Not authenticated");
            break;
          }
          auto found = store_.mailbox(account_, *mb);
          if (!found) {
            framer_.refuse_literal();
            append_.reset();
            tagged(std::string(parsed_tag(framer_.command())), "NO",
                   "[TRYCREATE] Mailbox doesn't exist: " + imap_astring(*mb, utf8_));
            break;
          }
        }
        out_ += "+ OK\r\n";
        break;
      }
      case FrameKind::literal_begin:
        cmd_append_begin(f);
        break;
      case FrameKind::literal_data:
        cmd_append_data(f.data);
        break;
      case FrameKind::literal_end:
        cmd_append_end(f);
        break;
      case FrameKind::refused: {
        append_.reset();
        std::string tag(f.tag);
        switch (f.refusal) {
          case Refusal::message_too_big:
            if (tag.empty()) {
              bad(tag, "[TOOBIG] Message too large");
            } else {
              out_ += tag + " NO [TOOBIG] Message too large\r\n";
            }
            break;
          case Refusal::line_too_long:
            bad(tag, "Too long argument");
            break;
          case Refusal::literal_minus:
          case Refusal::command_too_big:
            bad(tag, "[TOOBIG] Command too long");
            break;
          default:
            bad(tag, "Too many literals");
        }
        if (f.fatal) {
          out_ += "* BYE Input out of sync\r\n";
          closing_ = true;
        }
        break;
      }
      case FrameKind::idle_done: {
        std::string tag;
        tag.swap(idle_tag_);
        tagged(tag, "OK", "Idle completed.");
        break;
      }
      case FrameKind::idle_other: {
        std::string tag;
        tag.swap(idle_tag_);
        bad(tag, "Expected DONE.");
        break;
      }
      case FrameKind::auth_line:
        auth_line(f.data);
        break;
      case FrameKind::auth_cancel:
        auth_cancel();
        break;
    }
    in_.erase(0, consumed);
  }
}

void Session::handle(Command c) {
  if (shutting_down_) {
    out_ += "* BYE Server shutting down\r\n";
    closing_ = true;
    return;
  }
  if (!allowed(c.name, state_)) {
    if (state_ == State::not_authenticated) {
      bad(c.tag, "Command not allowed before authentication.");
    } else if (state_ == State::authenticated && allowed(c.name, State::selected)) {
      bad(c.tag, "No mailbox selected.");
    } else {
      bad(c.tag, "Command not allowed in this state.");
    }
    return;
  }
  bad_count_ = 0;
  // RFC 9051 §7.5.1: no EXPUNGE responses during FETCH, STORE or SEARCH (their UID forms may have them).
  allow_expunge_ = c.uid || (c.name != CommandName::fetch && c.name != CommandName::store &&
                             c.name != CommandName::search && c.name != CommandName::sort &&
                             c.name != CommandName::thread);
  switch (c.name) {
    case CommandName::capability:
    case CommandName::noop:
    case CommandName::logout:
    case CommandName::id:
    case CommandName::enable:
    case CommandName::compress:
      return cmd_any(c);
    case CommandName::starttls:
    case CommandName::authenticate:
    case CommandName::login:
      return cmd_login(c);
    case CommandName::select:
    case CommandName::examine:
      return cmd_select(c);
    case CommandName::create:
    case CommandName::delete_:
    case CommandName::rename:
    case CommandName::subscribe:
    case CommandName::unsubscribe:
    case CommandName::namespace_:
      return cmd_mailboxes(c);
    case CommandName::list:
    case CommandName::lsub:
    case CommandName::status:
      return cmd_list(c);
    case CommandName::append:
      return cmd_append(c);
    case CommandName::idle:
      return cmd_idle(c);
    case CommandName::getquota:
    case CommandName::getquotaroot:
    case CommandName::setquota:
      return cmd_quota(c);
    case CommandName::fetch:
      return cmd_fetch(c);
    case CommandName::store:
    case CommandName::expunge:
    case CommandName::close:
    case CommandName::unselect:
    case CommandName::check:
      return cmd_store(c);
    case CommandName::copy:
    case CommandName::move:
      return cmd_copy(c);
    case CommandName::search:
      return cmd_search(c);
    case CommandName::sort:
    case CommandName::thread:
      return cmd_sort(c);
  }
}

void Session::cmd_idle(Command& c) {
  idle_tag_ = c.tag;
  framer_.expect_idle();
  refresh(true);
  out_ += "+ idling\r\n";
}

bool Session::resolve(const Command& c, const SequenceSet& set, std::vector<uint32_t>& seqs) {
  seqs.clear();
  if (!view_) return false;
  uint32_t n = view_->exists();
  if (c.uid) {
    std::vector<Range> saved = saved_;
    auto ranges = set.resolve(std::max(view_->max_uid(), 1u), saved);
    if (view_->messages().empty()) return true;
    for (const auto& r : ranges) {
      // Walk the view between the range's bounds.
      const auto& msgs = view_->messages();
      auto it = std::lower_bound(msgs.begin(), msgs.end(), r.first,
                                 [](const ViewMessage& m, uint32_t u) { return m.uid < u; });
      for (; it != msgs.end() && it->uid <= r.last; ++it) seqs.push_back(static_cast<uint32_t>(it - msgs.begin()) + 1);
    }
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    return true;
  }
  if (set.max_number() > n || (n == 0 && !set.has_saved())) {
    bad(c.tag, "Error in IMAP command: Invalid messageset");
    return false;
  }
  std::vector<Range> saved_seqs;
  if (set.has_saved()) {
    std::vector<uint32_t> s;
    for (const auto& r : saved_)
      for (uint64_t u = r.first; u <= r.last; ++u)
        if (uint32_t q = view_->seq_of(static_cast<uint32_t>(u))) s.push_back(q);
    saved_seqs = to_ranges(s);
  }
  for (const auto& r : set.resolve(n, saved_seqs))
    for (uint64_t q = r.first; q <= r.last; ++q) seqs.push_back(static_cast<uint32_t>(q));
  return true;
}

std::vector<uint32_t> Session::uids_of(const std::vector<uint32_t>& seqs) const {
  std::vector<uint32_t> u;
  u.reserve(seqs.size());
  for (uint32_t s : seqs) u.push_back(view_->messages()[s - 1].uid);
  return u;
}

}  // namespace axon::imap
