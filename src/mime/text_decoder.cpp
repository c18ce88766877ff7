// The text of a part as UTF-8; see text_decoder.h. Security: untrusted bytes; the buffer holds one chunk.
#include "mime/text_decoder.h"

#include "mime/encoded_word.h"

namespace axon::mime {

std::string charset_of(const Part& part) {
  if (auto c = param_utf8(part.params, "charset"); c && !c->empty()) return *c;
  return "us-ascii";
}

TextDecoder::TextDecoder(const Part& part) : body_(encoding_of(part.encoding)), charset_(charset_of(part)) {}

void TextDecoder::feed(std::string_view body, std::string& out) {
  buf_.clear();
  body_.feed(body, buf_);
  charset_.feed(buf_, out);
}

void TextDecoder::finish(std::string& out) {
  buf_.clear();
  body_.finish(buf_);
  charset_.feed(buf_, out);
  charset_.finish(out);
}

}  // namespace axon::mime
