#include "domain/user_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>

namespace cargomon {
namespace {

// Users in a map, keeping the directory's contract (the last enabled admin
// stays); one thread, so atomic by construction.
class FakeDirectory final : public UserDirectory {
 public:
  std::optional<User> find(const std::string& username) override {
    if (!users.contains(username)) return std::nullopt;
    return users.at(username);
  }
  std::vector<User> all() override {
    std::vector<User> by_name;
    std::transform(users.begin(), users.end(), std::back_inserter(by_name),
                   [](const auto& entry) { return entry.second; });
    return by_name;
  }
  std::optional<UserError> add(const User& user) override {
    if (!users.emplace(user.username, user).second) return UserError::already_exists;
    return std::nullopt;
  }
  std::optional<UserError> replace(const User& user) override {
    const auto it = users.find(user.username);
    if (it == users.end()) return UserError::not_found;
    if (is_enabled_admin(it->second) && !is_enabled_admin(user)) {
      std::size_t others = 0;
      for (const auto& [name, other] : users)
        others += name != user.username && is_enabled_admin(other);
      if (others == 0) return UserError::last_enabled_admin;
    }
    it->second = user;
    return std::nullopt;
  }

  std::map<std::string, User> users;
};

class UserServiceTest : public ::testing::Test {
 protected:
  // Hashing is the store's business only as an opaque string: a readable
  // stand-in shows which password was hashed, and counts show when.
  UserService service{directory,
                      [this](std::string_view password) {
                        ++hashes;
                        return "hashed:" + std::string(password);
                      },
                      clock};

  void add(std::string name, Role role, bool disabled = false) {
    directory.users[name] = User{name, "hashed:old", role, disabled};
  }

