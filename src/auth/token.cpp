#include "auth/token.hpp"

#include <jwt.h>
#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/sodium_init.hpp"

namespace cargomon::auth {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

// Minimum HMAC key size: RFC 7518 §3.2 asks for a key as long as the hash.
constexpr std::size_t kMinSecretBytes = 32;

// NumericDate claims outside [1970, 9999] are refused: keeps the conversion
// to microseconds far from overflow.
constexpr std::int64_t kMaxNumericDate = 253402300799;  // 9999-12-31T23:59:59Z

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct MallocDeleter {
  void operator()(char* text) const { std::free(text); }
};
using MallocString = std::unique_ptr<char, MallocDeleter>;

TokenCheck fail(TokenError error) { return TokenCheck{std::nullopt, error}; }

// Only base64url characters and the two separating dots: rules out NULs and
// whitespace or padding that other parsers might forgive.
bool has_token_alphabet(std::string_view token) {
  for (const char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Strict base64url without padding, as JWS requires. nullopt if the text has
// any other character, or would decode to more than `max_bytes`.
std::optional<std::vector<unsigned char>> decode_base64url(std::string_view text,
                                                           std::size_t max_bytes) {
  std::vector<unsigned char> out(max_bytes);
  std::size_t length = 0;
  // With b64_end == nullptr libsodium fails unless the whole text is valid.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::optional<json::object> parse_object(std::string_view text) {
  json::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

// The choice of algorithm never comes from the token: anything but exactly
// HS256 ("none", HS384, RS256 with our secret as a "public key"...) is
// refused before the signature is looked at.
TokenError check_header(std::string_view encoded_header) {
  const auto raw = decode_base64url(encoded_header, encoded_header.size());
  if (!raw) return TokenError::malformed;
  const auto header =
      parse_object(std::string_view(reinterpret_cast<const char*>(raw->data()), raw->size()));
  if (!header) return TokenError::malformed;
  // "crit" names extensions the recipient must understand; we understand none.
  if (header->contains("crit")) return TokenError::malformed;
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256") {
    return TokenError::bad_algorithm;
  }
  return TokenError::none;
}

std::array<unsigned char, crypto_auth_hmacsha256_BYTES> hmac_sha256(std::string_view key,
                                                                    std::string_view message) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  return mac;
}

// The one check of a token's signature: HMAC-SHA256 under our secret, and
// nothing else (check_header pinned the algorithm), compared in constant
// time. libjwt only issues tokens: its jwt_decode() reports every failure as
// EINVAL and would follow the token's own alg.
bool signature_matches(std::string_view secret, std::string_view signing_input,
                       std::string_view encoded_signature) {
  const auto signature = decode_base64url(encoded_signature, crypto_auth_hmacsha256_BYTES);
  if (!signature || signature->size() != crypto_auth_hmacsha256_BYTES) return false;
  const auto expected = hmac_sha256(secret, signing_input);
  return sodium_memcmp(expected.data(), signature->data(), expected.size()) == 0;
}

// A NumericDate claim: an integer number of seconds in [0, kMaxNumericDate].
// nullopt if absent; `valid` false if present but of the wrong type or range.
struct DateClaim {
  std::optional<Timestamp> time;
  bool valid = true;
};

DateClaim read_date(const json::object& claims, std::string_view name) {
  const json::value* value = claims.if_contains(name);
  if (value == nullptr) return {};
  // Only integers: 1.7e9 or "1726000000" are refused, as are numbers beyond
  // int64 (which Boost.JSON reads as uint64 or double).
  const std::int64_t number = value->is_int64() ? value->as_int64() : -1;
  if (number < 0 || number > kMaxNumericDate) return {std::nullopt, false};
  return {Timestamp{seconds{number}}, true};
}

}  // namespace

// Claims of tokens that verified, by the token's text.
class TokenService::VerifiedCache {
 public:
  std::optional<TokenClaims> find(std::string_view token, Timestamp now) {
    const std::lock_guard lock(mutex_);
    const auto it = claims_.find(token);
    if (it == claims_.end()) return std::nullopt;
    if (it->second.expires_at <= now) {
      claims_.erase(it);
      return std::nullopt;
    }
    return it->second;
  }

