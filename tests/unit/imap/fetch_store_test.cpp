// FETCH (items, macros, sections, partials, BINARY, modifiers), STORE, COPY, MOVE, UID EXPUNGE.
#include <gtest/gtest.h>

#include "imap/format.h"
#include "wire.h"

using namespace axon::imap;
using test::bad;
using test::ok;
using FK = FetchItem::Kind;

namespace {

Fetch fetch(std::string_view line) { return std::get<Fetch>(ok(line).args); }

std::vector<FK> kinds(const Fetch& f) {
  std::vector<FK> out;
  for (const auto& i : f.items) out.push_back(i.kind);
  return out;
}

FetchItem item(std::string_view att) {
  Fetch f = fetch("a FETCH 1 " + std::string(att));
  EXPECT_EQ(f.items.size(), 1u) << att;
  return f.items.empty() ? FetchItem{} : f.items[0];
}

}  // namespace

TEST(ImapFetch, Macros) {
  EXPECT_EQ(kinds(fetch("a FETCH 1 ALL")),
            (std::vector<FK>{FK::flags, FK::internaldate, FK::rfc822_size, FK::envelope}));
  EXPECT_EQ(kinds(fetch("a FETCH 1 fast")), (std::vector<FK>{FK::flags, FK::internaldate, FK::rfc822_size}));
  EXPECT_EQ(kinds(fetch("a FETCH 1 FULL")),
            (std::vector<FK>{FK::flags, FK::internaldate, FK::rfc822_size, FK::envelope, FK::body}));
  EXPECT_EQ(bad("a FETCH 1 (ALL)"), "Unknown FETCH item");  // macros only stand alone
  EXPECT_EQ(bad("a FETCH 1 ALLX"), "Unknown FETCH item");
}

TEST(ImapFetch, SimpleItems) {
  const std::pair<const char*, FK> cases[] = {
      {"ENVELOPE", FK::envelope},       {"FLAGS", FK::flags},         {"INTERNALDATE", FK::internaldate},
      {"RFC822", FK::rfc822},           {"RFC822.HEADER", FK::rfc822_header}, {"RFC822.SIZE", FK::rfc822_size},
      {"RFC822.TEXT", FK::rfc822_text}, {"BODY", FK::body},           {"BODYSTRUCTURE", FK::bodystructure},
      {"UID", FK::uid},                 {"MODSEQ", FK::modseq},       {"EMAILID", FK::emailid},
      {"THREADID", FK::threadid},       {"SAVEDATE", FK::savedate},
  };
  for (const auto& [name, kind] : cases) {
    EXPECT_EQ(item(name).kind, kind) << name;
    EXPECT_EQ(item(std::string("(") + name + ")").kind, kind) << name;
  }
  Fetch f = fetch("a FETCH 2:4 (flags uid rfc822.size)");
  EXPECT_EQ(kinds(f), (std::vector<FK>{FK::flags, FK::uid, FK::rfc822_size}));
  EXPECT_EQ(f.set.elements()[0], (SequenceSet::Element{2, 4}));
}

