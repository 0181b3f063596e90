#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace cargomon::auth {
namespace {

// Each Argon2id hash costs ~50 ms, so the suite hashes once and shares it.
class PasswordTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { hash_ = new std::string(hash_password("correct horse")); }
  static void TearDownTestSuite() {
    delete hash_;
    hash_ = nullptr;
  }
  static const std::string& hash() { return *hash_; }

 private:
  static inline std::string* hash_ = nullptr;
};

TEST_F(PasswordTest, HashVerifiesWithTheSamePassword) {
  EXPECT_TRUE(verify_password(hash(), "correct horse"));
}

TEST_F(PasswordTest, HashRejectsAnotherPassword) {
  EXPECT_FALSE(verify_password(hash(), "correct horsE"));
  EXPECT_FALSE(verify_password(hash(), ""));
}

TEST_F(PasswordTest, HashIsArgon2idWithOwaspMinimumCost) {
  EXPECT_TRUE(hash().starts_with("$argon2id$")) << hash();
  EXPECT_NE(hash().find("m=19456,t=2"), std::string::npos) << hash();
}

TEST_F(PasswordTest, SamePasswordHashesDifferentlyEachTime) {
  EXPECT_NE(hash_password("correct horse"), hash());
}

TEST_F(PasswordTest, MalformedHashIsRejectedNotFatal) {
  const std::string truncated = hash().substr(0, hash().size() / 2);
  std::string with_nul = hash();
  with_nul.insert(10, 1, '\0');
  for (const std::string& bad :
       {std::string(), std::string("garbage"), std::string("$argon2id$"),
        std::string("$argon2id$v=19$m=19456,t=2,p=1$$"),
        std::string("$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"), truncated,
        with_nul, std::string(10000, 'a')}) {
    EXPECT_FALSE(verify_password(bad, "correct horse")) << bad;
  }
}

TEST(GeneratePasswordTest, GivesTwentyUnambiguousCharacters) {
  const std::string password = generate_password();
  ASSERT_EQ(password.size(), 20u);
  for (const char c : password) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
    EXPECT_EQ(std::string_view("0O1lIo").find(c), std::string_view::npos) << c;
  }
  EXPECT_NE(generate_password(), password);
}

TEST(RandomHexTest, GivesTwoLowercaseHexCharactersPerByte) {
  const std::string hex = random_hex(32);
  ASSERT_EQ(hex.size(), 64u);
  EXPECT_TRUE(std::all_of(hex.begin(), hex.end(),
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
  EXPECT_NE(random_hex(32), hex);
  EXPECT_EQ(random_hex(0), "");
}

}  // namespace
}  // namespace cargomon::auth
