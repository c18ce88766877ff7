// RFC 5322 §3.4 address lists for ENVELOPE and SORT; see address.h. The recovery rules (what a broken mailbox
// turns into) follow Dovecot's message-address parser so that clients see the same envelopes.
// Security: untrusted header text; every loop consumes input or stops.
#include "mime/address.h"

#include "mime/encoded_word.h"
#include "mime/lexer.h"

namespace axon::mime {

namespace {

class AddressParser {
 public:
  explicit AddressParser(std::string_view value) : lx_(value) { lx_.keep_comments(); }

  std::vector<Address> run() {
    // address-list = (address *("," address)) / obs-addr-list
    if (lx_.skip_cfws() <= 0) return std::move(out_);
    while (true) {
      int r = parse_address();
      if (r == 0) break;
      if (lx_.at_end() || lx_.peek() != ',') break;
      lx_.skip();
      r = lx_.skip_cfws();
      if (r <= 0) {
        if (r < 0) add_fixed();  // ends in garbage
        break;
      }
    }
    return std::move(out_);
  }

 private:
  struct Current {
    Address a;
    bool invalid = false;
  };

  void add() {
    out_.push_back(std::move(cur_.a));
    cur_ = Current{};
  }

  void add_fixed() {
    if (!cur_.a.mailbox) {
      cur_.a.mailbox = "MISSING_MAILBOX";
      cur_.invalid = true;
    }
    if (!cur_.a.host || cur_.a.host->empty()) {
      cur_.a.host = "MISSING_DOMAIN";
      cur_.invalid = true;
    }
    add();
  }

  char peek() const { return lx_.at_end() ? '\0' : lx_.peek(); }

  int parse_local_part() {
    // local-part = dot-atom / quoted-string / obs-local-part
    str_.clear();
    int r = peek() == '"' ? lx_.quoted_string(str_) : lx_.dot_atom(str_);
    if (r < 0) return -1;
    cur_.a.mailbox = str_;
    return r;
  }

  int parse_domain() {
    str_.clear();
    int r = lx_.domain(str_);
    if (r < 0) return -1;
    cur_.a.host = str_;
    return r;
  }

  int skip_route() {
    // obs-domain-list = "@" domain *(*(CFWS / ",") [CFWS] "@" domain): parsed, then ignored (RFC 5322 §4.4).
    std::string ignored;
    while (true) {
      if (lx_.at_end()) return 0;
      if (peek() != '@') break;
      int r = lx_.domain(ignored);
      if (r <= 0) return r;
      while (lx_.skip_cfws() > 0 && peek() == ',') lx_.skip();
    }
    return 1;
  }

  int parse_angle_addr() {
    // "<" [obs-route ":"] local-part "@" domain ">"
    lx_.skip();
    if (lx_.skip_cfws() <= 0) return -1;
    if (peek() == '@') {
      if (skip_route() > 0 && peek() == ':') {
        lx_.skip();
      } else if (lx_.at_end()) {
        return -1;
      }
      if (lx_.skip_cfws() <= 0) return -1;
    }
    if (peek() != '>') {
      if (parse_local_part() <= 0) return -1;
      if (peek() == '@' && parse_domain() <= 0) return -1;
    }
    if (peek() != '>') return -1;
    lx_.skip();
    return lx_.skip_cfws();
  }

  int parse_name_addr() {
    // name-addr = [display-name] angle-addr
    str_.clear();
    if (lx_.phrase(str_) <= 0 || peek() != '<') return -1;
    if (!str_.empty()) cur_.a.name = str_;
    if (parse_angle_addr() < 0) {
      cur_.a.host = "SYNTAX_ERROR";
      cur_.invalid = true;
    }
    return lx_.at_end() ? 0 : 1;
  }

  int parse_addr_spec() {
    // addr-spec = local-part "@" domain
    lx_.last_comment().clear();
    const bool quoted = peek() == '"';
    int r = parse_local_part();
    if (r <= 0) cur_.invalid = true;
    int r2 = -2;
    if (r != 0 && peek() == '@') {
      r2 = parse_domain();
      if (r2 <= 0) r = r2;
    }
    if (!lx_.last_comment().empty()) {
      cur_.a.name = lx_.last_comment();
    } else if (r2 == -2) {
      // "user" alone is a mailbox; "user more words" is a display name.
      str_.push_back(' ');
      const std::size_t before = str_.size();
      lx_.phrase(str_);
      if (str_.size() != before) {
        cur_.a.mailbox.reset();
        cur_.a.name = str_;
      } else if (!quoted) {
        cur_.a.host = "";
      }
      cur_.invalid = true;
      r = -1;
    }
    return r;
  }

  int parse_mailbox() {
    // mailbox = name-addr / addr-spec
    const char* start = lx_.pos();
    int r = parse_name_addr();
    if (r < 0) {
      lx_.seek(start);
      r = parse_addr_spec();
      if (cur_.invalid && !cur_.a.name && cur_.a.mailbox && !cur_.a.host) {
        cur_.a.name = std::move(cur_.a.mailbox);
        cur_.a.mailbox.reset();
      }
    }
    if (r < 0) cur_.invalid = true;
    add_fixed();
    return r;
  }

  int parse_group() {
    // group = display-name ":" [group-list] ";" [CFWS]
    str_.clear();
    if (lx_.phrase(str_) <= 0 || peek() != ':') return -1;
    lx_.skip();
    int r = lx_.skip_cfws();
    cur_.a.mailbox = str_;
    add();  // start marker: (NIL NIL "name" NIL)
    if (r > 0 && peek() != ';') {
      while (true) {
        parse_mailbox();
        if (lx_.at_end() || peek() != ',') break;
        lx_.skip();
        if (lx_.skip_cfws() <= 0) {
          r = -1;
          break;
        }
      }
    }
    if (r >= 0) {
      if (peek() != ';') {
        r = -1;
      } else {
        lx_.skip();
        r = lx_.skip_cfws();
      }
    }
    add();  // end marker: (NIL NIL NIL NIL)
    return r == 0 ? 0 : 1;
  }

  int parse_address() {
    const char* start = lx_.pos();
    int r = parse_group();
    if (r < 0) {
      lx_.seek(start);
      r = parse_mailbox();
    }
    return r;
  }

  Lexer lx_;
  std::vector<Address> out_;
  Current cur_;
  std::string str_;
};

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) { return AddressParser(value).run(); }

std::optional<SortAddress> first_address(std::string_view value) {
  for (auto& a : parse_address_list(value)) {
    if (!a.host) continue;  // group markers
    SortAddress s;
    s.mailbox = a.mailbox.value_or("");
    s.host = *a.host;
    if (a.name) s.display = decode_header(*a.name);
    return s;
  }
  return std::nullopt;
}

std::string display_sort_key(std::string_view value) {
  auto a = first_address(value);
  if (!a) return {};
  if (!a->display.empty()) return a->display;
  return a->host.empty() ? a->mailbox : a->mailbox + "@" + a->host;
}

}  // namespace axon::mime
