// queue/record.h — the on-disk record of the spool, shared by the writer (spool.cpp) and recovery
// (recovery.cpp). A record is one accepted message:
//
//   offset  size  field
//   0       4     magic "AXS2"
//   4       4     envelope length E (u32, little endian)
//   8       8     data length D (u64)
//   16      4     CRC-32 of the envelope
//   20      4     CRC-32 of the data
//   24      4     CRC-32 of bytes 0..23 (the header itself: lengths are trusted only when it matches)
//   28      4     reserved, 0
//   32      E     envelope (JSON: queue id, sender, recipients, DSN parameters, trace facts)
//   32+E    D     message data (our Received: first, CRLF line ends, dot-unstuffed)
//
// The header CRC lets recovery tell a damaged length from a record that really runs past the end of the file
// (a torn tail). Security: recovery reads untrusted lengths from disk; decode_header() bounds them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/envelope.h"
#include "core/error.h"

namespace axon::queue::record {

inline constexpr char kMagic[4] = {'A', 'X', 'S', '2'};
inline constexpr std::size_t kHeaderSize = 32;
inline constexpr uint32_t kMaxEnvelope = 64u << 20;  // far above any envelope (recipients are bounded by config)
inline constexpr uint64_t kMaxData = uint64_t{1} << 40;

struct Header {
  uint32_t envelope_size = 0;
  uint64_t data_size = 0;
  uint32_t envelope_crc = 0;
  uint32_t data_crc = 0;
  uint64_t total() const { return kHeaderSize + envelope_size + data_size; }
  // The record's fingerprint: the same queue id with another fingerprint is another message.
  uint64_t fingerprint() const { return (uint64_t{envelope_crc} << 32) | data_crc; }
};

std::string encode_header(const Header& h);
// A header whose magic, CRC and bounds are right; otherwise nothing.
bool decode_header(std::string_view bytes, Header& out);

std::string encode_envelope(const std::string& id, const core::Envelope& e);
core::Result<core::Envelope> decode_envelope(std::string_view json, std::string* id);

}  // namespace axon::queue::record

namespace axon::queue {
// CRC-32 (IEEE 802.3), continuing from `crc` (0 to start).
uint32_t crc32(std::string_view data, uint32_t crc = 0);
}  // namespace axon::queue
