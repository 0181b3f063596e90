#pragma once
// Reading gzip files as they come from DynamoDB's export to S3
// (`data/*.json.gz`): an input stream that inflates another one as it is
// read, in fixed-size pieces, so a file of any size is never held whole.
//
// Whether to inflate is told by the content (the gzip magic bytes), not the
// file name, so a compressed file read from stdin works too. Concatenated
// gzip members (what `cat a.gz b.gz` gives, and what some writers produce)
// are read as one stream, as gzip(1) does. A corrupt or truncated file ends
// the read with GzipError.

#include <array>
#include <cstddef>
#include <istream>
#include <memory>
#include <stdexcept>
#include <streambuf>

namespace cargomon::cli {

class GzipError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True when `in` starts with gzip's magic bytes; reads nothing from it.
bool starts_with_gzip(std::istream& in);

// A stream buffer that reads gzip data from `compressed` and gives the
// inflated bytes. Throws GzipError from underflow on bad data: a std::istream
// over it rethrows when its exceptions() include badbit (GunzipStream sets it).
class GunzipBuffer final : public std::streambuf {
 public:
  explicit GunzipBuffer(std::istream& compressed);
  ~GunzipBuffer() override;
  GunzipBuffer(const GunzipBuffer&) = delete;
  GunzipBuffer& operator=(const GunzipBuffer&) = delete;
  GunzipBuffer(GunzipBuffer&&) = delete;
  GunzipBuffer& operator=(GunzipBuffer&&) = delete;

 protected:
  int_type underflow() override;

 private:
  struct Inflater;
  static constexpr std::size_t kPiece = std::size_t{64} * 1024;
  std::istream& compressed_;
  std::unique_ptr<Inflater> inflater_;
  std::array<char, kPiece> in_{};
  std::array<char, kPiece> out_{};
  bool member_ended_ = false;  // the last member ended; more bytes may start another
  bool done_ = false;
};

// An istream of the inflated content; a read error surfaces as GzipError.
class GunzipStream final : public std::istream {
 public:
  explicit GunzipStream(std::istream& compressed);

 private:
  GunzipBuffer buffer_;
};

}  // namespace cargomon::cli
