// imap::Deflate. See compress.h.
#include "imap/compress.h"

namespace axon::imap {

Deflate::Deflate() {
  ok_ = deflateInit2(&def_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  if (ok_) ok_ = inflateInit2(&inf_, -15) == Z_OK;
}

Deflate::~Deflate() {
  deflateEnd(&def_);
  inflateEnd(&inf_);
}

std::string Deflate::compress(std::string_view plain) {
  std::string out;
  def_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  def_.avail_in = static_cast<uInt>(plain.size());
  char buf[16384];
  do {
    def_.next_out = reinterpret_cast<Bytef*>(buf);
    def_.avail_out = sizeof buf;
    deflate(&def_, Z_SYNC_FLUSH);
    out.append(buf, sizeof buf - def_.avail_out);
  } while (def_.avail_out == 0 || def_.avail_in > 0);
  return out;
}

bool Deflate::inflate_some(std::string& out, std::size_t max) {
  if (pending_.empty()) return true;
  std::size_t start = out.size();
  out.resize(start + max);
  inf_.next_in = reinterpret_cast<Bytef*>(pending_.data());
  inf_.avail_in = static_cast<uInt>(pending_.size());
  inf_.next_out = reinterpret_cast<Bytef*>(out.data() + start);
  inf_.avail_out = static_cast<uInt>(max);
  int rc = inflate(&inf_, Z_SYNC_FLUSH);
  out.resize(start + (max - inf_.avail_out));
  pending_.erase(0, pending_.size() - inf_.avail_in);
  if (rc == Z_STREAM_END) pending_.clear();  // the client ended its stream: nothing after it counts
  return rc == Z_OK || rc == Z_BUF_ERROR || rc == Z_STREAM_END;
}

}  // namespace axon::imap
