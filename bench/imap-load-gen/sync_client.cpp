// bench::SyncClient: blocking IMAP client (see sync_client.h). Quoted strings per RFC 3501 §4.3 (the user names
// and passwords of the bench need no escaping beyond " and \).
// Security: reads the benchmark's own server's bytes; bounded by ResponseReader.
#include "sync_client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "util.h"

namespace bench {

namespace {
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

void tally(const Response& r, Reply* reply) {
  if (r.word == "EXISTS") reply->exists = r.number;
  else if (r.word == "EXPUNGE") ++reply->expunges;
  else if (r.word == "FETCH") ++reply->fetches;
  for (std::size_t n : r.literals) reply->literal_octets += n;
  if (reply->untagged.size() < 16) reply->untagged.push_back(r.text.substr(0, 4096));
}
}  // namespace

SyncClient::SyncClient(const std::string& host, int port, double timeout_s) {
  fd_ = connect_blocking(host, port, timeout_s);
  Reply greeting;
  read_until("*", &greeting, false);
  if (greeting.untagged.empty() || !greeting.untagged[0].starts_with("* OK"))
    throw std::runtime_error("greeting is not * OK: " + (greeting.untagged.empty() ? "" : greeting.untagged[0]));
  caps_ = capabilities_in(greeting.untagged[0]);
}

SyncClient::~SyncClient() {
  if (fd_ >= 0) close(fd_);
}

std::string SyncClient::next_tag() { return "s" + std::to_string(++tag_n_); }

bool SyncClient::has_capability(std::string_view cap) const {
  return caps_.find(" " + std::string(cap) + " ") != std::string::npos;
}

// Reads until the tagged response for `tag` ("*": the first untagged response, for the greeting), or a
// continuation when until_continuation. Returns true when it stopped at a continuation.
bool SyncClient::read_until(std::string_view tag, Reply* reply, bool until_continuation) {
  std::deque<Response>& ready = ready_;
  std::string error;
  char buf[1 << 16];
  for (;;) {
    while (!ready.empty()) {
      Response r = std::move(ready.front());
      ready.pop_front();
      if (auto c = capabilities_in(r.text); !c.empty()) caps_ = c;
      if (r.kind == Response::Kind::continuation) {
        if (until_continuation) return true;
        throw std::runtime_error("unexpected continuation request: " + r.text);
      }
      if (r.kind == Response::Kind::untagged) {
        tally(r, reply);
        if (tag == "*") return false;
        continue;
      }
      if (r.tag != tag) throw std::runtime_error("tagged response for another command: " + r.text.substr(0, 200));
      reply->tagged = r.text;
      reply->status = r.status;
      return false;
    }
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n == 0) throw std::runtime_error("server closed the connection");
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(errno == EAGAIN ? std::string("timed out waiting for the server")
                                               : std::string("recv: ") + std::strerror(errno));
    }
    if (!reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)),
                      [&](Response& r) { ready.push_back(std::move(r)); }, &error))
      throw std::runtime_error(error);
  }
}

Reply SyncClient::command(std::string_view command, std::string* literal_sink) {
  const std::string tag = next_tag();
  std::string line = tag;
  line += ' ';
  line += command;
  line += "\r\n";
  write_all(fd_, line);
  Reply reply;
  reader_.set_literal_sink(literal_sink);
  try {
    read_until(tag, &reply, false);
  } catch (...) {
    reader_.set_literal_sink(nullptr);
    throw;
  }
  reader_.set_literal_sink(nullptr);
  return reply;
}

void SyncClient::login(std::string_view user, std::string_view password) {
  Reply r = command("LOGIN " + quoted(user) + " " + quoted(password));
  if (!r.ok()) throw std::runtime_error("LOGIN " + std::string(user) + ": " + r.tagged);
}

Reply SyncClient::append(std::string_view mailbox, std::string_view message) {
  const std::string tag = next_tag();
  const bool plus = has_capability("LITERAL+");
  std::string line = tag + " APPEND " + quoted(mailbox) + " {" + std::to_string(message.size()) +
                     (plus ? "+}\r\n" : "}\r\n");
  Reply reply;
  if (plus) {
    line += message;
    line += "\r\n";
    write_all(fd_, line);
  } else {
    write_all(fd_, line);
    if (!read_until(tag, &reply, true)) return reply;  // refused before the literal
    std::string rest(message);
    rest += "\r\n";
    write_all(fd_, rest);
  }
  read_until(tag, &reply, false);
  return reply;
}

std::size_t SyncClient::append_pipelined(std::string_view mailbox, const std::vector<std::string>& messages,
                                         std::size_t window, std::string* first_error) {
  if (!has_capability("LITERAL+")) throw std::runtime_error("pipelined APPEND needs LITERAL+");
  std::deque<std::string> pending;  // tags in flight
  std::size_t failed = 0;
  std::size_t next = 0;
  const std::string prefix = " APPEND " + quoted(mailbox) + " {";
  while (next < messages.size() || !pending.empty()) {
    std::string batch;
    while (next < messages.size() && pending.size() < window) {
      const std::string tag = next_tag();
      batch += tag + prefix + std::to_string(messages[next].size()) + "+}\r\n";
      batch += messages[next];
      batch += "\r\n";
      pending.push_back(tag);
      ++next;
    }
    if (!batch.empty()) write_all(fd_, batch);
    // Collect half a window's replies before sending more, so that writes and reads overlap.
    const std::size_t keep = next < messages.size() ? window / 2 : 0;
    while (pending.size() > keep) {
      Reply r;
      read_until(pending.front(), &r, false);
      pending.pop_front();
      if (!r.ok() && failed++ == 0) *first_error = r.tagged;
    }
  }
  return failed;
}

}  // namespace bench
