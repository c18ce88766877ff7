// imap::Command — a parsed client command: tag, name, the UID prefix, and one argument struct per command (or
// per group of commands with the same grammar), as the session's state machine consumes them. Every command of
// RFC 9051 (IMAP4rev2) and RFC 3501 (IMAP4rev1), with the extensions' syntax: SASL-IR (RFC 4959), ENABLE (RFC
// 5161), ID (RFC 2971), COMPRESS (RFC 4978), CONDSTORE/QRESYNC (RFC 7162), CREATE-SPECIAL-USE (RFC 6154),
// LIST-EXTENDED/LIST-STATUS (RFC 5258, 5819), MULTIAPPEND (RFC 3502), CATENATE (RFC 4469), BINARY (RFC 3516),
// UTF8=ACCEPT (RFC 6855), ESEARCH (RFC 4731), SEARCHRES (RFC 5182), WITHIN (RFC 5032), SORT/THREAD (RFC 5256),
// ESORT (RFC 5267), OBJECTID (RFC 8474), SAVEDATE (RFC 8514), QUOTA (RFC 9208), MOVE (RFC 6851), UIDPLUS
// (RFC 4315), UNSELECT (RFC 3691), IDLE (RFC 2177), NAMESPACE (RFC 2342), APPENDLIMIT (RFC 7889).
// Mailbox names in these structs are UTF-8 as the store keeps them (mailbox_name.h), INBOX upper-cased.
// Security: plain data; what is in here was parsed from untrusted input and is bounded by ParseOptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imap/datetime.h"
#include "imap/seqset.h"

