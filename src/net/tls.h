// net::TlsContext — server TLS contexts (OpenSSL through Asio), reloadable on SIGHUP, and the self-signed
// certificate that `axon init` writes. Security: reads the private key; never logs key material.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "core/error.h"

namespace axon::net {

class TlsContext {
 public:
  // Loads cert (chain) and key; errors name the file. TLS 1.2 minimum, no renegotiation.
  static core::Result<std::shared_ptr<boost::asio::ssl::context>> load(const std::filesystem::path& cert,
                                                                        const std::filesystem::path& key);
};

// Writes a self-signed certificate (EC P-256, SAN = hostname, valid `days`) and its key (mode 0600).
core::Result<void> write_self_signed(const std::filesystem::path& cert, const std::filesystem::path& key,
                                     const std::string& hostname, int days = 825);

}  // namespace axon::net
