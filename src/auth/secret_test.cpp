#include "auth/secret.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "auth/password.hpp"

namespace cargomon::auth {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& path, const std::string& content, fs::perms mode) {
  std::ofstream(path, std::ios::binary) << content;
  fs::permissions(path, mode);
}

// Runs `call`, expecting std::runtime_error whose message contains `fragment`.
template <typename Call>
void expect_error_mentioning(Call call, const std::string& fragment) {
  try {
    call();
    ADD_FAILURE() << "no exception; expected one mentioning \"" << fragment << "\"";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

class SecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cargomon-auth-test-" + random_hex(8));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

constexpr fs::perms kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;

TEST_F(SecretTest, FirstStartCreatesPrivateFileWith256RandomBitsAsHex) {
  const std::string secret = load_or_create_secret(dir_, std::nullopt, std::nullopt);

  ASSERT_EQ(secret.size(), 64u);
  EXPECT_TRUE(std::all_of(secret.begin(), secret.end(),
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
  const fs::path file = dir_ / "jwt-secret";
  EXPECT_EQ(read_file(file), secret);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, kOwnerOnly);
  // No temporary file left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(SecretTest, LaterStartsReuseTheSameSecret) {
  const std::string first = load_or_create_secret(dir_, std::nullopt, std::nullopt);
  EXPECT_EQ(load_or_create_secret(dir_, std::nullopt, std::nullopt), first);
}

TEST_F(SecretTest, MissingDataDirectoryIsCreated) {
  const fs::path nested = dir_ / "a" / "b";
  EXPECT_EQ(load_or_create_secret(nested, std::nullopt, std::nullopt).size(), 64u);
  EXPECT_TRUE(fs::exists(nested / "jwt-secret"));
  EXPECT_EQ(fs::status(nested).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(SecretTest, EnvironmentSecretWinsOverFiles) {
  const std::string from_env(40, 'e');
  write_file(dir_ / "given", std::string(40, 'f'), kOwnerOnly);
  EXPECT_EQ(load_or_create_secret(dir_, from_env, dir_ / "given"), from_env);
  EXPECT_FALSE(fs::exists(dir_ / "jwt-secret"));
}

TEST_F(SecretTest, ShortEnvironmentSecretIsRefused) {
  expect_error_mentioning([&] { load_or_create_secret(dir_, std::string(31, 'e'), std::nullopt); },
                          "at least 32");
  expect_error_mentioning([&] { load_or_create_secret(dir_, std::string(), std::nullopt); },
                          "environment");
}

TEST_F(SecretTest, GivenFileIsReadWithoutItsTrailingNewline) {
  const std::string secret(40, 'f');
  write_file(dir_ / "given", secret + "\n", fs::perms::owner_read);
  EXPECT_EQ(load_or_create_secret(dir_, std::nullopt, dir_ / "given"), secret);
  EXPECT_FALSE(fs::exists(dir_ / "jwt-secret"));
}

TEST_F(SecretTest, GivenFileOpenToOthersIsRefused) {
  for (const fs::perms mode : {fs::perms::owner_read | fs::perms::others_read,
                               fs::perms::owner_read | fs::perms::group_read}) {
    write_file(dir_ / "given", std::string(64, 'a'), mode);
    expect_error_mentioning([&] { load_or_create_secret(dir_, std::nullopt, dir_ / "given"); },
                            "chmod 600");
  }
}

TEST_F(SecretTest, GivenFileMustExistAndBeLongEnough) {
  expect_error_mentioning([&] { load_or_create_secret(dir_, std::nullopt, dir_ / "absent"); },
                          "absent");
  write_file(dir_ / "short", std::string(31, 'f') + "\n", kOwnerOnly);
  expect_error_mentioning([&] { load_or_create_secret(dir_, std::nullopt, dir_ / "short"); },
                          "at least 32");
}

TEST_F(SecretTest, DataDirectorySecretOpenToOthersIsRefused) {
  for (const fs::perms mode :
       {kOwnerOnly | fs::perms::others_read, kOwnerOnly | fs::perms::group_read}) {
    write_file(dir_ / "jwt-secret", std::string(64, 'a'), mode);
    expect_error_mentioning([&] { load_or_create_secret(dir_, std::nullopt, std::nullopt); },
                            "chmod 600");
  }
  // Left as it was: the operator decides, not the server.
  EXPECT_EQ(read_file(dir_ / "jwt-secret"), std::string(64, 'a'));
}

TEST_F(SecretTest, ShortDataDirectorySecretIsRefused) {
  write_file(dir_ / "jwt-secret", "short\n", kOwnerOnly);
  expect_error_mentioning([&] { load_or_create_secret(dir_, std::nullopt, std::nullopt); },
                          "at least 32");
}

TEST_F(SecretTest, APrivateFileIsCreatedOwnerOnlyWhateverTheUmask) {
  const mode_t old_umask = ::umask(0);  // would leave a plain open() at 0666
  const bool created = create_private_file(dir_ / "admin-password", "s3cret\n");
  ::umask(old_umask);

  EXPECT_TRUE(created);
  EXPECT_EQ(read_file(dir_ / "admin-password"), "s3cret\n");
  EXPECT_EQ(fs::status(dir_ / "admin-password").permissions() & fs::perms::all, kOwnerOnly);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(SecretTest, AnExistingFileIsNeverReplacedByAPrivateFile) {
  write_file(dir_ / "admin-password", "earlier\n", kOwnerOnly);

  EXPECT_FALSE(create_private_file(dir_ / "admin-password", "later\n"));
  EXPECT_EQ(read_file(dir_ / "admin-password"), "earlier\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(SecretTest, APrivateFileInAMissingDirectoryIsAnErrorNamingIt) {
  expect_error_mentioning([&] { create_private_file(dir_ / "absent" / "file", "x"); },
                          (dir_ / "absent").string());
}

}  // namespace
}  // namespace cargomon::auth
