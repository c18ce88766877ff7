// Content-Transfer-Encoding decoders; see body_decoder.h. RFC 2045 §6.7 (quoted-printable: "=XX", soft line
// breaks "=" [white space] CRLF, trailing white space dropped), §6.8 (base64: characters outside the alphabet
// are errors, "=" pads a quantum; data after padding is decoded as a new block, as broken mailers concatenate).
// Security: untrusted bytes; constant state apart from QP white space, capped at kMaxSpaces.
#include "mime/body_decoder.h"

#include <array>

#include "mime/header_fields.h"

namespace axon::mime {

namespace {

// White space kept back in QP while it may be trailing; past this it is just text.
constexpr std::size_t kMaxSpaces = 1024;

constexpr std::array<signed char, 256> make_base64() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<signed char>(i);
    t['a' + i] = static_cast<signed char>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<signed char>(52 + i);
  t['+'] = 62;
  t['/'] = 63;
  t[' '] = t['\t'] = t['\r'] = t['\n'] = -2;  // skipped
  t['='] = -3;                                // padding
  return t;
}
constexpr auto kBase64 = make_base64();

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool qp_special(char c) { return c == '=' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Encoding encoding_of(const std::optional<std::string>& cte) {
  if (!cte) return Encoding::seven_bit;
  const std::string& v = *cte;
  if (iequals_ascii(v, "7bit")) return Encoding::seven_bit;
  if (iequals_ascii(v, "8bit")) return Encoding::eight_bit;
  if (iequals_ascii(v, "binary")) return Encoding::binary;
  if (iequals_ascii(v, "base64")) return Encoding::base64;
  if (iequals_ascii(v, "quoted-printable")) return Encoding::quoted_printable;
  return Encoding::unknown;
}

BodyDecoder::BodyDecoder(Encoding e) : enc_(e), error_(e == Encoding::unknown) {}

void BodyDecoder::feed(std::string_view in, std::string& out) {
  switch (enc_) {
    case Encoding::base64: base64(in, out); break;
    case Encoding::quoted_printable: quoted_printable(in, out); break;
    default: out.append(in); break;
  }
}

void BodyDecoder::finish(std::string& out) {
  if (enc_ == Encoding::base64) {
    if (quantum_ == 1) error_ = true;  // six bits cannot make an octet: the data was cut
    acc_ = 0;
    bits_ = quantum_ = 0;
  } else if (enc_ == Encoding::quoted_printable) {
    // "=" (with white space) at the very end is a soft line break; "=X" is not.
    if (escape_.size() == 2 && hex_value(escape_[1]) >= 0) {
      error_ = true;
      flush_spaces(out);
      out += escape_;
    }
    escape_.clear();
    if (cr_) out.push_back('\r');
    cr_ = false;
    spaces_.clear();  // trailing white space of the last line
  }
}

void BodyDecoder::base64(std::string_view in, std::string& out) {
  for (char ch : in) {
    const int v = kBase64[static_cast<unsigned char>(ch)];
    if (v >= 0) {
      if (padded_) {
        // Data after padding: a new block.
        padded_ = false;
        acc_ = 0;
        bits_ = quantum_ = 0;
      }
      acc_ = (acc_ << 6) | static_cast<uint32_t>(v);
      bits_ += 6;
      quantum_ = (quantum_ + 1) % 4;
      if (bits_ >= 8) {
        bits_ -= 8;
        out.push_back(static_cast<char>((acc_ >> bits_) & 0xFF));
      }
    } else if (v == -3) {
      if (!padded_ && quantum_ == 1) error_ = true;
      padded_ = true;
      acc_ = 0;
      bits_ = quantum_ = 0;
    } else if (v == -1) {
      error_ = true;  // not in the alphabet: skipped
    }
  }
}

void BodyDecoder::flush_spaces(std::string& out) {
  out += spaces_;
  spaces_.clear();
}

void BodyDecoder::quoted_printable(std::string_view in, std::string& out) {
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    if (!escape_.empty()) {
      // escape_ is "=", "=X" or "=" followed by white space and maybe a CR.
      const char last = escape_.back();
      if (escape_.size() == 1 && hex_value(c) >= 0) {
        escape_.push_back(c);
      } else if (escape_.size() == 2 && hex_value(last) >= 0) {
        if (hex_value(c) >= 0) {
          flush_spaces(out);
          out.push_back(static_cast<char>(hex_value(last) * 16 + hex_value(c)));
          escape_.clear();
        } else {
          error_ = true;
          flush_spaces(out);
          out += escape_;
          escape_.clear();
          continue;  // c again, as text
        }
      } else if (c == '\n') {
        escape_.clear();  // soft line break
      } else if (last != '\r' && (c == '\r' || ((c == ' ' || c == '\t') && escape_.size() < kMaxSpaces))) {
        escape_.push_back(c);
      } else {
        error_ = true;
        flush_spaces(out);
        out += escape_;
        escape_.clear();
        continue;
      }
      ++i;
      continue;
    }
    if (cr_) {
      cr_ = false;
      if (c == '\n') {
        spaces_.clear();  // trailing white space goes
        out += "\r\n";
        ++i;
        continue;
      }
      flush_spaces(out);
      out.push_back('\r');  // a bare CR is text
    }
    switch (c) {
      case '=':
        escape_.assign(1, '=');
        break;
      case ' ':
      case '\t':
        if (spaces_.size() >= kMaxSpaces) flush_spaces(out);
        spaces_.push_back(c);
        break;
      case '\r':
        cr_ = true;
        break;
      case '\n':
        spaces_.clear();
        out.push_back('\n');
        break;
      default: {
        flush_spaces(out);
        std::size_t j = i + 1;
        while (j < in.size() && !qp_special(in[j])) ++j;
        out.append(in.substr(i, j - i));
        i = j;
        continue;
      }
    }
    ++i;
  }
}

}  // namespace axon::mime
