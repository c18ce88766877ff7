#include "app/commands.h"

#include <algorithm>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "auth/password.h"
#include "core/address.h"

namespace axon::app {

namespace {

int fail(const core::Error& e) {
  std::fprintf(stderr, "axon: %s\n", e.detail.c_str());
  return exit_failed;
}

int usage(const std::string& msg) {
  std::fprintf(stderr, "axon: %s\n", msg.c_str());
  return exit_config;
}

// A normalized "local@domain" (lower-case) or empty when malformed.
std::string normalize_address(const std::string& s) {
  auto a = core::parse_mailbox(s, true);
  return a ? a->key() : std::string();
}

std::string read_line_noecho(const char* prompt) {
  std::fprintf(stderr, "%s", prompt);
  termios old{};
  bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios t = old;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  return line;
}

// Reads a new password: one line from stdin with --password-stdin, else twice from the terminal.
bool read_password(bool from_stdin, std::string& out) {
  if (from_stdin) {
    if (!std::getline(std::cin, out)) out.clear();
    if (!out.empty() && out.back() == '\r') out.pop_back();
  } else {
    if (!isatty(STDIN_FILENO)) {
      std::fprintf(stderr, "axon: no terminal to ask for a password: use --password-stdin\n");
      return false;
    }
    out = read_line_noecho("New password: ");
    if (read_line_noecho("Repeat password: ") != out) {
      std::fprintf(stderr, "axon: passwords do not match\n");
      return false;
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "axon: empty password refused\n");
    return false;
  }
  if (out.size() > 1024) {
    std::fprintf(stderr, "axon: password longer than 1024 characters refused\n");
    return false;
  }
  return true;
}

}  // namespace

int cmd_domain_add(Instance& in, const std::string& domain) {
  if (!core::valid_domain(domain, true) || domain.front() == '[') return usage("not a domain name: " + domain);
  auto st = in.store->add_domain(core::to_lower_ascii(domain));
  return st ? exit_ok : fail(st.error());
}

int cmd_domain_del(Instance& in, const std::string& domain) {
  auto st = in.store->del_domain(core::to_lower_ascii(domain));
  return st ? exit_ok : fail(st.error());
}

int cmd_domain_list(Instance& in) {
  auto r = in.store->list_domains();
  if (!r) return fail(r.error());
  for (const auto& d : *r) std::printf("%s\n", d.c_str());
  return exit_ok;
}

int cmd_user_add(Instance& in, const std::string& address, bool password_stdin) {
  std::string a = normalize_address(address);
  if (a.empty()) return usage("not a mail address: " + address);
  std::string pw;
  if (!read_password(password_stdin, pw)) return exit_failed;
  auto h = auth::hash_password(pw);
  if (!h) return fail(h.error());
  auto st = in.store->add_account(a, *h);
  return st ? exit_ok : fail(st.error());
}

int cmd_user_del(Instance& in, const std::string& address) {
  std::string a = normalize_address(address);
  if (a.empty()) return usage("not a mail address: " + address);
  auto st = in.store->del_account(a);
  return st ? exit_ok : fail(st.error());
}

int cmd_user_list(Instance& in) {
  auto r = in.store->list_accounts();
  if (!r) return fail(r.error());
  for (const auto& a : *r) std::printf("%s\n", a.address.c_str());
  return exit_ok;
}

int cmd_user_passwd(Instance& in, const std::string& address, bool password_stdin) {
  std::string a = normalize_address(address);
  if (a.empty()) return usage("not a mail address: " + address);
  if (auto acc = in.store->get_account(a); !acc) return fail(acc.error());
  std::string pw;
  if (!read_password(password_stdin, pw)) return exit_failed;
  auto h = auth::hash_password(pw);
  if (!h) return fail(h.error());
  auto st = in.store->set_password(a, *h);
  return st ? exit_ok : fail(st.error());
}

int cmd_alias_add(Instance& in, const std::string& alias, const std::vector<std::string>& targets) {
  std::string a;
  if (!alias.empty() && alias.front() == '@') {
    if (!core::valid_domain(alias.substr(1))) return usage("not a catch-all (@domain): " + alias);
    a = core::to_lower_ascii(alias);
  } else {
    a = normalize_address(alias);
    if (a.empty()) return usage("not a mail address: " + alias);
  }
  std::vector<std::string> norm;
  auto dir = in.store->load_directory();
  if (!dir) return fail(dir.error());
  std::string domain = a.substr(a.rfind('@') + 1);
  if (!dir->is_local_domain(domain)) return fail({core::Errc::not_found, "domain not served here: " + domain});
  for (const auto& t : targets) {
    std::string n = normalize_address(t);
    if (n.empty()) return usage("not a mail address: " + t);
    std::string td = n.substr(n.rfind('@') + 1);
    // Forwarding to other domains needs outbound delivery, which this version does not have yet.
    if (!dir->is_local_domain(td))
      return fail({core::Errc::invalid, "alias target " + n + " is not in a local domain (forwarding to other "
                                        "domains is not supported yet)"});
    norm.push_back(n);
  }
  auto st = in.store->add_alias(a, norm);
  return st ? exit_ok : fail(st.error());
}

int cmd_alias_del(Instance& in, const std::string& alias) {
  auto st = in.store->del_alias(core::to_lower_ascii(alias));
  return st ? exit_ok : fail(st.error());
}

int cmd_alias_list(Instance& in) {
  auto r = in.store->list_aliases();
  if (!r) return fail(r.error());
  for (const auto& a : *r) {
    std::printf("%s", a.address.c_str());
    for (const auto& t : a.targets) std::printf(" %s", t.c_str());
    std::printf("\n");
  }
  return exit_ok;
}

int cmd_mailbox_ls(Instance& in, const std::string& address, bool json) {
  std::string a = normalize_address(address);
  if (a.empty()) return usage("not a mail address: " + address);
  auto account = in.store->account_id(a);
  if (!account) return fail(account.error());
  auto r = in.store->mailboxes(*account);  // counters kept on the mailbox rows, not counted here
  if (!r) return fail(r.error());
  std::stable_partition(r->begin(), r->end(), [](const store::MailboxInfo& m) { return m.name == "INBOX"; });
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& m : *r)
      arr.push_back({{"name", m.name}, {"messages", m.messages}, {"unseen", m.unseen}, {"bytes", m.bytes}});
    std::printf("%s\n", arr.dump().c_str());
    return exit_ok;
  }
  for (const auto& m : *r)
    std::printf("%-16s %8llu messages %8llu unseen %12llu bytes\n", m.name.c_str(),
                static_cast<unsigned long long>(m.messages), static_cast<unsigned long long>(m.unseen),
                static_cast<unsigned long long>(m.bytes));
  return exit_ok;
}

