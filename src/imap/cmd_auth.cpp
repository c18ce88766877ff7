// imap::Session: CAPABILITY, NOOP, LOGOUT, ID, ENABLE (any state) and STARTTLS, LOGIN, AUTHENTICATE PLAIN/LOGIN
// with SASL-IR (RFC 9051 §6.1-6.3.1, RFC 4959, RFC 4616, RFC 2971, RFC 5161).
// Security: passwords pass through to the Authenticator and are wiped from our buffers; before TLS they are
// refused unless the peer is on loopback or auth.allow_plaintext is set (RFC 9051 §6.2.3 LOGINDISABLED).
#include "auth/sasl.h"
#include "imap/format.h"
#include "imap/session.h"
#include "imap/session_parts.h"

namespace axon::imap {


void Session::cmd_any(Command& c) {
  switch (c.name) {
    case CommandName::capability:
      untagged("CAPABILITY " + capabilities());
      tagged(c.tag, "OK", "Capability completed.");
      return;
    case CommandName::noop:
      if (view_) refresh(true);
      tagged(c.tag, "OK", "NOOP completed.");
      return;
    case CommandName::logout:
      out_ += "* BYE Logging out\r\n";
      out_ += c.tag + " OK Logout completed.\r\n";
      state_ = State::logout;
      closing_ = true;
      return;
    case CommandName::id:
      // RFC 2971: our identity; what the client says is not logged here.
      untagged("ID (\"name\" \"Axon\")");
      tagged(c.tag, "OK", "ID completed.");
      return;
    case CommandName::enable: {
      const auto& e = std::get<Enable>(c.args);
      std::string enabled;
      for (const auto& cap : e.capabilities) {
        bool now = false;
        if (cap == "CONDSTORE" && !condstore_) now = condstore_ = true;
        if (cap == "QRESYNC" && !qresync_) now = qresync_ = condstore_ = true;
        if (cap == "UTF8=ACCEPT" && !utf8_) now = utf8_ = true;
        if (cap == "IMAP4REV2" && !rev2_) now = rev2_ = utf8_ = true;
        if (now) enabled += " " + cap;
      }
      untagged("ENABLED" + enabled);
      tagged(c.tag, "OK", "Enabled.");
      return;
    }
    case CommandName::compress: {
      if (deflate_) return tagged(c.tag, "NO", "[COMPRESSIONACTIVE] DEFLATE active via COMPRESS");
      if (std::get<Compress>(c.args).algorithm != "DEFLATE") return bad(c.tag, "Unknown compression algorithm");
      auto d = std::make_unique<Deflate>();
      if (!d->ok()) return tagged(c.tag, "NO", "[UNAVAILABLE] Compression unavailable");
      tagged(c.tag, "OK", "DEFLATE active");
      deflate_ = std::move(d);
      compress_starting_ = true;
      return;
    }
    default:
      bad(c.tag, "Unknown command");
  }
}

void Session::cmd_login(Command& c) {
  if (c.name == CommandName::starttls) {
    if (tls_) return bad(c.tag, "TLS is already active.");
    if (!cfg_.tls_available) return bad(c.tag, "TLS support isn't enabled.");
    out_ += c.tag + " OK Begin TLS negotiation now.\r\n";
    start_tls_ = true;
    in_.clear();  // RFC 9051 §6.2.1: nothing the client pipelined after STARTTLS may be used
    return;
  }
  if (!secure() && !cfg_.allow_plaintext) {
    tagged(c.tag, "NO", "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
    return;
  }
  if (c.name == CommandName::login) {
    auto& l = std::get<Login>(c.args);
    return start_login(c.tag, l.user, l.password);
  }
  auto& a = std::get<Authenticate>(c.args);
  if (a.mechanism != "PLAIN" && a.mechanism != "LOGIN") {
    tagged(c.tag, "NO", "Unsupported authentication mechanism.");
    return;
  }
  auth_tag_ = c.tag;
  auth_mech_ = a.mechanism;
  auth_step_ = 0;
  auth_user_.clear();
  if (a.initial_response) {
    auth_line(*a.initial_response == "" ? std::string_view("=") : std::string_view(*a.initial_response));
    auth::wipe(*a.initial_response);
    return;
  }
  out_ += auth_mech_ == "PLAIN" ? "+ \r\n" : "+ " + auth::encode_base64("Username:") + "\r\n";
  framer_.expect_auth_line();
}

void Session::auth_cancel() {
  std::string tag;
  tag.swap(auth_tag_);
  bad(tag, "Authentication aborted by client.");
}

void Session::auth_line(std::string_view line) {
  std::string tag;
  tag.swap(auth_tag_);
  auto decoded = line == "=" ? std::optional<std::string>(std::string()) : auth::decode_base64(line);
  if (!decoded) return bad(tag, "Invalid base64 data in continued response");
  if (auth_mech_ == "LOGIN") {
    if (auth_step_ == 0) {
      auth_user_ = std::move(*decoded);
      auth_step_ = 1;
      auth_tag_ = std::move(tag);
      out_ += "+ " + auth::encode_base64("Password:") + "\r\n";
      framer_.expect_auth_line();
      return;
    }
    start_login(tag, auth_user_, *decoded);
    auth::wipe(*decoded);
    return;
  }
  // RFC 4616; an authzid other than the user is not supported.
  auto plain = auth::parse_plain(*decoded);
  auth::wipe(*decoded);
  if (!plain) return tagged(tag, "NO", "[AUTHENTICATIONFAILED] Invalid base64 data in continued response");
  if (!plain->authzid.empty() && plain->authzid != plain->authcid) {
    auth::wipe(plain->password);
    return tagged(tag, "NO", "[AUTHORIZATIONFAILED] Authorization failed");
  }
  start_login(tag, plain->authcid, plain->password);
}

void Session::start_login(const std::string& tag, const std::string& user, std::string& password) {
  auth::Credentials cr{user, password, peer_.ip};
  auth::wipe(password);
  go_async();
  uint64_t seq = wait_seq_;
  auth_.login(std::move(cr), [wake = wake_, seq, tag, this](core::Result<auth::LoginOk> r) {
    wake([this, seq, tag, r = std::move(r)] { resume(seq, [&] { logged_in(tag, r); }); });
  });
}

void Session::logged_in(const std::string& tag, const core::Result<auth::LoginOk>& r) {
  if (!r) {
    switch (r.error().code) {
      case core::Errc::limit:
        tagged(tag, "NO", "[LIMIT] Too many failed logins; try again later.");
        break;
      case core::Errc::permanent:
        tagged(tag, "NO", "[AUTHENTICATIONFAILED] Authentication failed.");
        break;
      default:
        tagged(tag, "NO", "[UNAVAILABLE] Temporary authentication failure.");
    }
    return;
  }
  if (cfg_.user_connections) {
    std::string key = r->address + " " + peer_.ip;
    if (!cfg_.user_connections->acquire(key)) {
      tagged(tag, "NO", "[LIMIT] Maximum number of connections from user+IP exceeded");
      return;
    }
    connection_key_ = std::move(key);
  }
  account_ = r->account;
  user_ = r->address;
  state_ = State::authenticated;
  framer_.set_limits(cfg_.limits);  // APPEND possible from now on
  watch_account();
  tagged(tag, "OK", "[CAPABILITY " + capabilities() + "] Logged in");
}

}  // namespace axon::imap
