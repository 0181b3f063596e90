#include "auth/token.hpp"

#include <gtest/gtest.h>
#include <jwt.h>
#include <sodium.h>

#include <atomic>
#include <cstdlib>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "auth/testing/jws.hpp"

namespace cargomon::auth {

// Readable failure messages: "expired" instead of "4".
void PrintTo(TokenError error, std::ostream* os) { *os << describe(error); }

namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const std::string kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const Timestamp kStart{seconds{1'726'000'000}};  // 2024-09-10T20:26:40Z

using auth::testing::base64url;
using auth::testing::unbase64url;

// A token with the given header and payload JSON, HMAC-SHA256-signed with
// `key` whatever the header says: the forger's tool.
std::string forge(std::string_view header_json, std::string_view payload_json,
                  std::string_view key = kSecret) {
  return auth::testing::forge(header_json, payload_json, key);
}

std::string forge_hs256(std::string_view payload_json) {
  return forge(R"({"alg":"HS256","typ":"JWT"})", payload_json);
}

// A token libjwt itself signs with `alg` under our own secret.
std::string libjwt_token(jwt_alg_t alg, std::string_view payload_json) {
  jwt_t* jwt = nullptr;
  EXPECT_EQ(jwt_new(&jwt), 0);
  EXPECT_EQ(jwt_add_grants_json(jwt, std::string(payload_json).c_str()), 0);
  EXPECT_EQ(jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(kSecret.data()),
                        static_cast<int>(kSecret.size())),
            0);
  char* encoded = jwt_encode_str(jwt);
  std::string token = encoded != nullptr ? encoded : "";
  std::free(encoded);
  jwt_free(jwt);
  return token;
}

// Claims that would pass, at kStart, for tokens built by hand.
const std::string kGoodClaims =
    R"({"sub":"alice","role":"courier","iat":1726000000,"exp":1726001800})";

class TokenServiceTest : public ::testing::Test {
 protected:
  FakeClock clock_{kStart};
  TokenService service_{kSecret, minutes(30), clock_};
};

TEST_F(TokenServiceTest, IssuedTokenVerifiesWithItsClaims) {
  const std::string token = service_.issue("alice", Role::courier);
  clock_.advance(seconds(10));

  const TokenCheck check = service_.verify(token);

  EXPECT_EQ(check.error, TokenError::none);
  ASSERT_TRUE(check.claims.has_value());
  EXPECT_EQ(check.claims->username, "alice");
  EXPECT_EQ(check.claims->role, Role::courier);
  EXPECT_EQ(check.claims->issued_at, kStart);
  EXPECT_EQ(check.claims->expires_at, kStart + minutes(30));
  EXPECT_EQ(service_.ttl(), minutes(30));
}

TEST_F(TokenServiceTest, IssuedTokenCarriesStandardClaimsInWholeSeconds) {
  clock_.advance(std::chrono::microseconds(999'999));  // iat rounds down
  const std::string token = service_.issue("bob", Role::admin);
  const std::string payload =
      unbase64url(token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1));
  EXPECT_EQ(payload, R"({"exp":1726001800,"gen":0,"iat":1726000000,"role":"admin","sub":"bob"})");
  EXPECT_EQ(unbase64url(token.substr(0, token.find('.'))), R"({"alg":"HS256","typ":"JWT"})");
}

TEST_F(TokenServiceTest, TokenIsValidUntilTheSecondItExpires) {
  const std::string token = service_.issue("alice", Role::viewer);
  clock_.advance(minutes(30) - std::chrono::microseconds(1));
  EXPECT_EQ(service_.verify(token).error, TokenError::none);
  clock_.advance(std::chrono::microseconds(1));
  const TokenCheck check = service_.verify(token);
  EXPECT_EQ(check.error, TokenError::expired);
  EXPECT_FALSE(check.claims.has_value());
  EXPECT_EQ(describe(check.error), "Token expired");
}

TEST_F(TokenServiceTest, ARememberedTokenStillExpiresOnTime) {
  const std::string token = service_.issue("alice", Role::viewer);
  EXPECT_EQ(service_.verify(token).error, TokenError::none);  // remembered from here
  clock_.advance(minutes(30) - std::chrono::microseconds(1));
  const TokenCheck remembered = service_.verify(token);
  EXPECT_EQ(remembered.error, TokenError::none);
  ASSERT_TRUE(remembered.claims.has_value());
  EXPECT_EQ(remembered.claims->username, "alice");
  EXPECT_EQ(remembered.claims->expires_at, kStart + minutes(30));
  clock_.advance(std::chrono::microseconds(1));
  EXPECT_EQ(service_.verify(token).error, TokenError::expired);
}

TEST_F(TokenServiceTest, ARememberedTokenVouchesForNoOtherText) {
  const std::string token = service_.issue("alice", Role::courier);
  ASSERT_EQ(service_.verify(token).error, TokenError::none);
  std::string damaged = token;
  damaged.back() = damaged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(service_.verify(damaged).error, TokenError::bad_signature);
  EXPECT_EQ(service_.verify(token + "A").error, TokenError::bad_signature);
  EXPECT_EQ(service_.verify(token.substr(0, token.size() - 1)).error, TokenError::bad_signature);
}

TEST_F(TokenServiceTest, MoreLiveTokensThanTheCacheHoldsAllKeepVerifying) {
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < TokenService::kVerifiedCacheSize + 10; ++i) {
    tokens.push_back(service_.issue("device-" + std::to_string(i), Role::courier));
  }
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const TokenCheck check = service_.verify(tokens[i]);
      ASSERT_TRUE(check.claims.has_value()) << i;
      EXPECT_EQ(check.claims->username, "device-" + std::to_string(i));
    }
  }
}

