// imap::SearchContext — one message as SEARCH, SORT and THREAD see it: flags and sizes from the session's view,
// header fields and decoded body text read from the store only when a key needs them, and then once.
// Security: the message is untrusted; reading it is bounded by its size, header values by the MIME parser.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "imap/command.h"
#include "imap/datetime.h"
#include "imap/mailbox_view.h"
#include "imap/seqset.h"
#include "mime/summary.h"
#include "store/mail_store.h"

namespace axon::imap {

// The MIME summary of an open message: the stored one, else made now by reading the file, and saved (once).
std::optional<mime::Summary> load_summary(store::MailStore& store, store::MailboxId mailbox, uint32_t uid,
                                          const store::OpenMessage& m);
Date day_of(int64_t unix_seconds);
// The day of an RFC 5322 Date: header ("Tue, 1 Jul 2003 10:52:37 +0200"), in its own zone.
std::optional<Date> header_day(std::string_view v);
// The instant of an RFC 5322 Date: header (for SORT DATE), nullopt when unreadable.
std::optional<int64_t> header_time(std::string_view v);

struct SearchContext {
  store::MailStore& store;
  store::MailboxId mailbox;
  const ViewMessage& m;
  uint32_t seq;
  const std::vector<Range>& saved_seqs;
  const std::vector<Range>& saved_uids;
  uint32_t max_seq, max_uid;
  int64_t now;

  bool opened = false, ok = false;
  std::optional<store::OpenMessage> file;
  std::optional<mime::Summary> summary;
  std::string header;               // raw top-level header
  std::optional<std::string> body;  // decoded text of the text parts, folded

  bool open();
  // Values of a header field (all occurrences), unfolded and decoded (RFC 2047).
  std::vector<std::string> field(std::string_view name);
  // Raw (undecoded) last value of a field, "" when absent.
  std::string raw_field(std::string_view name);
  bool header_has(std::string_view name, const std::string& needle);
  const std::string& text();
  std::optional<Date> sent_day();
  bool eval(const SearchKey& k);

 private:
  void collect(const mime::Part& p, std::string& out);
  std::vector<std::string> fields(std::string_view name, bool decode);
};

}  // namespace axon::imap
