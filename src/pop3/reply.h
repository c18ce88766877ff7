// POP3 replies: the status lines the session sends, named by meaning, with the RFC 2449 §8 / RFC 3206 response
// codes ([AUTH], [SYS/TEMP], [SYS/PERM], [IN-USE]) where they apply, and the one mapping from domain errors
// (core::Errc) to POP3 (STYLE.md "Errors"). Wording follows Dovecot's where clients or admins know it.
// Security: reply text never quotes the client's input (message numbers are echoed as parsed numbers).
#pragma once

#include <string_view>

#include "core/error.h"

namespace axon::pop3::reply {

// Each is a whole line without CRLF.
inline constexpr std::string_view ok = "+OK";
inline constexpr std::string_view capa = "+OK Capability list follows";
inline constexpr std::string_view logged_in = "+OK Logged in.";
inline constexpr std::string_view logging_out = "+OK Logging out.";
inline constexpr std::string_view logging_out_deleted = "+OK Logging out, messages deleted.";
inline constexpr std::string_view marked_deleted = "+OK Marked to be deleted.";
inline constexpr std::string_view begin_tls = "+OK Begin TLS negotiation now.";
inline constexpr std::string_view sasl_continue = "+ ";  // RFC 5034 §4: an empty challenge

inline constexpr std::string_view unknown_command = "-ERR Unknown command.";
inline constexpr std::string_view not_logged_in = "-ERR Unknown command in AUTHORIZATION state: log in first.";
inline constexpr std::string_view already_logged_in = "-ERR Already logged in.";
inline constexpr std::string_view line_too_long = "-ERR Command line too long.";
inline constexpr std::string_view too_many_bad = "-ERR Too many bad commands.";
inline constexpr std::string_view missing_argument = "-ERR Missing argument.";
inline constexpr std::string_view invalid_number = "-ERR Invalid message number.";
inline constexpr std::string_view invalid_line_count = "-ERR Invalid line count.";
inline constexpr std::string_view message_deleted = "-ERR Message is deleted.";
inline constexpr std::string_view message_gone = "-ERR Message has been removed by another session.";
inline constexpr std::string_view no_username = "-ERR No username given.";
inline constexpr std::string_view username_too_long = "-ERR Username too long.";
inline constexpr std::string_view tls_active = "-ERR TLS is already active.";
inline constexpr std::string_view tls_unavailable = "-ERR TLS support isn't enabled.";
inline constexpr std::string_view plaintext_disallowed =
    "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.";
inline constexpr std::string_view auth_failed = "-ERR [AUTH] Authentication failed.";
inline constexpr std::string_view auth_aborted = "-ERR Authentication aborted by client.";
inline constexpr std::string_view auth_bad_base64 = "-ERR Invalid base64 data in response.";
inline constexpr std::string_view auth_unknown_mechanism = "-ERR [AUTH] Unsupported authentication mechanism.";
inline constexpr std::string_view auth_temporary = "-ERR [SYS/TEMP] Temporary authentication failure, try again later.";
inline constexpr std::string_view auth_limited = "-ERR [SYS/TEMP] Too many failed logins, try again later.";
inline constexpr std::string_view inbox_unavailable = "-ERR [SYS/TEMP] Couldn't open INBOX, try again later.";
inline constexpr std::string_view update_failed =
    "-ERR [SYS/TEMP] Couldn't update the mailbox: no messages were removed, try again later.";
inline constexpr std::string_view update_unconfirmed =
    "-ERR [SYS/TEMP] The mailbox update could not be confirmed, check the mailbox and try again later.";
inline constexpr std::string_view inactivity = "-ERR Disconnected for inactivity.";
inline constexpr std::string_view shutting_down = "-ERR Server shutting down.";
inline constexpr std::string_view too_much_input = "-ERR Too much pipelined input.";

// A failed store read or write, by its domain error: "[SYS/TEMP]" for what may work later, "[SYS/PERM]" for
// what will not (RFC 3206 §4).
std::string_view for_error(core::Errc e);

}  // namespace axon::pop3::reply
