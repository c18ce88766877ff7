#include "core/error.h"

namespace axon::core {

const char* to_string(Errc c) {
  switch (c) {
    case Errc::temporary: return "temporary";
    case Errc::unavailable: return "unavailable";
    case Errc::permanent: return "permanent";
    case Errc::not_found: return "not found";
    case Errc::exists: return "exists";
    case Errc::quota: return "quota";
    case Errc::in_use: return "in use";
    case Errc::limit: return "limit";
    case Errc::too_big: return "too big";
    case Errc::invalid: return "invalid";
  }
  return "unknown";
}

}  // namespace axon::core
