// Bearer tokens: TokenService::verify with a fixed secret and a FakeClock.
//
// The first byte picks what the rest is:
// 0: the token text itself, as an Authorization header carries it;
// 1: a JWT header and payload (JSON text, split at the first NUL) that this
//    target signs with the server's secret, so inputs get past the signature
//    to libjwt's decoding and the claim checks;
// 2: a username and a role for issue(): what it issues verifies to the same
//    claims.
// verify must never throw, and may accept only what the secret signed.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/testing/jws.hpp"
#include "auth/token.hpp"
#include "domain/clock.hpp"
#include "domain/user.hpp"
#include "fuzz_check.hpp"

namespace {

using cargomon::FakeClock;
using cargomon::Role;
using cargomon::Timestamp;
using cargomon::auth::TokenCheck;
using cargomon::auth::TokenError;
using cargomon::auth::TokenService;
using cargomon::fuzz::check;

const std::string kSecret = "fuzzing-secret-0123456789abcdef0123456789abcdef";
const Timestamp kNow{std::chrono::seconds{1'726'131'058}};

const TokenService& service() {
  static const FakeClock clock(kNow);
  static const TokenService tokens(kSecret, std::chrono::seconds(1800), clock);
  return tokens;
}

using cargomon::auth::testing::base64url;

std::string sign(std::string_view signing_input) {
  return cargomon::auth::testing::hs256_signature(kSecret, signing_input);
}

TokenCheck verify(std::string_view token) {
  try {
    return service().verify(token);
  } catch (...) {
    check(false, "verify never throws");
  }
  return {};
}

void check_shape(const TokenCheck& result) {
  check(result.claims.has_value() == (result.error == TokenError::none),
        "claims exactly when there is no error");
  if (result.claims) {
    check(!result.claims->username.empty(), "an accepted token has a subject");
    check(result.claims->expires_at > kNow, "an accepted token has not expired");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      const auto result = verify(rest);
      check_shape(result);
      // Without the secret, forging a signature is out of reach: an accepted
      // token here means the signature was not checked.
      if (result.claims) {
        const auto dot = rest.rfind('.');
        check(dot != std::string_view::npos && sign(rest.substr(0, dot)) == rest.substr(dot + 1),
              "only tokens signed with the secret are accepted");
      }
      break;
    }
    case 1: {
      const auto nul = rest.find('\0');
      const std::string_view header = rest.substr(0, nul);
      const std::string_view payload =
          nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
      const std::string signing_input = base64url(header) + "." + base64url(payload);
      check_shape(verify(signing_input + "." + sign(signing_input)));
      break;
    }
    default: {
      const std::string_view username = rest.substr(0, rest.find('\0'));
      if (!cargomon::is_valid_username(username)) break;
      const Role role = static_cast<Role>(data[0] / 3 % 3);
      const auto result = verify(service().issue(username, role));
      check(result.claims.has_value(), "an issued token verifies");
      check(result.claims->username == username, "an issued token keeps its subject");
      check(result.claims->role == role, "an issued token keeps its role");
      break;
    }
  }
  return 0;
}
