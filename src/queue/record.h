// queue/record.h — the on-disk format of the spool, shared by the writer (spool.cpp) and recovery
// (recovery.cpp). A segment starts with a preamble:
//
//   0       8     magic "AXSEG\0\0\2"
//   8       16    a random nonce, new for every segment
//   24      4     offset of the first record (32, or more in a message's own segment, see below)
//   28      4     CRC-32 of bytes 0..27
//
// then holds records, one accepted message each:
//
//   offset  size  field
//   0       4     magic "AXS2"
//   4       4     envelope length E (u32, little endian)
//   8       8     data length D (u64)
//   16      4     CRC-32 of the envelope
//   20      4     CRC-32 of the data
//   24      4     CRC-32 of bytes 0..23, seeded with the CRC-32 of the segment's nonce (see below)
//   28      4     reserved, 0
//   32      E     envelope (JSON: queue id, sender, recipients, DSN parameters, trace facts)
//   32+E    D     message data (our Received: first, CRLF line ends, dot-unstuffed)
//
// The header CRC lets recovery tell a damaged length from a record that really runs past the end of the file
// (a torn tail). Seeding it with the segment's secret nonce means that no bytes a client sends — message data
// may contain anything, a whole well-formed record included — can pass for a record when recovery searches for
// the next intact one after damage: a client never learns the nonce. It also keeps that search cheap: a false
// candidate fails on its 32 octets before any data is read.
// Security: recovery reads untrusted lengths from disk; decode_header() bounds them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/envelope.h"
#include "core/error.h"

namespace axon::queue::record {

inline constexpr char kMagic[4] = {'A', 'X', 'S', '2'};
inline constexpr char kSegmentMagic[8] = {'A', 'X', 'S', 'E', 'G', '\0', '\0', '\2'};
inline constexpr std::size_t kPreambleSize = 32;
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

// A big message's own segment: its data was spilled to a file at offset kSpillGap while it arrived; that file
// becomes the segment, with the preamble at 0 and the one record's header and envelope ending exactly at
// kSpillGap (so the first record starts after a gap), and no copy of the data is made.
inline constexpr uint64_t kSpillGap = 64u << 10;

// The preamble with a new random nonce; the nonce's CRC-32 (the seed of every header CRC in the segment).
std::string encode_preamble(uint32_t& seed, uint32_t first_record = kPreambleSize);
// A preamble whose magic and CRC are right: its seed and first record. Otherwise nothing.
bool decode_preamble(std::string_view bytes, uint32_t& seed, uint32_t& first_record);

std::string encode_header(const Header& h, uint32_t seed);
// A header whose magic, CRC (under the segment's seed) and bounds are right; otherwise nothing.
bool decode_header(std::string_view bytes, uint32_t seed, Header& out);

std::string encode_envelope(const std::string& id, const core::Envelope& e);
core::Result<core::Envelope> decode_envelope(std::string_view json, std::string* id);

}  // namespace axon::queue::record

namespace axon::queue {
// CRC-32 (IEEE 802.3), continuing from `crc` (0 to start).
uint32_t crc32(std::string_view data, uint32_t crc = 0);
}  // namespace axon::queue
