#pragma once
// For tests and fuzz targets of the token service: build compact JWS tokens
// by hand (any header, any payload, any key), as a forger would, without
// going through the code under test. Header-only; link libsodium.

#include <sodium.h>

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cargomon::auth::testing {

inline std::string base64url(std::string_view data) {
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), variant);
  out.resize(out.find('\0'));
  return out;
}

// Throws std::invalid_argument when `text` is not strict base64url.
inline std::string unbase64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    throw std::invalid_argument("not base64url: " + std::string(text));
  }
  out.resize(length);
  return out;
}

// The base64url HMAC-SHA256 of `signing_input` ("<header>.<payload>").
inline std::string hs256_signature(std::string_view key, std::string_view signing_input) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  return base64url(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

// A token of the given header and payload JSON, HMAC-SHA256-signed with
// `key` whatever the header says.
inline std::string forge(std::string_view header_json, std::string_view payload_json,
                         std::string_view key) {
  const std::string signing_input = base64url(header_json) + "." + base64url(payload_json);
  return signing_input + "." + hs256_signature(key, signing_input);
}

}  // namespace cargomon::auth::testing