namespace {

// A mailbox name as IMAP would take it: UTF-8 levels separated by '/', none empty, no control characters, and not
// starting with '/' ("INBOX" in any case is INBOX).
bool valid_mailbox_name(const std::string& name) {
  if (name.empty() || name.size() > 1000 || name.front() == '/' || name.back() == '/') return false;
  if (name.find("//") != std::string::npos) return false;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == '*' || c == '%') return false;
  return true;
}

}  // namespace

int cmd_mailbox_create(Instance& in, const std::string& address, const std::string& name) {
  std::string a = normalize_address(address);
  if (a.empty()) return usage("not a mail address: " + address);
  if (!valid_mailbox_name(name)) return usage("not a mailbox name: " + name);
  auto account = in.store->account_id(a);
  if (!account) return fail(account.error());
  // Missing parents are created too, as IMAP CREATE does (RFC 9051 §6.3.4).
  for (std::size_t at = name.find('/'); at != std::string::npos; at = name.find('/', at + 1)) {
    auto r = in.store->create_mailbox(*account, name.substr(0, at));
    if (!r && r.error().code != core::Errc::exists) return fail(r.error());
  }
  auto r = in.store->create_mailbox(*account, name);
  if (!r) return fail(r.error());
  if (auto s = in.store->subscribe(*account, name, true); !s) return fail(s.error());
  if (auto s = in.store->sync(); !s) return fail(s.error());
  return exit_ok;
}

int cmd_mailbox_delete(Instance& in, const std::string& address, const std::string& name) {
  std::string a = normalize_address(address);
  if (a.empty()) return usage("not a mail address: " + address);
  auto account = in.store->account_id(a);
  if (!account) return fail(account.error());
  auto mb = in.store->mailbox(*account, name);
  if (!mb) return fail(mb.error());
  if (auto r = in.store->delete_mailbox(mb->id); !r) return fail(r.error());
  (void)in.store->subscribe(*account, name, false);
  if (auto s = in.store->sync(); !s) return fail(s.error());
  return exit_ok;
}

int cmd_mailbox_rename(Instance& in, const std::string& address, const std::string& from, const std::string& to) {
  std::string a = normalize_address(address);
  if (a.empty()) return usage("not a mail address: " + address);
  if (!valid_mailbox_name(to)) return usage("not a mailbox name: " + to);
  auto account = in.store->account_id(a);
  if (!account) return fail(account.error());
  auto mb = in.store->mailbox(*account, from);
  if (!mb) return fail(mb.error());
  if (auto r = in.store->rename_mailbox(mb->id, to); !r) return fail(r.error());
  if (auto s = in.store->sync(); !s) return fail(s.error());
  return exit_ok;
}

}  // namespace axon::app
