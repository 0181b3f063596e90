#include "cli/gunzip.hpp"

#include <zlib.h>

#include <limits>
#include <string>

namespace cargomon::cli {

bool starts_with_gzip(std::istream& in) {
  const auto first = in.peek();
  if (first != 0x1f) return false;
  // Two bytes are needed; put the first back after looking at the second.
  in.get();
  const auto second = in.peek();
  in.unget();
  return second == 0x8b;
}

struct GunzipBuffer::Inflater {
  z_stream z{};
  Inflater() {
    // 16 + MAX_WBITS: a gzip wrapper (header and CRC checked by zlib).
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw GzipError("gzip: cannot start inflating");
  }
  ~Inflater() { inflateEnd(&z); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  Inflater(Inflater&&) = delete;
  Inflater& operator=(Inflater&&) = delete;
};

GunzipBuffer::GunzipBuffer(std::istream& compressed)
    : compressed_(compressed), inflater_(std::make_unique<Inflater>()) {
  setg(out_.data(), out_.data(), out_.data());
}

GunzipBuffer::~GunzipBuffer() = default;

GunzipBuffer::int_type GunzipBuffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  z_stream& z = inflater_->z;
  while (!done_) {
    if (z.avail_in == 0) {
      compressed_.read(in_.data(), static_cast<std::streamsize>(in_.size()));
      const auto got = compressed_.gcount();
      if (got == 0) {
        // The input ended: fine between members, a truncated file inside one.
        if (!member_ended_) throw GzipError("gzip: the file is cut off (truncated)");
        done_ = true;
        break;
      }
      z.next_in = reinterpret_cast<Bytef*>(in_.data());
      z.avail_in = static_cast<uInt>(got);
    }
    if (member_ended_) {
      // More bytes after a member: the next member begins.
      if (inflateReset(&z) != Z_OK) throw GzipError("gzip: cannot start the next member");
      member_ended_ = false;
    }
    z.next_out = reinterpret_cast<Bytef*>(out_.data());
    z.avail_out = static_cast<uInt>(out_.size());
    const int status = inflate(&z, Z_NO_FLUSH);
    if (status == Z_STREAM_END) {
      member_ended_ = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      throw GzipError(std::string("gzip: the file is corrupt (") +
                      (z.msg != nullptr ? z.msg : "bad data") + ")");
    }
    const auto produced = out_.size() - z.avail_out;
    if (produced > 0) {
      setg(out_.data(), out_.data(), out_.data() + produced);
      return traits_type::to_int_type(*gptr());
    }
  }
  return traits_type::eof();
}

GunzipStream::GunzipStream(std::istream& compressed) : std::istream(nullptr), buffer_(compressed) {
  rdbuf(&buffer_);
  exceptions(std::ios::badbit);
}

}  // namespace cargomon::cli
