#include "auth/refresh_token.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cargomon::auth {
namespace {

TEST(RefreshToken, NewTokensParseBackAndDifferEveryTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto token = new_refresh_token();
    EXPECT_TRUE(is_session_id(token.session_id));
    const auto parsed = parse_refresh_token(token.text());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->session_id, token.session_id);
    EXPECT_EQ(parsed->secret, token.secret);
    EXPECT_TRUE(seen.insert(token.session_id).second);
    EXPECT_TRUE(seen.insert(token.secret).second);
  }
}

TEST(RefreshToken, AnythingElseIsRefused) {
  const auto good = new_refresh_token();
  EXPECT_FALSE(parse_refresh_token(""));
  EXPECT_FALSE(parse_refresh_token(good.session_id));
  EXPECT_FALSE(parse_refresh_token(good.session_id + "." + good.secret + "0"));
  EXPECT_FALSE(parse_refresh_token(good.session_id + "." + good.secret.substr(1) + "G"));
  EXPECT_FALSE(parse_refresh_token(good.session_id.substr(1) + "." + good.secret));
  EXPECT_FALSE(parse_refresh_token(good.session_id + ".." + good.secret.substr(1)));
  EXPECT_FALSE(is_session_id("0123456789ABCDEF0123456789abcdef"));
}

TEST(RefreshToken, TheStoredHashIsSha256OfTheSecret) {
  // SHA-256("abc"), FIPS 180-2's first example.
  EXPECT_EQ(hash_refresh_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(hash_refresh_secret(new_refresh_secret()), hash_refresh_secret(new_refresh_secret()));
}

}  // namespace
}  // namespace cargomon::auth