TEST_F(TokenServiceTest, TokenSignedWithAnotherSecretHasBadSignature) {
  TokenService other(std::string(64, 'x'), minutes(30), clock_);
  EXPECT_EQ(service_.verify(other.issue("alice", Role::admin)).error, TokenError::bad_signature);
}

TEST_F(TokenServiceTest, AlgNoneIsRefusedWithOrWithoutSignature) {
  const std::string header = base64url(R"({"alg":"none","typ":"JWT"})");
  const std::string unsigned_token = header + "." + base64url(kGoodClaims) + ".";
  EXPECT_EQ(service_.verify(unsigned_token).error, TokenError::bad_algorithm);
  EXPECT_EQ(service_.verify(forge(R"({"alg":"none","typ":"JWT"})", kGoodClaims)).error,
            TokenError::bad_algorithm);
}

TEST_F(TokenServiceTest, AnyAlgorithmButExactlyHs256IsRefused) {
  for (const char* header :
       {R"({"alg":"none"})", R"({"alg":"None"})", R"({"alg":"NONE"})", R"({"alg":""})",
        R"({"alg":"hs256"})", R"({"alg":"HS256 "})", R"({"alg":"HS384"})", R"({"alg":"HS512"})",
        R"({"alg":"RS256"})", R"({"alg":"ES256"})", R"({"alg":"PS256"})", R"({"alg":null})",
        R"({"alg":256})", R"({"alg":["HS256"]})", R"({"typ":"JWT"})", R"({})"}) {
    EXPECT_EQ(service_.verify(forge(header, kGoodClaims)).error, TokenError::bad_algorithm)
        << header;
  }
}

TEST_F(TokenServiceTest, OtherHmacSizesSignedWithOurSecretAreRefused) {
  // libjwt alone would accept these: it verifies with whatever alg the token names.
  EXPECT_EQ(service_.verify(libjwt_token(JWT_ALG_HS384, kGoodClaims)).error,
            TokenError::bad_algorithm);
  EXPECT_EQ(service_.verify(libjwt_token(JWT_ALG_HS512, kGoodClaims)).error,
            TokenError::bad_algorithm);
  EXPECT_EQ(service_.verify(libjwt_token(JWT_ALG_HS256, kGoodClaims)).error, TokenError::none);
}

TEST_F(TokenServiceTest, Rs256HeaderIsRefused) {
  const std::string token = base64url(R"({"alg":"RS256","typ":"JWT"})") + "." +
                            base64url(kGoodClaims) + "." + base64url(std::string(256, 'S'));
  EXPECT_EQ(service_.verify(token).error, TokenError::bad_algorithm);
}

