// What the imap::Session's command files share: the state of an APPEND being received and of a FETCH being
// produced, and small helpers. Internal to src/imap/.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "imap/command.h"
#include "imap/session.h"
#include "store/mail_store.h"

namespace axon::imap {

// The tag of a command being framed (its text up to the first space).
inline std::string_view parsed_tag(const FramedCommand& c) {
  std::string_view t = c.text;
  auto sp = t.find(' ');
  return sp == std::string_view::npos ? t : t.substr(0, sp);
}

// An APPEND's message data as it streams in: memory up to SessionConfig::append_memory, then an unlinked file.
struct Session::AppendState {
  struct Message {
    std::string data;  // in memory, or
    int fd = -1;       // in this unlinked file
    uint64_t size = 0;
    bool nul = false;
  };
  std::vector<Message> messages;  // by stream index
  std::size_t current = 0;        // the message being received
  uint64_t total = 0;             // octets of every message of the command so far
  uint64_t in_memory = 0;         // of which held in memory
  bool failed = false;            // a spill file could not be written: NO at the end
  bool too_big = false;           // the messages together are over the command's limit: NO [TOOBIG]
  ~AppendState();
};

// A FETCH being produced: the messages (sequence numbers) and items, and the response of the current message as
// pieces still to write.
struct Session::FetchJob {
  std::string tag;
  bool uid = false;
  std::vector<uint32_t> seqs;
  std::size_t next = 0;  // index into seqs
  std::vector<FetchItem> items;
  bool set_seen = false;  // a non-PEEK body item in a read-write mailbox
  std::vector<Piece> pieces;
  std::size_t piece = 0;
  uint64_t piece_done = 0;  // octets of the current file piece already written
  std::string vanished;     // QRESYNC: "* VANISHED (EARLIER) ..." written first
  bool failed = false;      // a message could not be read: NO at the end
  std::vector<uint32_t> seen_uids;  // to get \Seen once the responses are out
};

// "\Seen" → the store's bit; keywords stay text. False for a system flag we do not know (BAD).
inline bool to_store_flags(const std::vector<std::string>& in, uint32_t& flags, std::vector<std::string>& keywords) {
  flags = 0;
  keywords.clear();
  for (const auto& f : in) {
    if (!f.empty() && f[0] == '\\') {
      if (core::iequals(f, "\\Seen")) flags |= store::Flag::seen;
      else if (core::iequals(f, "\\Answered")) flags |= store::Flag::answered;
      else if (core::iequals(f, "\\Flagged")) flags |= store::Flag::flagged;
      else if (core::iequals(f, "\\Deleted")) flags |= store::Flag::deleted;
      else if (core::iequals(f, "\\Draft")) flags |= store::Flag::draft;
      else if (core::iequals(f, "\\Recent")) continue;  // RFC 3501: cannot be stored; ignored like Dovecot
      else return false;
    } else if (std::none_of(keywords.begin(), keywords.end(), [&](const std::string& k) { return core::iequals(k, f); })) {
      keywords.push_back(f);
    }
  }
  return true;
}


}  // namespace axon::imap
