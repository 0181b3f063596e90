#include "webhook/signature.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

#include "auth/sodium_init.hpp"

namespace cargomon::webhook {
namespace {

std::string to_base64(const unsigned char* bytes, std::size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

}  // namespace

std::string new_endpoint_id() {
  auth::detail::ensure_sodium_initialized();
  unsigned char bytes[10];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("we_") + hex;
}

std::string new_secret() {
  auth::detail::ensure_sodium_initialized();
  unsigned char key[32];
  randombytes_buf(key, sizeof key);
  return std::string(kSecretPrefix) + to_base64(key, sizeof key);
}

std::optional<std::string> secret_key(std::string_view secret) {
  if (secret.starts_with(kSecretPrefix)) secret.remove_prefix(kSecretPrefix.size());
  if (secret.size() > 256) return std::nullopt;
  std::string key(secret.size(), '\0');
  std::size_t size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), secret.data(),
                        secret.size(), nullptr, &size, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != secret.data() + secret.size() || size < 16) {
    return std::nullopt;
  }
  key.resize(size);
  return key;
}

std::string sign(std::string_view secret, std::string_view id, std::int64_t timestamp,
                 std::string_view body) {
  auth::detail::ensure_sodium_initialized();
  const auto key = secret_key(secret);
  if (!key) throw std::invalid_argument("not a webhook secret");
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key->data()),
                              key->size());
  const auto feed = [&state](std::string_view piece) {
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(piece.data()),
                                  piece.size());
  };
  const auto stamp = std::to_string(timestamp);
  feed(id);
  feed(".");
  feed(stamp);
  feed(".");
  feed(body);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return "v1," + to_base64(mac, sizeof mac);
}

}  // namespace cargomon::webhook