TEST_F(TokenServiceTest, TamperedPayloadKeepsNoSignature) {
  const std::string token = service_.issue("mallory", Role::courier);
  const std::size_t first = token.find('.');
  const std::size_t last = token.rfind('.');
  std::string payload = unbase64url(token.substr(first + 1, last - first - 1));
  payload.replace(payload.find("courier"), 7, "admin");
  const std::string tampered = token.substr(0, first + 1) + base64url(payload) + token.substr(last);

  EXPECT_EQ(service_.verify(tampered).error, TokenError::bad_signature);
}

TEST_F(TokenServiceTest, DamagedSignatureIsBadSignature) {
  const std::string token = service_.issue("alice", Role::viewer);
  const std::string body = token.substr(0, token.rfind('.') + 1);
  std::string flipped = token;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';

  EXPECT_EQ(service_.verify(flipped).error, TokenError::bad_signature);
  EXPECT_EQ(service_.verify(body).error, TokenError::bad_signature);  // signature stripped
  EXPECT_EQ(service_.verify(body + "AAAA").error, TokenError::bad_signature);
  EXPECT_EQ(service_.verify(token + "AA").error, TokenError::bad_signature);
}

TEST_F(TokenServiceTest, HandBuiltTokenWithGoodClaimsIsAccepted) {
  // Guards the tests below: they fail for the claim they change, not the forging.
  const TokenCheck check = service_.verify(forge_hs256(kGoodClaims));
  EXPECT_EQ(check.error, TokenError::none);
  ASSERT_TRUE(check.claims.has_value());
  EXPECT_EQ(check.claims->username, "alice");
}

TEST_F(TokenServiceTest, MissingOrInvalidClaimsAreRefused) {
  for (const char* payload : {
           R"({"role":"courier","iat":1726000000,"exp":1726001800})",             // no sub
           R"({"sub":"","role":"courier","iat":1726000000,"exp":1726001800})",    // empty sub
           R"({"sub":7,"role":"courier","iat":1726000000,"exp":1726001800})",     // sub not text
           R"({"sub":"alice","iat":1726000000,"exp":1726001800})",                // no role
           R"({"sub":"alice","role":"root","iat":1726000000,"exp":1726001800})",  // unknown role
           R"({"sub":"alice","role":"courier","exp":1726001800})",                // no iat
           R"({"sub":"alice","role":"courier","iat":"1726000000","exp":1726001800})",
           R"({"sub":"alice","role":"courier","iat":1726000000})",  // no exp
           R"({"sub":"alice","role":"courier","iat":1726000000,"exp":"1726001800"})",
           R"({"sub":"alice","role":"courier","iat":1726000000,"exp":1726001800.5})",
           R"({"sub":"alice","role":"courier","iat":1726000000,"exp":-1})",
           R"({"sub":"alice","role":"courier","iat":1726000000,"exp":9223372036854775807})",
           R"({"sub":"alice","role":"courier","iat":1726000000,"exp":1726001800,"nbf":"x"})",
           R"({"sub":"alice","role":"courier","iat":1726000000,"exp":1726001800,"gen":-1})",
           R"({"sub":"alice","role":"courier","iat":1726000000,"exp":1726001800,"gen":"7"})",
           R"({"sub":"alice","role":"courier","iat":1726000000,"exp":1726001800,"gen":1.5})",
       }) {
    EXPECT_EQ(service_.verify(forge_hs256(payload)).error, TokenError::missing_claims) << payload;
  }
}