  FakeDirectory directory;
  FakeClock clock{Timestamp{std::chrono::seconds{1'780'000'000}}};
  int hashes = 0;
};

TEST(UserPolicy, PasswordsNeedEightCharactersAndAtMostAKibibyte) {
  EXPECT_EQ(password_problem("1234567"), "must be at least 8 characters");
  EXPECT_EQ(password_problem(""), "must be at least 8 characters");
  EXPECT_EQ(password_problem("12345678"), std::nullopt);
  EXPECT_EQ(password_problem(std::string(1024, 'x')), std::nullopt);
  EXPECT_EQ(password_problem(std::string(1025, 'x')), "must be at most 1024 bytes");
}

TEST(UserPolicy, UsernamesAreOneToSixtyFourSafeCharacters) {
  const std::string refusal = "must be 1 to 64 of A-Z a-z 0-9 . _ @ -";
  EXPECT_EQ(username_problem(""), refusal);
  EXPECT_EQ(username_problem(std::string(65, 'a')), refusal);
  EXPECT_EQ(username_problem("ana maria"), refusal);
  EXPECT_EQ(username_problem("ana/../x"), refusal);
  EXPECT_EQ(username_problem("Ana.B_c@x-1"), std::nullopt);
  EXPECT_EQ(username_problem(std::string(64, 'a')), std::nullopt);
}

TEST_F(UserServiceTest, CreateStoresTheHashNeverTheClearPassword) {
  const auto outcome = service.create({"ana", "a long passphrase", Role::courier});
  ASSERT_TRUE(outcome.ok()) << outcome.detail;
  EXPECT_EQ(outcome.user.username, "ana");
  EXPECT_EQ(outcome.user.role, Role::courier);
  EXPECT_FALSE(outcome.user.disabled);
  ASSERT_TRUE(directory.find("ana"));
  EXPECT_EQ(directory.find("ana")->password_hash, "hashed:a long passphrase");
}

TEST_F(UserServiceTest, CreateListsEveryBadFieldAndStoresNothing) {
  const auto outcome = service.create({"no spaces", "short", Role::viewer});
  ASSERT_EQ(outcome.error, UserError::invalid);
  ASSERT_EQ(outcome.problems.size(), 2u);
  EXPECT_EQ(outcome.problems[0].field, "username");
  EXPECT_EQ(outcome.problems[1].field, "password");
  EXPECT_EQ(outcome.problems[1].message, "must be at least 8 characters");
  EXPECT_EQ(outcome.detail,
            "username must be 1 to 64 of A-Z a-z 0-9 . _ @ -; "
            "password must be at least 8 characters");
  EXPECT_TRUE(directory.users.empty());
  EXPECT_EQ(hashes, 0);  // nothing slow is done for a request that fails anyway
}

TEST_F(UserServiceTest, CreateRefusesATakenNameAndKeepsTheFirstUser) {
  add("ana", Role::admin);
  const auto outcome = service.create({"ana", "a long passphrase", Role::viewer});
  EXPECT_EQ(outcome.error, UserError::already_exists);
  EXPECT_EQ(outcome.detail, "User ana already exists");
  EXPECT_EQ(directory.users.at("ana").role, Role::admin);
  EXPECT_EQ(directory.users.at("ana").password_hash, "hashed:old");
}

TEST_F(UserServiceTest, UpdateChangesOnlyTheFieldsGivenTogether) {
  add("ana", Role::courier);
  const auto outcome = service.update("ana", {.password = "a new passphrase", .disabled = true});
  ASSERT_TRUE(outcome.ok()) << outcome.detail;
  const User& stored = directory.users.at("ana");
  EXPECT_EQ(stored.password_hash, "hashed:a new passphrase");
  EXPECT_EQ(stored.role, Role::courier);
  EXPECT_TRUE(stored.disabled);
  EXPECT_EQ(outcome.user.password_hash, stored.password_hash);
  EXPECT_TRUE(outcome.user.disabled);

  ASSERT_TRUE(service.update("ana", {.role = Role::viewer}).ok());
  EXPECT_EQ(directory.users.at("ana").role, Role::viewer);
  EXPECT_TRUE(directory.users.at("ana").disabled);
  EXPECT_EQ(directory.users.at("ana").password_hash, "hashed:a new passphrase");
}

TEST_F(UserServiceTest, ANewUsersTokenGenerationIsItsCreationTime) {
  ASSERT_TRUE(service.create({"ana", "a passphrase", Role::courier}).ok());
  EXPECT_EQ(directory.users.at("ana").token_generation, clock.now().time_since_epoch().count());
}

TEST_F(UserServiceTest, APasswordRoleOrAccessChangeMovesTheTokenGenerationOn) {
  add("ana", Role::courier);
  std::int64_t before = directory.users.at("ana").token_generation;
  const auto moved_on = [&](const UserUpdate& update) {
    clock.advance(std::chrono::microseconds{1});
    EXPECT_TRUE(service.update("ana", update).ok());
    const std::int64_t now = directory.users.at("ana").token_generation;
    const bool moved = now > before;
    before = now;
    return moved;
  };
  EXPECT_TRUE(moved_on({.password = "a new passphrase"}));
  EXPECT_TRUE(moved_on({.password = "a new passphrase"})) << "a reset to the same password";
  EXPECT_TRUE(moved_on({.role = Role::viewer}));
  EXPECT_TRUE(moved_on({.disabled = true}));
  EXPECT_TRUE(moved_on({.disabled = false})) << "re-enabling must not revive old tokens";
  EXPECT_FALSE(moved_on({.role = Role::viewer})) << "the role it already has";
  EXPECT_FALSE(moved_on({.disabled = false})) << "already enabled";
  EXPECT_FALSE(moved_on({}));
}

TEST_F(UserServiceTest, TheTokenGenerationMovesOnEvenWhenTheClockStandsStill) {
  add("ana", Role::courier);
  directory.users.at("ana").token_generation = clock.now().time_since_epoch().count() + 5;
  ASSERT_TRUE(service.update("ana", {.disabled = true}).ok());
  ASSERT_TRUE(service.update("ana", {.disabled = false}).ok());
  EXPECT_EQ(directory.users.at("ana").token_generation, clock.now().time_since_epoch().count() + 7);
  EXPECT_EQ(next_token_generation(0, clock.now()), clock.now().time_since_epoch().count());
}

TEST_F(UserServiceTest, UpdateOfAnUnknownUserIsNotFound) {
  const auto outcome = service.update("nobody", {.role = Role::admin});
  EXPECT_EQ(outcome.error, UserError::not_found);
  EXPECT_EQ(outcome.detail, "User nobody not found");
  EXPECT_TRUE(directory.users.empty());
}

TEST_F(UserServiceTest, UpdateRefusesABadPasswordBeforeHashingOrWriting) {
  add("ana", Role::courier);
  const auto outcome = service.update("ana", {.password = "short", .role = Role::viewer});
  ASSERT_EQ(outcome.error, UserError::invalid);
  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_EQ(outcome.problems[0].field, "password");
  EXPECT_EQ(hashes, 0);
  EXPECT_EQ(directory.users.at("ana").role, Role::courier);
}

TEST_F(UserServiceTest, TheLastEnabledAdminCanBeNeitherDemotedNorDisabled) {
  add("root", Role::admin);
  add("old", Role::admin, true);  // disabled admins do not count
  add("ana", Role::viewer);
  for (const auto& change : {UserUpdate{.role = Role::viewer}, UserUpdate{.disabled = true}}) {
    const auto outcome = service.update("root", change);
    EXPECT_EQ(outcome.error, UserError::last_enabled_admin);
    EXPECT_EQ(outcome.detail, "This would leave no enabled admin; nothing was changed");
    EXPECT_EQ(directory.users.at("root").role, Role::admin);
    EXPECT_FALSE(directory.users.at("root").disabled);
  }
  // Its password may change; and once another admin is enabled, it may go.
  EXPECT_TRUE(service.update("root", {.password = "a new passphrase"}).ok());
  ASSERT_TRUE(service.update("old", {.disabled = false}).ok());
  EXPECT_TRUE(service.update("root", {.role = Role::viewer}).ok());
  EXPECT_EQ(directory.users.at("root").role, Role::viewer);
}

TEST_F(UserServiceTest, ListIsTheDirectorysUsersByName) {
  add("bob", Role::viewer);
  add("ana", Role::admin);
  const auto users = service.list();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].username, "ana");
  EXPECT_EQ(users[1].username, "bob");
}

}  // namespace
}  // namespace cargomon
