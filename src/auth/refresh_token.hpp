#pragma once
// Refresh tokens: what a signed-in screen presents to renew its access token
// (POST /token/renovar). One is "<session id>.<secret>": the id (16 random
// bytes, hex) names the session in the store and to admins; the secret (32
// random bytes, hex) proves the holder, and only its SHA-256 is stored
// (storage/session_store.hpp), so a copy of the database renews nothing.
// Every renewal hands out a new secret for the same id.
//
// Thread safety: free functions, safe to call concurrently.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cargomon::auth {

struct RefreshToken {
  std::string session_id;  // 32 lowercase hex characters
  std::string secret;      // 64 lowercase hex characters

  std::string text() const { return session_id + "." + secret; }
};

inline constexpr std::size_t kSessionIdLength = 32;
inline constexpr std::size_t kRefreshSecretLength = 64;

// A new session id and its first secret, from libsodium's randomness.
RefreshToken new_refresh_token();
// A new secret for an existing session id.
std::string new_refresh_secret();
// The token's parts, or nullopt when it is not of that form (length, hex).
std::optional<RefreshToken> parse_refresh_token(std::string_view text);
// Whether `text` could be a session id (32 lowercase hex characters).
bool is_session_id(std::string_view text);
// Lowercase hex SHA-256 of the secret: what the store keeps.
std::string hash_refresh_secret(std::string_view secret);

}  // namespace cargomon::auth
