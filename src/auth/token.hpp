#pragma once
// Access tokens: JWTs signed with HMAC-SHA256 under one server secret.
//
// The algorithm is pinned: a token is accepted only if its header says
// "alg":"HS256" and its signature checks under the secret. "none", other HMAC
// sizes and public-key algorithms are rejected before the signature is
// checked (once, by hand; libjwt only issues), so algorithm-confusion attacks
// have nothing to work with.
//
// Claims issued: sub (username), role, iat and exp (seconds since the epoch),
// and gen, the user's token generation (User::token_generation). Verification
// requires the first four; it honours nbf if present; a token without gen
// (issued before tokens carried it) has generation 0. Whether the generation
// is still the user's is for the caller, who reads the user.
//
// Thread safety: all const methods may be called concurrently (libjwt objects
// are created per call; the cache of verified tokens has its own lock, and
// copies share it). The Clock must itself be safe to read concurrently
// (SystemClock is).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/clock.hpp"
#include "domain/user.hpp"

namespace cargomon::auth {

struct TokenClaims {
  std::string username;
  Role role = Role::viewer;
  Timestamp issued_at;
  Timestamp expires_at;
  std::int64_t generation = 0;  // the user's token generation when issued

  friend bool operator==(const TokenClaims&, const TokenClaims&) = default;
};

// Why a token was refused; each maps to a 401 with describe() as its detail.
enum class TokenError {
  none,
  malformed,       // not three base64url parts of JSON, or too long
  bad_algorithm,   // header alg is anything but "HS256" (or is missing)
  bad_signature,   // signature does not match under our secret
  expired,         // exp <= now
  not_yet_valid,   // iat beyond the clock-skew allowance, or nbf in the future
  missing_claims,  // sub, role, iat or exp missing, empty, unknown or mistyped
};

// A short English message fit for a 401 "detail", e.g. "Token expired".
std::string_view describe(TokenError error);

// Exactly one of: claims set and error == none, or claims empty and an error.
struct TokenCheck {
  std::optional<TokenClaims> claims;
  TokenError error = TokenError::none;
};

class TokenService {
 public:
  // Tokens longer than this are refused unread: ours are about 200 bytes.
  static constexpr std::size_t kMaxTokenLength = 4096;
  // How far an iat may lie in the future: allows for clocks of several
  // servers sharing a secret being slightly apart.
  static constexpr std::chrono::seconds kClockSkew{60};

  // secret: at least 32 bytes, else std::invalid_argument. ttl: lifetime of
  // issued tokens, > 0, else std::invalid_argument. The clock must outlive
  // this service.
  TokenService(std::string secret, std::chrono::seconds ttl, const Clock& clock);
  ~TokenService();
  TokenService(const TokenService&) = default;
  TokenService& operator=(const TokenService&) = default;
  TokenService(TokenService&&) = default;
  TokenService& operator=(TokenService&&) = default;

  // A signed token for this user, valid from now for ttl(), under the user's
  // token generation (0: a user never changed since generations began).
  // `username` must be non-empty and free of NUL, `generation` not negative
  // (std::invalid_argument otherwise: a caller bug).
  std::string issue(std::string_view username, Role role, std::int64_t generation = 0) const;

  // Checks the token's form, algorithm, signature and times against the
  // injected clock. Never throws for any input (std::bad_alloc aside).
  //
  // A token that passes is remembered (up to kVerifiedCacheSize of them) and
  // answered from memory until it expires: a device sends the same token with
  // every order, and checking it again cost about a tenth of an order's CPU.
  // Only a token that passed every check is kept, and time only brings it
  // closer to expiry, so the remembered answer stays right until then.
  TokenCheck verify(std::string_view token) const;

  static constexpr std::size_t kVerifiedCacheSize = 4096;

  std::chrono::seconds ttl() const { return ttl_; }

 private:
  class VerifiedCache;

  TokenCheck verify_uncached(std::string_view token) const;

  std::string secret_;
  std::chrono::seconds ttl_;
  const Clock* clock_;
  std::shared_ptr<VerifiedCache> verified_;
};

}  // namespace cargomon::auth