TEST_F(TokenServiceTest, ATokenCarriesTheUsersGenerationAndOneWithoutHasZero) {
  const auto check = service_.verify(service_.issue("alice", Role::viewer, 1'726'000'000'123'456));
  ASSERT_TRUE(check.claims.has_value());
  EXPECT_EQ(check.claims->generation, 1'726'000'000'123'456);
  // Tokens issued before generations existed stay readable, as generation 0.
  const auto older = service_.verify(forge_hs256(kGoodClaims));
  ASSERT_TRUE(older.claims.has_value());
  EXPECT_EQ(older.claims->generation, 0);
  EXPECT_THROW(service_.issue("alice", Role::viewer, -1), std::invalid_argument);
}

TEST_F(TokenServiceTest, IatBeyondClockSkewIsNotYetValid) {
  clock_.advance(-seconds(61));
  EXPECT_EQ(service_.verify(forge_hs256(kGoodClaims)).error, TokenError::not_yet_valid);
  clock_.advance(seconds(1));  // iat exactly 60 s ahead: within the allowance
  EXPECT_EQ(service_.verify(forge_hs256(kGoodClaims)).error, TokenError::none);
}

TEST_F(TokenServiceTest, NbfInTheFutureIsNotYetValid) {
  const std::string payload =
      R"({"sub":"alice","role":"courier","iat":1726000000,"exp":1726001800,"nbf":1726000010})";
  EXPECT_EQ(service_.verify(forge_hs256(payload)).error, TokenError::not_yet_valid);
  clock_.advance(seconds(10));
  EXPECT_EQ(service_.verify(forge_hs256(payload)).error, TokenError::none);
}

TEST_F(TokenServiceTest, GarbageIsMalformed) {
  const std::string good = service_.issue("alice", Role::viewer);
  const std::string good_header = good.substr(0, good.find('.'));
  std::string with_nul = good;
  with_nul[good.find('.') + 3] = '\0';
  for (const std::string& token : {
           std::string(),
           std::string("garbage"),
           std::string("Bearer ") + good,
           good + "\n",
           std::string(" ") + good,
           with_nul,
           std::string("a.b"),                                    // two parts
           good_header + "." + base64url(kGoodClaims),            // two parts, real header
           good + ".xyz",                                         // four parts
           std::string("a.b.c.d"),                                // four parts
           std::string(".."),                                     // empty parts
           good.substr(good.find('.')),                           // empty header
           good_header + ".." + base64url(std::string(32, 'x')),  // empty payload
           std::string("!!!.abc.def"),                            // not base64url
           base64url("not json") + ".e30.e30",                    // header not JSON
           base64url(R"(["HS256"])") + ".e30.e30",                // header not an object
           base64url(R"({"alg":"HS256","crit":["exp"]})") + ".e30.e30",
           good_header + "=." + good.substr(good.find('.') + 1),  // padding
           forge_hs256("not json"),                               // signed, yet not JSON
           forge_hs256(R"(["a"])"),                               // signed, yet not an object
       }) {
    EXPECT_EQ(service_.verify(token).error, TokenError::malformed) << token;
  }
}

TEST_F(TokenServiceTest, OversizedTokenIsMalformedUnread) {
  const std::string padding(5000, 'a');
  const std::string payload = R"({"sub":"alice","role":"courier","iat":1726000000,)"
                              R"("exp":1726001800,"pad":")" +
                              padding + R"("})";
  const std::string token = forge_hs256(payload);
  ASSERT_GT(token.size(), TokenService::kMaxTokenLength);
  EXPECT_EQ(service_.verify(token).error, TokenError::malformed);
  EXPECT_EQ(service_.verify(std::string(1 << 20, 'A')).error, TokenError::malformed);
}

TEST_F(TokenServiceTest, ConcurrentVerificationsAgree) {
  const std::string token = service_.issue("alice", Role::admin);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (service_.verify(token).error == TokenError::none) ++accepted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 800);
}

TEST(TokenServiceConstructionTest, RefusesShortSecretOrNonPositiveTtl) {
  const FakeClock clock(kStart);
  EXPECT_THROW(TokenService(std::string(31, 'k'), minutes(30), clock), std::invalid_argument);
  EXPECT_NO_THROW(TokenService(std::string(32, 'k'), minutes(30), clock));
  EXPECT_THROW(TokenService(kSecret, seconds(0), clock), std::invalid_argument);
}

TEST(TokenServiceConstructionTest, IssueRefusesEmptyUsername) {
  const FakeClock clock(kStart);
  const TokenService service(kSecret, minutes(30), clock);
  EXPECT_THROW(service.issue("", Role::admin), std::invalid_argument);
}

TEST(DescribeTokenErrorTest, EveryErrorHasItsOwnMessage) {
  const std::vector<TokenError> errors = {TokenError::none,          TokenError::malformed,
                                          TokenError::bad_algorithm, TokenError::bad_signature,
                                          TokenError::expired,       TokenError::not_yet_valid,
                                          TokenError::missing_claims};
  for (std::size_t i = 0; i < errors.size(); ++i) {
    EXPECT_FALSE(describe(errors[i]).empty());
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(describe(errors[i]), describe(errors[j]));
  }
}

}  // namespace
}  // namespace cargomon::auth
