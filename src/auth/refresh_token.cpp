#include "auth/refresh_token.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "auth/sodium_init.hpp"

namespace cargomon::auth {
namespace {

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();  // sodium_bin2hex writes a terminating NUL
  return hex;
}

std::string random_hex(std::size_t bytes) {
  detail::ensure_sodium_initialized();
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), bytes);
  return to_hex(raw.data(), bytes);
}

bool is_lower_hex(std::string_view text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

RefreshToken new_refresh_token() {
  return {random_hex(kSessionIdLength / 2), new_refresh_secret()};
}

std::string new_refresh_secret() { return random_hex(kRefreshSecretLength / 2); }

bool is_session_id(std::string_view text) { return is_lower_hex(text, kSessionIdLength); }

std::optional<RefreshToken> parse_refresh_token(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto id = text.substr(0, dot);
  const auto secret = text.substr(dot + 1);
  if (!is_session_id(id) || !is_lower_hex(secret, kRefreshSecretLength)) return std::nullopt;
  return RefreshToken{std::string(id), std::string(secret)};
}

std::string hash_refresh_secret(std::string_view secret) {
  detail::ensure_sodium_initialized();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size());
  return to_hex(digest.data(), digest.size());
}

}  // namespace cargomon::auth
