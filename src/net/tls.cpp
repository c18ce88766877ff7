// Server TLS contexts (OpenSSL through Asio): protocol floor, no client-initiated renegotiation, certificate
// loading with errors that name the file; and the self-signed certificate of `axon init`. RFCs: 8996 (no TLS
// before 1.2), 5746 §4.4 (renegotiation may be refused), 8446. Security: reads the private key, never logs it;
// the handshake peer is untrusted and unauthenticated.
#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

namespace axon::net {

namespace ssl = boost::asio::ssl;
using core::Errc;
using core::make_error;

namespace {
std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}
}  // namespace

core::Result<std::shared_ptr<ssl::context>> TlsContext::load(const std::filesystem::path& cert,
                                                             const std::filesystem::path& key) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);  // RFC 8996
  // TLS 1.2 renegotiation started by the client costs us a full handshake per request (a CPU DoS) and has no
  // use for us; refuse it whatever the library's default or an openssl.cnf says (RFC 5746 §4.4: no_renegotiation).
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
#ifdef SSL_OP_ALLOW_CLIENT_RENEGOTIATION  // OpenSSL 3
  SSL_CTX_clear_options(ctx->native_handle(), SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
#endif
  if (!std::filesystem::exists(cert)) return make_error(Errc::not_found, cert.string() + ": certificate not found");
  if (!std::filesystem::exists(key)) return make_error(Errc::not_found, key.string() + ": private key not found");
  if (SSL_CTX_use_certificate_chain_file(ctx->native_handle(), cert.c_str()) != 1)
    return make_error(Errc::invalid, cert.string() + ": cannot load certificate: " + openssl_error());
  if (SSL_CTX_use_PrivateKey_file(ctx->native_handle(), key.c_str(), SSL_FILETYPE_PEM) != 1)
    return make_error(Errc::invalid, key.string() + ": cannot load private key: " + openssl_error());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return make_error(Errc::invalid, key.string() + ": private key does not match " + cert.string());
  return ctx;
}

core::Result<void> write_self_signed(const std::filesystem::path& cert, const std::filesystem::path& key,
                                     const std::string& hostname, int days) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!pkey) return make_error(Errc::temporary, "cannot generate key: " + openssl_error());
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  X509_set_version(x.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), static_cast<long>(days) * 86400);
  X509_set_pubkey(x.get(), pkey.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(hostname.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x.get(), x.get(), nullptr, nullptr, 0);
  std::string san = "DNS:" + hostname;
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san.c_str()},
                            std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                            std::pair{NID_ext_key_usage, "serverAuth"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    if (!ext) return make_error(Errc::invalid, "cannot build certificate extension: " + openssl_error());
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (!X509_sign(x.get(), pkey.get(), EVP_sha256()))
    return make_error(Errc::temporary, "cannot sign certificate: " + openssl_error());

  std::error_code ec;
  std::filesystem::create_directories(cert.parent_path(), ec);
  std::filesystem::create_directories(key.parent_path(), ec);
  mode_t old = umask(077);
  FILE* kf = std::fopen(key.c_str(), "w");
  umask(old);
  if (!kf) return make_error(Errc::unavailable, key.string() + ": cannot write");
  bool ok = PEM_write_PrivateKey(kf, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(kf);
  if (!ok) return make_error(Errc::temporary, key.string() + ": cannot write key");
  FILE* cf = std::fopen(cert.c_str(), "w");
  if (!cf) return make_error(Errc::unavailable, cert.string() + ": cannot write");
  ok = PEM_write_X509(cf, x.get()) == 1;
  std::fclose(cf);
  if (!ok) return make_error(Errc::temporary, cert.string() + ": cannot write certificate");
  return {};
}

}  // namespace axon::net
