// The argument parsers of each command group, called by parse_command() (parser.cpp) after "tag SP [UID SP] name"
// with the Reader just behind the name. Each one reads the rest of the command, up to and including its end.
// Internal to the parser. Security: untrusted input (see reader.h).
#pragma once

#include "imap/command.h"
#include "imap/parse/reader.h"

namespace axon::imap::parse {

// any_state.cpp: commands without arguments, AUTHENTICATE, LOGIN, ENABLE, ID, COMPRESS
bool no_arguments(Reader& r, Command& c);
bool authenticate(Reader& r, Command& c);
bool login(Reader& r, Command& c);
bool enable(Reader& r, Command& c);
bool id(Reader& r, Command& c);
bool compress(Reader& r, Command& c);

// mailbox.cpp: SELECT/EXAMINE, CREATE, DELETE/SUBSCRIBE/UNSUBSCRIBE/GETQUOTAROOT, RENAME, STATUS
bool select(Reader& r, Command& c);
bool create(Reader& r, Command& c);
bool mailbox_only(Reader& r, Command& c);
bool rename(Reader& r, Command& c);
bool status(Reader& r, Command& c);
bool status_items(Reader& r, std::vector<StatusItem>& out);  // "(" status-att *(SP status-att) ")"

// list.cpp: LIST (with LIST-EXTENDED), LSUB
bool list(Reader& r, Command& c);
bool lsub(Reader& r, Command& c);

// append.cpp
bool append(Reader& r, Command& c);

// search.cpp: SEARCH, SORT, THREAD and the search program
bool search(Reader& r, Command& c);
bool sort(Reader& r, Command& c);
bool thread(Reader& r, Command& c);

// fetch.cpp
bool fetch(Reader& r, Command& c);

// store.cpp: STORE, COPY/MOVE, EXPUNGE / UID EXPUNGE
bool store(Reader& r, Command& c);
bool copy(Reader& r, Command& c);
bool expunge(Reader& r, Command& c);

// quota.cpp: GETQUOTA, SETQUOTA
bool getquota(Reader& r, Command& c);
bool setquota(Reader& r, Command& c);

}  // namespace axon::imap::parse
