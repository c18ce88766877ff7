// axon — the one binary: `init`, `serve` and the administration commands. See docs/cli.md.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "app/commands.h"
#include "app/instance.h"
#include "config/config.h"

using namespace axon;

int main(int argc, char** argv) {
  CLI::App app{"Axon: mail and XMPP in one server", "axon"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "axon 0.1.0");
  std::string config_file = "axon.toml";
  app.add_option("-c,--config", config_file, "the instance's axon.toml")->capture_default_str();
  // Global options go before or after the (sub)command: `axon serve --config F` as documented, and
  // `axon --config F serve`. fallthrough() hands an option a subcommand does not know to its parent; CLI11 copies
  // it (and the footer) into every subcommand added below. --help of the last command given wins.
  app.fallthrough();
  app.footer("Global options, before or after the command: -c,--config FILE (default ./axon.toml), --help.");

  // init
  auto* init = app.add_subcommand("init", "create an instance: axon.toml, a self-signed certificate, a store");
  std::string init_dir;
  config::InitParams ip;
  bool force = false;
  int offset = 0;
  init->add_option("dir", init_dir, "folder to create the instance in")->required();
  init->add_option("--domain", ip.domain, "the first mail domain")->required();
  init->add_option("--hostname", ip.hostname, "this server's name (default mail.DOMAIN)");
  init->add_option("--port-offset", offset, "add N to every standard port")->check(CLI::Range(0, 65000));
  init->add_option("--listen", ip.listen, "address to listen on (repeatable; default all interfaces)");
  init->add_flag("--force", force, "overwrite an existing axon.toml and certificate");

  auto* serve = app.add_subcommand("serve", "run every enabled service in the foreground");

  auto* config_cmd = app.add_subcommand("config", "configuration reference");
  config_cmd->require_subcommand(1);
  auto* config_docs = config_cmd->add_subcommand("docs", "print docs/configuration.md (every key)");

  // user
  auto* user = app.add_subcommand("user", "accounts (a mail and chat address each)");
  user->require_subcommand(1);
  std::string address;
  bool pw_stdin = false;
  auto* user_add = user->add_subcommand("add", "add an account");
  user_add->add_option("address", address)->required();
  user_add->add_flag("--password-stdin", pw_stdin, "read the password from the first line of standard input");
  auto* user_del = user->add_subcommand("del", "delete an account and its mail");
  user_del->add_option("address", address)->required();
  auto* user_list = user->add_subcommand("list", "list accounts");
  auto* user_passwd = user->add_subcommand("passwd", "set an account's password");
  user_passwd->add_option("address", address)->required();
  user_passwd->add_flag("--password-stdin", pw_stdin, "read the password from the first line of standard input");

  // domain
  auto* domain = app.add_subcommand("domain", "mail domains served here");
  domain->require_subcommand(1);
  std::string domain_name;
  auto* domain_add = domain->add_subcommand("add", "add a domain");
  domain_add->add_option("domain", domain_name)->required();
  auto* domain_del = domain->add_subcommand("del", "delete a domain (it must have no accounts or aliases)");
  domain_del->add_option("domain", domain_name)->required();
  auto* domain_list = domain->add_subcommand("list", "list domains");

  // alias
  auto* alias = app.add_subcommand("alias", "aliases; @domain is the domain's catch-all");
  alias->require_subcommand(1);
  std::string alias_name;
  std::vector<std::string> targets;
  auto* alias_add = alias->add_subcommand("add", "add targets to an alias");
  alias_add->add_option("alias", alias_name)->required();
  alias_add->add_option("targets", targets)->required();
  auto* alias_del = alias->add_subcommand("del", "delete an alias");
  alias_del->add_option("alias", alias_name)->required();
  auto* alias_list = alias->add_subcommand("list", "list aliases");

  // mailbox
  auto* mailbox = app.add_subcommand("mailbox", "mailboxes");
  mailbox->require_subcommand(1);
  bool json = false;
  auto* mailbox_ls = mailbox->add_subcommand("ls", "one line per mailbox: name, messages, unseen, bytes");
  mailbox_ls->add_option("address", address)->required();
  mailbox_ls->add_flag("--json", json, "a JSON array of {name, messages, unseen, bytes}");
  std::string mailbox_name, mailbox_to;
  auto* mailbox_create = mailbox->add_subcommand("create", "create a mailbox (and its missing parents)");
  mailbox_create->add_option("address", address)->required();
  mailbox_create->add_option("name", mailbox_name, "UTF-8, levels separated by /")->required();
  auto* mailbox_delete = mailbox->add_subcommand("delete", "delete a mailbox and its messages");
  mailbox_delete->add_option("address", address)->required();
  mailbox_delete->add_option("name", mailbox_name)->required();
  auto* mailbox_rename = mailbox->add_subcommand("rename", "rename a mailbox (and the mailboxes under it)");
  mailbox_rename->add_option("address", address)->required();
  mailbox_rename->add_option("name", mailbox_name)->required();
  mailbox_rename->add_option("new_name", mailbox_to)->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : app::exit_config;
  }

  if (*init) {
    ip.port_offset = static_cast<uint16_t>(offset);
    return app::cmd_init(init_dir, ip, force);
  }
  if (*serve) return app::cmd_serve(config_file);
  if (*config_docs) {
    std::fputs(config::render_markdown().c_str(), stdout);
    return 0;
  }

  // The list commands open the store read-only: no migration, no write lock (docs/cli.md).
  bool reads_only = *user_list || *domain_list || *alias_list || *mailbox_ls;
  app::Instance in;
  if (int rc = app::open_instance(config_file, in, reads_only ? app::Access::read_only : app::Access::read_write); rc)
    return rc;
  if (*user_add) return app::cmd_user_add(in, address, pw_stdin);
  if (*user_del) return app::cmd_user_del(in, address);
  if (*user_list) return app::cmd_user_list(in);
  if (*user_passwd) return app::cmd_user_passwd(in, address, pw_stdin);
  if (*domain_add) return app::cmd_domain_add(in, domain_name);
  if (*domain_del) return app::cmd_domain_del(in, domain_name);
  if (*domain_list) return app::cmd_domain_list(in);
  if (*alias_add) return app::cmd_alias_add(in, alias_name, targets);
  if (*alias_del) return app::cmd_alias_del(in, alias_name);
  if (*alias_list) return app::cmd_alias_list(in);
  if (*mailbox_ls) return app::cmd_mailbox_ls(in, address, json);
  if (*mailbox_create) return app::cmd_mailbox_create(in, address, mailbox_name);
  if (*mailbox_delete) return app::cmd_mailbox_delete(in, address, mailbox_name);
  if (*mailbox_rename) return app::cmd_mailbox_rename(in, address, mailbox_name, mailbox_to);
  return app::exit_config;
}
