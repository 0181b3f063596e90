#include "auth/password.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "auth/sodium_init.hpp"

namespace cargomon::auth {
namespace {

constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimit = std::size_t{19} * 1024 * 1024;  // m=19456 KiB

constexpr std::string_view kPasswordAlphabet =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
constexpr std::size_t kGeneratedPasswordLength = 20;

}  // namespace

std::string hash_password(std::string_view password) {
  detail::ensure_sodium_initialized();
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("Argon2id hashing failed (out of memory?)");
  }
  return std::string(out.data());
}

bool verify_password(std::string_view encoded_hash, std::string_view password) {
  // libsodium reads the hash as a C string: an embedded NUL or an over-long
  // value cannot be one of ours, and copying gives it the terminator it needs.
  if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES ||
      encoded_hash.find('\0') != std::string_view::npos) {
    return false;
  }
  detail::ensure_sodium_initialized();
  const std::string hash(encoded_hash);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string generate_password() {
  detail::ensure_sodium_initialized();
  std::string password;
  password.reserve(kGeneratedPasswordLength);
  for (std::size_t i = 0; i < kGeneratedPasswordLength; ++i) {
    // randombytes_uniform avoids the modulo bias of `random % size`.
    password.push_back(
        kPasswordAlphabet[randombytes_uniform(static_cast<uint32_t>(kPasswordAlphabet.size()))]);
  }
  return password;
}

std::string random_hex(std::size_t bytes) {
  if (bytes == 0) return {};  // libsodium's pointers must not be null, even for 0 bytes
  detail::ensure_sodium_initialized();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  sodium_memzero(raw.data(), raw.size());
  hex.pop_back();  // sodium_bin2hex writes a terminating NUL
  return hex;
}

}  // namespace cargomon::auth
