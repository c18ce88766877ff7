// The spool's record format: header and envelope encoding. See record.h.
// Security: decode_header() and decode_envelope() see bytes read back from disk, which may be damaged; every
// length is bounded and every JSON field type-checked.
#include "queue/record.h"

#include <zlib.h>

#include <cstring>
#include <random>
#include <nlohmann/json.hpp>

namespace axon::queue {

uint32_t crc32(std::string_view data, uint32_t crc) {
  // zlib's CRC-32 is the IEEE polynomial with the usual pre/post inversion, and fast (slicing, SIMD).
  while (!data.empty()) {
    auto n = static_cast<uInt>(std::min<std::size_t>(data.size(), 1u << 30));
    crc = static_cast<uint32_t>(::crc32(crc, reinterpret_cast<const Bytef*>(data.data()), n));
    data.remove_prefix(n);
  }
  return crc;
}

namespace record {
namespace {

void put32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
uint32_t get32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t get64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

const char* body_name(core::BodyType b) {
  switch (b) {
    case core::BodyType::eight_bit_mime: return "8BITMIME";
    case core::BodyType::binary_mime: return "BINARYMIME";
    default: return "7BIT";
  }
}

}  // namespace

std::string encode_preamble(uint32_t& seed, uint32_t first_record) {
  std::string s(kPreambleSize, '\0');
  std::memcpy(s.data(), kSegmentMagic, 8);
  std::random_device rd;  // getrandom(2) on Linux
  for (int i = 0; i < 16; i += 4) put32(s.data() + 8 + i, rd());
  put32(s.data() + 24, first_record);
  put32(s.data() + 28, crc32(std::string_view(s.data(), 28)));
  seed = crc32(std::string_view(s.data() + 8, 16));
  return s;
}

bool decode_preamble(std::string_view b, uint32_t& seed, uint32_t& first_record) {
  if (b.size() < kPreambleSize || std::memcmp(b.data(), kSegmentMagic, 8) != 0) return false;
  if (get32(b.data() + 28) != crc32(b.substr(0, 28))) return false;
  uint32_t first = get32(b.data() + 24);
  if (first < kPreambleSize || first > kSpillGap) return false;
  seed = crc32(b.substr(8, 16));
  first_record = first;
  return true;
}

std::string encode_header(const Header& h, uint32_t seed) {
  std::string s(kHeaderSize, '\0');
  std::memcpy(s.data(), kMagic, 4);
  put32(s.data() + 4, h.envelope_size);
  put64(s.data() + 8, h.data_size);
  put32(s.data() + 16, h.envelope_crc);
  put32(s.data() + 20, h.data_crc);
  put32(s.data() + 24, crc32(std::string_view(s.data(), 24), seed));
  return s;
}

bool decode_header(std::string_view b, uint32_t seed, Header& out) {
  if (b.size() < kHeaderSize || std::memcmp(b.data(), kMagic, 4) != 0) return false;
  if (get32(b.data() + 24) != crc32(b.substr(0, 24), seed)) return false;
  Header h;
  h.envelope_size = get32(b.data() + 4);
  h.data_size = get64(b.data() + 8);
  h.envelope_crc = get32(b.data() + 16);
  h.data_crc = get32(b.data() + 20);
  if (h.envelope_size == 0 || h.envelope_size > kMaxEnvelope || h.data_size > kMaxData) return false;
  out = h;
  return true;
}

std::string encode_envelope(const std::string& id, const core::Envelope& e) {
  nlohmann::json j;
  j["id"] = id;
  j["from"] = e.mail_from;
  j["body"] = body_name(e.body);
  j["utf8"] = e.smtputf8;
  j["ret"] = e.dsn_ret;
  j["envid"] = e.dsn_envid;
  j["helo"] = e.helo;
  j["ip"] = e.peer_ip;
  j["tls"] = e.tls;
  j["auth"] = e.authenticated;
  j["received"] = std::chrono::duration_cast<std::chrono::microseconds>(e.received.time_since_epoch()).count();
  auto& rc = j["rcpts"] = nlohmann::json::array();
  for (const auto& r : e.rcpts)
    rc.push_back({{"addr", r.address}, {"targets", r.targets}, {"notify", r.notify}, {"orcpt", r.orcpt}});
  // Invalid UTF-8 (8-bit addresses without SMTPUTF8 never get here, but helo may) is replaced, not thrown.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

core::Result<core::Envelope> decode_envelope(std::string_view text, std::string* id) {
  using core::Errc;
  using core::make_error;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(Errc::invalid, "envelope is not a JSON object");
  try {
    core::Envelope e;
    if (id) *id = j.at("id").get<std::string>();
    e.mail_from = j.at("from").get<std::string>();
    auto body = j.at("body").get<std::string>();
    e.body = body == "8BITMIME"     ? core::BodyType::eight_bit_mime
             : body == "BINARYMIME" ? core::BodyType::binary_mime
                                    : core::BodyType::seven_bit;
    e.smtputf8 = j.at("utf8").get<bool>();
    e.dsn_ret = j.at("ret").get<std::string>();
    e.dsn_envid = j.at("envid").get<std::string>();
    e.helo = j.at("helo").get<std::string>();
    e.peer_ip = j.at("ip").get<std::string>();
    e.tls = j.at("tls").get<std::string>();
    e.authenticated = j.at("auth").get<bool>();
    e.received = core::TimePoint{std::chrono::microseconds(j.at("received").get<int64_t>())};
    for (const auto& r : j.at("rcpts")) {
      core::Recipient rc;
      rc.address = r.at("addr").get<std::string>();
      rc.targets = r.at("targets").get<std::vector<std::string>>();
      rc.notify = r.at("notify").get<std::string>();
      rc.orcpt = r.at("orcpt").get<std::string>();
      e.rcpts.push_back(std::move(rc));
    }
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return make_error(Errc::invalid, std::string("envelope: ") + ex.what());
  }
}

}  // namespace record
}  // namespace axon::queue
