#include "api/cursor.hpp"

#include <charconv>

namespace cargomon::api {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (i + 1 < in.size()) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : in) {
    const char* pos = std::char_traits<char>::find(kAlphabet, 64, c);
    if (!pos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(pos - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

bool read_int(std::string_view text, std::int64_t& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string encode_cursor(const OrderCursor& cursor) {
  return base64url("v1:" + std::to_string(cursor.occurred_at.time_since_epoch().count()) + ":" +
                   std::to_string(cursor.sequence));
}

std::optional<OrderCursor> decode_cursor(std::string_view text) {
  if (text.empty() || text.size() > 100) return std::nullopt;
  const auto raw = unbase64url(text);
  if (!raw || !raw->starts_with("v1:")) return std::nullopt;
  const std::string_view rest = std::string_view(*raw).substr(3);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::int64_t micros = 0, sequence = 0;
  if (!read_int(rest.substr(0, colon), micros) || !read_int(rest.substr(colon + 1), sequence) ||
      sequence < 0) {
    return std::nullopt;
  }
  return OrderCursor{Timestamp{std::chrono::microseconds{micros}}, sequence};
}

}  // namespace cargomon::api
