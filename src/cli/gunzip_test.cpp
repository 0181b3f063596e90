#include "cli/gunzip.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <sstream>
#include <string>

#include "cli/item_reader.hpp"

namespace cargomon::cli {
namespace {

// `printf 'hola\n' | gzip -n -9` and `printf 'mundo\n' | gzip -n`: made by
// gzip(1), not by the code under test.
const std::string kHola{
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xcb\xc8\xcf\x49\xe4\x02\x00\x78"
    "\xad\xdb\xd1\x05\x00\x00\x00",
    25};
const std::string kMundo{
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x2d\xcd\x4b\xc9\xe7\x02\x00"
    "\x22\xaf\x0d\xa2\x06\x00\x00\x00",
    26};

std::string inflate_all(const std::string& compressed) {
  std::istringstream in(compressed);
  GunzipStream gunzip(in);
  // Read as the item reader does (istream::read), so errors surface as they
  // would there.
  std::string out;
  std::array<char, 7> piece{};
  while (gunzip.read(piece.data(), piece.size()) || gunzip.gcount() > 0) {
    out.append(piece.data(), static_cast<std::size_t>(gunzip.gcount()));
  }
  return out;
}

// `text` in one gzip member, by zlib's own deflate.
std::string gzip(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

TEST(Gunzip, InflatesWhatGzipWrote) { EXPECT_EQ(inflate_all(kHola), "hola\n"); }

TEST(Gunzip, ReadsConcatenatedMembersAsOneStream) {
  EXPECT_EQ(inflate_all(kHola + kMundo), "hola\nmundo\n");
}

TEST(Gunzip, TellsGzipFromItsMagicBytesAndReadsNothing) {
  std::istringstream compressed(kHola);
  EXPECT_TRUE(starts_with_gzip(compressed));
  EXPECT_EQ(compressed.tellg(), 0);
  std::istringstream plain(R"({"Items": []})");
  EXPECT_FALSE(starts_with_gzip(plain));
  std::istringstream one_byte("\x1f");
  EXPECT_FALSE(starts_with_gzip(one_byte));
  std::istringstream empty;
  EXPECT_FALSE(starts_with_gzip(empty));
}

TEST(Gunzip, ACutOffFileIsAnErrorNotAShortRead) {
  EXPECT_THROW(inflate_all(kHola.substr(0, kHola.size() - 6)), GzipError);
}

TEST(Gunzip, ACorruptFileIsAnError) {
  auto corrupt = kHola;
  corrupt[corrupt.size() - 5] ^= 0x01;  // the CRC no longer matches
  EXPECT_THROW(inflate_all(corrupt), GzipError);
}

TEST(Gunzip, ALargeFileIsInflatedPieceByPiece) {
  std::string lines;
  for (int i = 0; i < 20000; ++i) {
    lines += R"({"Item":{"pedido_id":{"S":"p-)" + std::to_string(i) + R"("}}})" + "\n";
  }
  ASSERT_GT(lines.size(), std::size_t{8} << 16);  // many times the 64 KiB piece
  std::istringstream in(gzip(lines));
  GunzipStream gunzip(in);
  std::size_t count = 0;
  std::string last;
  read_items(gunzip, "pedido_id", [&](InputItem item) {
    ++count;
    last = item.id;
  });
  EXPECT_EQ(count, 20000U);
  EXPECT_EQ(last, "p-19999");
}

}  // namespace
}  // namespace cargomon::cli
