#include "api/cursor.hpp"

#include <sodium.h>

#include <charconv>

namespace cargomon::api {
namespace {

// libsodium's codec (constant-time, strict: no padding, no stray characters,
// no non-zero trailing bits). It needs no sodium_init(): it neither picks
// CPU-specific code nor draws randomness.
constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

std::string base64url(std::string_view in) {
  std::string out(sodium_base64_ENCODED_LEN(in.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                    in.size(), kVariant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &length, &end, kVariant) != 0 ||
      end != in.data() + in.size()) {
    return std::nullopt;
  }
  out.resize(length);
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

std::string encode_audit_cursor(const AuditCursor& cursor) {
  return base64url("a1:" + std::to_string(cursor.at.time_since_epoch().count()) + ":" + cursor.id);
}

std::optional<AuditCursor> decode_audit_cursor(std::string_view text) {
  if (text.empty() || text.size() > 200) return std::nullopt;
  const auto raw = unbase64url(text);
  if (!raw || !raw->starts_with("a1:")) return std::nullopt;
  const std::string_view rest = std::string_view(*raw).substr(3);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::int64_t micros = 0;
  if (!read_int(rest.substr(0, colon), micros)) return std::nullopt;
  return AuditCursor{Timestamp{std::chrono::microseconds{micros}},
                     std::string(rest.substr(colon + 1))};
}

}  // namespace cargomon::api