TEST(ImapFetch, Sections) {
  FetchItem i = item("BODY[]");
  EXPECT_EQ(i.kind, FK::body_section);
  EXPECT_FALSE(i.peek);
  EXPECT_EQ(i.section, Section{});
  i = item("BODY.PEEK[HEADER]");
  EXPECT_TRUE(i.peek);
  EXPECT_EQ(i.section.kind, Section::Kind::header);
  i = item("body[1.2.3]");
  EXPECT_EQ(i.section.part, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(i.section.kind, Section::Kind::all);
  i = item("BODY[4.2.HEADER.FIELDS (DATE FROM \"Subject\" {2+}\r\nTo)]");
  EXPECT_EQ(i.section.part, (std::vector<uint32_t>{4, 2}));
  EXPECT_EQ(i.section.kind, Section::Kind::header_fields);
  EXPECT_EQ(i.section.fields, (std::vector<std::string>{"DATE", "FROM", "Subject", "To"}));
  i = item("BODY.PEEK[HEADER.FIELDS.NOT (Received)]");
  EXPECT_EQ(i.section.kind, Section::Kind::header_fields_not);
  EXPECT_EQ(item("BODY[TEXT]").section.kind, Section::Kind::text);
  EXPECT_EQ(item("BODY[1.TEXT]").section.kind, Section::Kind::text);
  i = item("BODY[3.MIME]");
  EXPECT_EQ(i.section.kind, Section::Kind::mime);
  EXPECT_EQ(i.section.part, (std::vector<uint32_t>{3}));
  i = item("BODY[]<0.2048>");
  ASSERT_TRUE(i.partial);
  EXPECT_EQ(i.partial->offset, 0u);
  EXPECT_EQ(i.partial->length, 2048u);
  EXPECT_EQ(item("BODY.PEEK[1]<100.9223372036854775807>").partial->length, 9223372036854775807u);
  EXPECT_EQ(section_spec(item("BODY[4.2.HEADER.FIELDS (DATE \"X Y\")]").section), "4.2.HEADER.FIELDS (DATE \"X Y\")");
  EXPECT_EQ(section_spec(item("BODY[1.MIME]").section), "1.MIME");
  EXPECT_EQ(section_spec(item("BODY[]").section), "");
  EXPECT_EQ(section_spec(item("BODY[2]").section), "2");

  EXPECT_EQ(bad("a FETCH 1 BODY[MIME]"), "Invalid section");
  EXPECT_EQ(bad("a FETCH 1 BODY[0]"), "Invalid section part");
  EXPECT_EQ(bad("a FETCH 1 BODY[1.]"), "Invalid section");
  EXPECT_EQ(bad("a FETCH 1 BODY[HEADER.FIELDS]"), "Expected a space");
  EXPECT_EQ(bad("a FETCH 1 BODY[HEADER.FIELDS ()]"), "Invalid header field name");
  EXPECT_EQ(bad("a FETCH 1 BODY[HEADER.FIELDS (\"\")]"), "Invalid header field name");
  EXPECT_EQ(bad("a FETCH 1 BODY[HEADER"), "Invalid section");
  EXPECT_EQ(bad("a FETCH 1 BODY[FOO]"), "Invalid section");
  EXPECT_EQ(bad("a FETCH 1 BODY.PEEK"), "Expected a section");
  EXPECT_EQ(bad("a FETCH 1 BODY[]<0.0>"), "Invalid partial");
  EXPECT_EQ(bad("a FETCH 1 BODY[]<1>"), "Invalid partial");
  EXPECT_EQ(bad("a FETCH 1 BODY[]<1.2"), "Invalid partial");
  EXPECT_EQ(bad("a FETCH 1 BODY[1.4294967296]"), "Number too big");
}

TEST(ImapFetch, Binary) {
  FetchItem i = item("BINARY[1.2]");
  EXPECT_EQ(i.kind, FK::binary);
  EXPECT_FALSE(i.peek);
  EXPECT_EQ(i.section.part, (std::vector<uint32_t>{1, 2}));
  i = item("BINARY.PEEK[]<0.100>");
  EXPECT_TRUE(i.peek);
  EXPECT_TRUE(i.partial);
  i = item("BINARY.SIZE[3]");
  EXPECT_EQ(i.kind, FK::binary_size);
  EXPECT_EQ(bad("a FETCH 1 BINARY[1.HEADER]"), "Invalid binary section");
  EXPECT_EQ(bad("a FETCH 1 BINARY.SIZE[1]<0.1>"), "Extra characters after the command");
  EXPECT_EQ(bad("a FETCH 1 BINARY"), "Expected a section");
}

TEST(ImapFetch, Modifiers) {
  Command c = ok("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)");  // RFC 7162 §3.1.4.2
  EXPECT_TRUE(c.uid);
  auto f = std::get<Fetch>(c.args);
  EXPECT_EQ(f.changedsince, 12345u);
  EXPECT_FALSE(f.vanished);
  f = std::get<Fetch>(ok("A02 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)").args);  // §3.2.6
  EXPECT_TRUE(f.vanished);
  EXPECT_EQ(bad("a FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"), "VANISHED needs UID FETCH and CHANGEDSINCE");
  EXPECT_EQ(bad("a UID FETCH 1:* (FLAGS) (VANISHED)"), "VANISHED needs UID FETCH and CHANGEDSINCE");
  EXPECT_EQ(bad("a FETCH 1 FLAGS (CHANGEDSINCE 0)"), "Invalid mod-sequence");
  EXPECT_EQ(bad("a FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)"), "Invalid CHANGEDSINCE");
  EXPECT_EQ(bad("a FETCH 1 FLAGS (FOO)"), "Unknown FETCH modifier");
}

TEST(ImapFetch, Malformed) {
  EXPECT_EQ(bad("a FETCH"), "Missing argument");
  EXPECT_EQ(bad("a FETCH 1"), "Missing argument");
  EXPECT_EQ(bad("a FETCH 1 ()"), "Invalid FETCH item");
  EXPECT_EQ(bad("a FETCH 1 (FLAGS"), "Invalid FETCH item list");
  EXPECT_EQ(bad("a FETCH 1 (FLAGS UID"), "Invalid FETCH item list");
  EXPECT_EQ(bad("a FETCH 1 (FLAGS  UID)"), "Invalid FETCH item");
  EXPECT_EQ(bad("a FETCH x FLAGS"), "Invalid sequence set");
  EXPECT_EQ(bad("a FETCH 1 FROB"), "Unknown FETCH item");
  ParseOptions opt;
  opt.max_fetch_items = 3;
  EXPECT_EQ(std::get<Fetch>(ok("a FETCH 1 FAST", opt).args).items.size(), 3u);
  EXPECT_EQ(bad("a FETCH 1 ALL", opt), "Too many FETCH items");
  EXPECT_EQ(bad("a FETCH 1 (UID UID UID UID)", opt), "Too many FETCH items");
}

TEST(ImapStore, Store) {
  auto s = std::get<Store>(ok("A003 STORE 2:4 +FLAGS (\\Deleted)").args);  // RFC 9051 §6.4.6
  EXPECT_EQ(s.op, Store::Op::add);
  EXPECT_FALSE(s.silent);
  EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Deleted"}));
  s = std::get<Store>(ok("a STORE 1 -flags.silent \\Seen $Junk").args);
  EXPECT_EQ(s.op, Store::Op::remove);
  EXPECT_TRUE(s.silent);
  EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Seen", "$Junk"}));
  s = std::get<Store>(ok("a STORE 1:* FLAGS ()").args);
  EXPECT_EQ(s.op, Store::Op::replace);
  EXPECT_TRUE(s.flags.empty());
  // The modifier goes before the item: after it, it is taken as flags and the rest is extra.
  EXPECT_EQ(bad("d105 STORE 7 +FLAGS.SILENT (UNCHANGEDSINCE 320162338) \\Deleted"),
            "Extra characters after the command");
  s = std::get<Store>(ok("d105 UID STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)").args);
  EXPECT_EQ(s.unchangedsince, 320162338u);
  EXPECT_EQ(std::get<Store>(ok("a STORE 1 (UNCHANGEDSINCE 0) FLAGS ()").args).unchangedsince, 0u);
  EXPECT_EQ(bad("a STORE 1 FLAGS"), "Missing argument");
  EXPECT_EQ(bad("a STORE 1 +FLAG (\\Seen)"), "Invalid STORE item");
  EXPECT_EQ(bad("a STORE 1 *FLAGS (\\Seen)"), "Invalid STORE item");
  EXPECT_EQ(bad("a STORE 1 FLAGS (\\Seen"), "Invalid flag list");
  EXPECT_EQ(bad("a STORE 1 FLAGS (\\)"), "Invalid flag");
  EXPECT_EQ(bad("a STORE 1 (FOO 1) FLAGS ()"), "Unknown STORE modifier");
  EXPECT_EQ(bad("a STORE 1"), "Missing argument");
}

TEST(ImapStore, CopyMoveExpunge) {
  Command c = ok("A003 COPY 2:4 MEETING");
  EXPECT_EQ(c.name, CommandName::copy);
  auto cp = std::get<Copy>(c.args);
  EXPECT_EQ(cp.mailbox, "MEETING");
  c = ok("a UID MOVE 42:69 foo");
  EXPECT_EQ(c.name, CommandName::move);
  EXPECT_TRUE(c.uid);
  EXPECT_EQ(std::get<Copy>(c.args).set.elements()[0], (SequenceSet::Element{42, 69}));
  EXPECT_EQ(bad("a COPY 2:4"), "Missing argument");
  EXPECT_EQ(bad("a COPY MEETING 2:4"), "Invalid sequence set");

  c = ok("A202 UID EXPUNGE 3000:3002");
  EXPECT_EQ(c.name, CommandName::expunge);
  EXPECT_EQ(std::get<UidExpunge>(c.args).set.elements()[0], (SequenceSet::Element{3000, 3002}));
  EXPECT_EQ(bad("a UID EXPUNGE"), "Missing argument");
  EXPECT_EQ(bad("a EXPUNGE 1:2"), "Extra characters after the command");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(ok("a EXPUNGE").args));
}