  void add(std::string_view token, const TokenClaims& claims, Timestamp now) {
    const std::lock_guard lock(mutex_);
    if (claims_.size() >= kVerifiedCacheSize) {
      std::erase_if(claims_, [&](const auto& entry) { return entry.second.expires_at <= now; });
      // Still full of live tokens (thousands of devices): start over rather
      // than track recency; each token costs one full check to come back.
      if (claims_.size() >= kVerifiedCacheSize) claims_.clear();
    }
    claims_.emplace(token, claims);
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::mutex mutex_;
  std::unordered_map<std::string, TokenClaims, Hash, std::equal_to<>> claims_;
};

std::string_view describe(TokenError error) {
  switch (error) {
    case TokenError::none:
      return "Token valid";
    case TokenError::malformed:
      return "Malformed token";
    case TokenError::bad_algorithm:
      return "Unsupported token algorithm";
    case TokenError::bad_signature:
      return "Invalid token signature";
    case TokenError::expired:
      return "Token expired";
    case TokenError::not_yet_valid:
      return "Token not yet valid";
    case TokenError::missing_claims:
      return "Token lacks required claims";
  }
  return "Invalid token";
}

TokenService::TokenService(std::string secret, std::chrono::seconds ttl, const Clock& clock)
    : secret_(std::move(secret)),
      ttl_(ttl),
      clock_(&clock),
      verified_(std::make_shared<VerifiedCache>()) {
  if (secret_.size() < kMinSecretBytes) {
    throw std::invalid_argument("JWT secret must be at least 32 bytes");
  }
  // libjwt takes the key length as an int.
  if (secret_.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument("JWT secret is too long");
  }
  if (ttl_ <= seconds::zero()) throw std::invalid_argument("token lifetime must be positive");
  detail::ensure_sodium_initialized();
}

TokenService::~TokenService() {
  // Best effort: keep the key out of freed heap memory.
  sodium_memzero(secret_.data(), secret_.size());
}

std::string TokenService::issue(std::string_view username, Role role,
                                std::int64_t generation) const {
  if (username.empty() || username.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("token subject must be non-empty and free of NUL");
  }
  if (generation < 0) throw std::invalid_argument("token generation must not be negative");
  const auto issued_at = std::chrono::floor<seconds>(clock_->now());
  const auto expires_at = issued_at + ttl_;

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::bad_alloc();
  JwtPtr jwt(raw);
  const std::string subject(username);
  const std::string role_name(to_string(role));
  const bool built =
      jwt_add_grant(jwt.get(), "sub", subject.c_str()) == 0 &&
      jwt_add_grant(jwt.get(), "role", role_name.c_str()) == 0 &&
      jwt_add_grant_int(jwt.get(), "iat",
                        static_cast<long>(issued_at.time_since_epoch().count())) == 0 &&
      jwt_add_grant_int(jwt.get(), "exp",
                        static_cast<long>(expires_at.time_since_epoch().count())) == 0 &&
      jwt_add_grant_int(jwt.get(), "gen", static_cast<long>(generation)) == 0 &&
      jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
                  static_cast<int>(secret_.size())) == 0;
  if (!built) throw std::runtime_error("libjwt could not build a token");
  MallocString encoded(jwt_encode_str(jwt.get()));
  if (!encoded) throw std::runtime_error("libjwt could not sign a token");
  return std::string(encoded.get());
}

TokenCheck TokenService::verify(std::string_view token) const {
  const Timestamp now = clock_->now();
  if (auto claims = verified_->find(token, now)) return TokenCheck{std::move(claims), {}};
  auto check = verify_uncached(token);
  if (check.claims) verified_->add(token, *check.claims, now);
  return check;
}

TokenCheck TokenService::verify_uncached(std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenLength || !has_token_alphabet(token)) {
    return fail(TokenError::malformed);
  }

  const std::size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return fail(TokenError::malformed);
  const std::size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return fail(TokenError::malformed);
  }
  const std::string_view header = token.substr(0, first_dot);
  const std::string_view payload = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature = token.substr(second_dot + 1);
  if (header.empty() || payload.empty()) return fail(TokenError::malformed);

  if (const TokenError error = check_header(header); error != TokenError::none) {
    return fail(error);
  }
  if (!signature_matches(secret_, token.substr(0, second_dot), signature)) {
    return fail(TokenError::bad_signature);
  }

  // The signature was the only check: the payload is read here, not by
  // libjwt, whose jwt_decode() would verify it a second time and pick the
  // algorithm from the token.
  const auto raw_claims = decode_base64url(payload, payload.size());
  if (!raw_claims) return fail(TokenError::malformed);
  const auto claims = parse_object(
      std::string_view(reinterpret_cast<const char*>(raw_claims->data()), raw_claims->size()));
  if (!claims) return fail(TokenError::malformed);

  const json::value* sub = claims->if_contains("sub");
  const json::value* role_claim = claims->if_contains("role");
  const DateClaim iat = read_date(*claims, "iat");
  const DateClaim exp = read_date(*claims, "exp");
  const DateClaim nbf = read_date(*claims, "nbf");
  if (sub == nullptr || !sub->is_string() || sub->as_string().empty() || role_claim == nullptr ||
      !role_claim->is_string() || !iat.time || !iat.valid || !exp.time || !exp.valid ||
      !nbf.valid) {
    return fail(TokenError::missing_claims);
  }
  const std::optional<Role> role = parse_role(role_claim->as_string());
  if (!role) return fail(TokenError::missing_claims);
  // Absent: issued before tokens carried it. Present: a non-negative integer.
  std::int64_t generation = 0;
  if (const json::value* gen = claims->if_contains("gen")) {
    if (!gen->is_int64() || gen->as_int64() < 0) return fail(TokenError::missing_claims);
    generation = gen->as_int64();
  }

  const Timestamp now = clock_->now();
  if (*exp.time <= now) return fail(TokenError::expired);
  if (*iat.time > now + kClockSkew || (nbf.time && *nbf.time > now)) {
    return fail(TokenError::not_yet_valid);
  }
  return TokenCheck{
      TokenClaims{std::string(sub->as_string()), *role, *iat.time, *exp.time, generation},
      TokenError::none};
}

}  // namespace cargomon::auth
