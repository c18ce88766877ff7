// app: the administration commands (user, domain, alias, mailbox). They act on the instance's store directly,
// which works while the server runs (SQLite WAL; the server notices directory changes within a second).
#pragma once

#include <string>
#include <vector>

#include "app/instance.h"

namespace axon::app {

int cmd_domain_add(Instance& in, const std::string& domain);
int cmd_domain_del(Instance& in, const std::string& domain);
int cmd_domain_list(Instance& in);
int cmd_user_add(Instance& in, const std::string& address, bool password_stdin);
int cmd_user_del(Instance& in, const std::string& address);
int cmd_user_list(Instance& in);
int cmd_user_passwd(Instance& in, const std::string& address, bool password_stdin);
int cmd_alias_add(Instance& in, const std::string& alias, const std::vector<std::string>& targets);
int cmd_alias_del(Instance& in, const std::string& alias);
int cmd_alias_list(Instance& in);
int cmd_mailbox_ls(Instance& in, const std::string& address, bool json);
int cmd_mailbox_create(Instance& in, const std::string& address, const std::string& name);
int cmd_mailbox_delete(Instance& in, const std::string& address, const std::string& name);
int cmd_mailbox_rename(Instance& in, const std::string& address, const std::string& from, const std::string& to);

}  // namespace axon::app