namespace axon::imap {

enum class CommandName : uint8_t {
  // any state (RFC 9051 §6.1) and extensions usable in any state
  capability, noop, logout, id,
  // not authenticated (§6.2)
  starttls, authenticate, login,
  // authenticated (§6.3)
  enable, select, examine, create, delete_, rename, subscribe, unsubscribe, list, lsub, namespace_, status,
  append, idle, getquota, getquotaroot, setquota, compress,
  // selected (§6.4)
  check, close, unselect, expunge, search, sort, thread, fetch, store, copy, move,
};
inline constexpr std::size_t kCommandNameCount = static_cast<std::size_t>(CommandName::move) + 1;

// The command's name as written in the RFCs: "DELETE", "NAMESPACE".
std::string_view to_string(CommandName n);

// AUTHENTICATE mechanism [initial-response] (RFC 9051 §6.2.2, SASL-IR RFC 4959 §3).
struct Authenticate {
  std::string mechanism;                        // upper-cased
  std::optional<std::string> initial_response;  // base64 text as sent; "" for "=" (an empty response)
  bool operator==(const Authenticate&) const = default;
};

struct Login {  // LOGIN userid password (RFC 9051 §6.2.3)
  std::string user;
  std::string password;
  bool operator==(const Login&) const = default;
};

struct Enable {  // ENABLE 1*capability (RFC 5161, RFC 9051 §6.3.1)
  std::vector<std::string> capabilities;  // upper-cased
  bool operator==(const Enable&) const = default;
};

struct IdParam {
  std::string field;
  std::optional<std::string> value;  // nullopt for NIL
  bool operator==(const IdParam&) const = default;
};
struct Id {  // ID ("(" *(string SP nstring) ")" / NIL) (RFC 2971 §3.1)
  std::vector<IdParam> params;  // empty for NIL or "()"
  bool operator==(const Id&) const = default;
};

struct Compress {  // COMPRESS algorithm (RFC 4978)
  std::string algorithm;  // upper-cased ("DEFLATE")
  bool operator==(const Compress&) const = default;
};

// QRESYNC's seq-match-data: message numbers and the UIDs they had (RFC 7162 §3.2.5).
struct SeqMatchData {
  SequenceSet seqs;
  SequenceSet uids;
  bool operator==(const SeqMatchData&) const = default;
};
struct Qresync {  // QRESYNC (uidvalidity modseq [known-uids [seq-match-data]])
  uint32_t uidvalidity = 0;
  uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;  // never has "*" or "$"
  std::optional<SeqMatchData> seq_match;
  bool operator==(const Qresync&) const = default;
};
struct Select {  // SELECT / EXAMINE mailbox [(select-params)] (RFC 9051 §6.3.2-3, RFC 7162 §3.1.8, §3.2.5)
  std::string mailbox;
  bool condstore = false;
  std::optional<Qresync> qresync;
  bool operator==(const Select&) const = default;
};

struct Create {  // CREATE mailbox [(USE (special-use...))] (RFC 9051 §6.3.4, RFC 6154 §3)
  std::string mailbox;
  std::vector<std::string> special_use;  // "\Sent", ... as written
  bool operator==(const Create&) const = default;
};

struct MailboxArg {  // DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT: one mailbox name
  std::string mailbox;
  bool operator==(const MailboxArg&) const = default;
};

struct Rename {  // RENAME from to (RFC 9051 §6.3.6)
  std::string from;
  std::string to;
  bool operator==(const Rename&) const = default;
};

enum class StatusItem : uint8_t {
  messages, recent, uidnext, uidvalidity, unseen, deleted, size,  // RFC 9051 §6.3.11, RFC 3501 (RECENT)
  highestmodseq,  // RFC 7162
  appendlimit,    // RFC 7889
  mailboxid,      // RFC 8474
};

// LIST [(selection)] reference (pattern / (patterns)) [RETURN (options)] (RFC 9051 §6.3.9, RFC 5258 §3,
// RFC 6154 §5.1, RFC 5819).
struct List {
  std::string reference;
  std::vector<std::string> patterns;  // at least one; "" asks for the hierarchy delimiter
  bool extended = false;              // selection options, RETURN, or a pattern list were used (RFC 5258 §3)
  struct Selection {
    bool subscribed = false, remote = false, recursive_match = false, special_use = false;
    bool operator==(const Selection&) const = default;
  } selection;
  struct Return {
    bool subscribed = false, children = false, special_use = false;
    bool status = false;             // STATUS (...) was asked (RFC 5819)
    std::vector<StatusItem> status_items;
    bool operator==(const Return&) const = default;
  } ret;
  bool operator==(const List&) const = default;
};

struct Lsub {  // LSUB reference pattern (RFC 3501 §6.3.9)
  std::string reference;
  std::string pattern;
  bool operator==(const Lsub&) const = default;
};

struct Status {  // STATUS mailbox (items) (RFC 9051 §6.3.11)
  std::string mailbox;
  std::vector<StatusItem> items;
  bool operator==(const Status&) const = default;
};

// One part of a message to append: literal octets (streamed by the framer) or, with CATENATE, a URL.
struct AppendPart {
  enum class Kind : uint8_t { text, url } kind = Kind::text;
  std::size_t stream_index = 0;  // text: the Literal::stream_index whose literal_* frames carried the octets
  uint64_t size = 0;             // text: octets
  bool binary = false;           // text: literal8 (RFC 3516 §4.4)
  std::string url;               // url: an IMAP URL as sent (RFC 4469 §5)
  bool operator==(const AppendPart&) const = default;
};
struct AppendMessage {
  std::vector<std::string> flags;
  std::optional<DateTime> internal_date;
  bool catenate = false;  // CATENATE (...) (RFC 4469)
  bool utf8 = false;      // UTF8 (~{n}) (RFC 6855 §4)
  std::vector<AppendPart> parts;  // exactly one text part unless catenate
  bool operator==(const AppendMessage&) const = default;
};
// APPEND mailbox 1*(message) (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502 §6.3.11)
struct Append {
  std::string mailbox;
  std::vector<AppendMessage> messages;
  bool operator==(const Append&) const = default;
};

// A search key (RFC 9051 §6.4.4, RFC 3501 §6.4.4), a node of the search program's tree.
struct SearchKey {
  enum class Kind : uint8_t {
    all, answered, deleted, draft, flagged, seen, unanswered, undeleted, undraft, unflagged, unseen,
    new_, old, recent,                        // RFC 3501 only
    keyword, unkeyword,                       // text: the flag keyword
    bcc, body, cc, from, subject, text, to,   // text: the string
    header,                                   // text: field name, value: the string
    before, on, since, sentbefore, senton, sentsince,  // date
    larger, smaller,                          // number: octets
    older, younger,                           // number: seconds (RFC 5032)
    uid,                                      // set: UIDs
    sequence_set,                             // set: message numbers
    modseq,  // number; text: entry name ("/flags/\Seen") or ""; value: "priv", "shared", "all" or "" (RFC 7162)
    emailid, threadid,                        // text: the object id (RFC 8474)
    not_,                                     // children: one key
    or_,                                      // children: two keys
    and_,                                     // children: a parenthesised list, all of which must match
  };
  Kind kind = Kind::all;
  std::string text;
  std::string value;
  Date date;
  uint64_t number = 0;
  SequenceSet set;
  std::vector<SearchKey> children;
  bool operator==(const SearchKey&) const = default;
};

// RETURN (...) of ESEARCH (RFC 4731 §3.1), SAVE (RFC 5182 §2.2). "RETURN ()" means ALL.
struct SearchReturn {
  bool min = false, max = false, all = false, count = false, save = false;
  bool operator==(const SearchReturn&) const = default;
};

struct Search {  // SEARCH [RETURN (...)] [CHARSET charset] keys
  std::optional<std::string> charset;  // upper-cased; the session answers NO [BADCHARSET] for what it lacks
  std::optional<SearchReturn> ret;     // present: answer with ESEARCH
  std::vector<SearchKey> keys;         // all must match
  bool operator==(const Search&) const = default;
};

enum class SortKey : uint8_t { arrival, cc, date, from, size, subject, to, display_from, display_to };
struct SortCriterion {
  SortKey key = SortKey::arrival;
  bool reverse = false;
  bool operator==(const SortCriterion&) const = default;
};
struct Sort {  // SORT [RETURN (...)] (criteria) charset keys (RFC 5256 §3, ESORT RFC 5267 §3, RFC 5957)
  std::vector<SortCriterion> criteria;
  std::string charset;  // upper-cased
  std::optional<SearchReturn> ret;
  std::vector<SearchKey> keys;
  bool operator==(const Sort&) const = default;
};

struct Thread {  // THREAD algorithm charset keys (RFC 5256 §3)
  std::string algorithm;  // upper-cased: "REFERENCES", "ORDEREDSUBJECT", ...
  std::string charset;    // upper-cased
  std::vector<SearchKey> keys;
  bool operator==(const Thread&) const = default;
};

// A body section (RFC 9051 §6.4.5 section-spec): part numbers, then what of that part. The same shape as the
// MIME module's section: part {} is the whole message; kind all is the part's whole content.
struct Section {
  std::vector<uint32_t> part;  // "1.2.3" -> {1, 2, 3}; empty: the message itself
  enum class Kind : uint8_t {
    all,                // BODY[] / BODY[1.2]
    header,             // HEADER
    header_fields,      // HEADER.FIELDS (fields)
    header_fields_not,  // HEADER.FIELDS.NOT (fields)
    text,               // TEXT
    mime,               // MIME: the part's MIME header (only with part numbers)
  } kind = Kind::all;
  std::vector<std::string> fields;  // header field names as sent
  bool operator==(const Section&) const = default;
};

struct Partial {  // "<" offset "." length ">"
  uint64_t offset = 0;
  uint64_t length = 0;  // > 0
  bool operator==(const Partial&) const = default;
};

struct FetchItem {
  enum class Kind : uint8_t {
    envelope, flags, internaldate, rfc822, rfc822_header, rfc822_size, rfc822_text,
    body,           // BODY (non-extensible BODYSTRUCTURE)
    bodystructure,
    uid,
    body_section,   // BODY[section]<partial>, BODY.PEEK[...] (peek)
    binary,         // BINARY[part]<partial>, BINARY.PEEK[...] (peek) (RFC 3516, RFC 9051)
    binary_size,    // BINARY.SIZE[part]
    modseq,         // RFC 7162
    emailid, threadid,  // RFC 8474
    savedate,       // RFC 8514
  };
  Kind kind = Kind::flags;
  bool peek = false;
  Section section;                 // body_section, binary, binary_size (binary: part numbers only)
  std::optional<Partial> partial;  // body_section, binary
  bool operator==(const FetchItem&) const = default;
};

struct Fetch {  // FETCH set (items / macro) [(CHANGEDSINCE n [VANISHED])]
  SequenceSet set;
  std::vector<FetchItem> items;  // macros ALL/FAST/FULL expanded (RFC 9051 §6.4.5)
  std::optional<uint64_t> changedsince;  // RFC 7162 §3.1.4.1
  bool vanished = false;                 // RFC 7162 §3.2.6: UID FETCH with CHANGEDSINCE only
  bool operator==(const Fetch&) const = default;
};

struct Store {  // STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags (RFC 9051 §6.4.6, RFC 7162 §3.1.3)
  SequenceSet set;
  enum class Op : uint8_t { replace, add, remove } op = Op::replace;
  bool silent = false;
  std::vector<std::string> flags;
  std::optional<uint64_t> unchangedsince;
  bool operator==(const Store&) const = default;
};

struct Copy {  // COPY / MOVE set mailbox (RFC 9051 §6.4.7-8)
  SequenceSet set;
  std::string mailbox;
  bool operator==(const Copy&) const = default;
};

struct UidExpunge {  // UID EXPUNGE set (RFC 4315 §2.1, RFC 9051 §6.4.9)
  SequenceSet set;
  bool operator==(const UidExpunge&) const = default;
};

struct GetQuota {  // GETQUOTA root (RFC 9208 §4.2)
  std::string root;
  bool operator==(const GetQuota&) const = default;
};

struct QuotaLimit {
  std::string resource;  // upper-cased: "STORAGE", "MESSAGE", ...
  uint64_t limit = 0;
  bool operator==(const QuotaLimit&) const = default;
};
struct SetQuota {  // SETQUOTA root (resource limit ...) (RFC 9208 §4.4)
  std::string root;
  std::vector<QuotaLimit> limits;
  bool operator==(const SetQuota&) const = default;
};

// std::monostate: no arguments (CAPABILITY, NOOP, LOGOUT, STARTTLS, NAMESPACE, IDLE, CHECK, CLOSE, UNSELECT,
// EXPUNGE without UID).
using Arguments = std::variant<std::monostate, Authenticate, Login, Enable, Id, Compress, Select, Create, MailboxArg,
                               Rename, List, Lsub, Status, Append, Search, Sort, Thread, Fetch, Store, Copy,
                               UidExpunge, GetQuota, SetQuota>;

struct Command {
  std::string tag;
  CommandName name = CommandName::noop;
  bool uid = false;  // "UID COPY/MOVE/FETCH/STORE/SEARCH/SORT/THREAD/EXPUNGE": numbers are UIDs
  Arguments args;
  bool operator==(const Command&) const = default;
};

}  // namespace axon::imap
