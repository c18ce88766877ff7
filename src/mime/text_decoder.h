// The text of a body part as UTF-8, for SEARCH BODY/TEXT and snippets: the Content-Transfer-Encoding is undone
// (body_decoder.h), then the charset parameter (RFC 2046 §4.1.2; default us-ascii, read as UTF-8) is converted
// (charset.h). Streaming: feed the part's body octets in chunks.
// Thread-safety: one decoder per stream. Security: untrusted bytes; see the two decoders.
#pragma once

#include <string>
#include <string_view>

#include "mime/body_decoder.h"
#include "mime/charset.h"
#include "mime/summary.h"

namespace axon::mime {

// The charset a part's text is in: its charset parameter, else "us-ascii".
std::string charset_of(const Part& part);

class TextDecoder {
 public:
  explicit TextDecoder(const Part& part);

  void feed(std::string_view body, std::string& out);
  void finish(std::string& out);
  bool error() const { return body_.error(); }            // transfer encoding unknown or broken
  bool charset_known() const { return charset_.known(); }  // false: octets passed as (sanitized) UTF-8

 private:
  BodyDecoder body_;
  CharsetDecoder charset_;
  std::string buf_;
};

}  // namespace axon::mime
