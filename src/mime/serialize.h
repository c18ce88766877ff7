// The Summary as a compact string for the message table: a version octet, then LEB128 varints and
// length-prefixed strings; offsets are stored as gaps from the previous part, so small messages take a few
// dozen octets. deserialize() reads what came from the database as untrusted: it rejects (Errc::invalid) a wrong
// version, truncation, trailing octets, lengths past the end, nesting past 256, and any tree the parser could
// not have produced (offsets out of order or outside the parent, a message part without exactly one enclosed
// message, parts inside a leaf), so render.h and section.h can trust what it returns.
// Security: no recursion deeper than 256; allocation bounded by the input's length.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "mime/summary.h"

namespace axon::mime {

inline constexpr unsigned char kSummaryVersion = 1;

std::string serialize(const Summary& s);
core::Result<Summary> deserialize(std::string_view data);

}  // namespace axon::mime
