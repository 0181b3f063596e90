#include "storage/cached_users.hpp"

#include <gtest/gtest.h>

#include <map>

namespace cargomon {
namespace {

using namespace std::chrono_literals;

// Counts the reads that reach the store behind the cache.
class CountingUsers final : public UserStore {
 public:
  std::optional<User> find_user(const std::string& username) override {
    ++reads;
    const auto it = users.find(username);
    if (it == users.end()) return std::nullopt;
    return it->second;
  }
  std::vector<User> list_users() override {
    std::vector<User> all;
    for (const auto& [name, user] : users) all.push_back(user);
    return all;
  }
  UserChange create_user(const User& user) override {
    return users.emplace(user.username, user).second ? UserChange::done
                                                     : UserChange::already_exists;
  }
  UserChange update_user(const User& user) override {
    const auto it = users.find(user.username);
    if (it == users.end()) return UserChange::not_found;
    it->second = user;
    return UserChange::done;
  }
  std::size_t count_users() override { return users.size(); }

  std::map<std::string, User> users;
  int reads = 0;
};

class CachedUsersTest : public ::testing::Test {
 protected:
  CachedUsersTest() { store.users["ana"] = User{"ana", "hash", Role::courier, false}; }

  CountingUsers store;
  FakeClock clock{Timestamp{} + 1'000'000'000s};
  CachedUserStore cache{store, clock, 1s};
};

TEST_F(CachedUsersTest, ARepeatedLookupIsAnsweredFromMemoryWhileFresh) {
  ASSERT_TRUE(cache.find_user("ana"));
  clock.advance(999ms);
  const auto again = cache.find_user("ana");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->role, Role::courier);
  EXPECT_EQ(store.reads, 1);
}

TEST_F(CachedUsersTest, AChangeMadeElsewhereIsSeenOnceTheEntryIsStale) {
  ASSERT_TRUE(cache.find_user("ana"));
  store.users["ana"].disabled = true;  // the CLI, or another instance
  EXPECT_FALSE(cache.find_user("ana")->disabled);
  clock.advance(1s);
  EXPECT_TRUE(cache.find_user("ana")->disabled);
  EXPECT_EQ(store.reads, 2);
}

TEST_F(CachedUsersTest, AChangeMadeThroughTheCacheAppliesAtOnce) {
  ASSERT_EQ(cache.find_user("ana")->role, Role::courier);
  ASSERT_EQ(cache.update_user(User{"ana", "hash", Role::viewer, true}), UserChange::done);
  const auto changed = cache.find_user("ana");
  EXPECT_EQ(changed->role, Role::viewer);
  EXPECT_TRUE(changed->disabled);
}

TEST_F(CachedUsersTest, AMissingUserIsRememberedAsMissingUntilCreatedHere) {
  EXPECT_FALSE(cache.find_user("bea"));
  EXPECT_FALSE(cache.find_user("bea"));
  EXPECT_EQ(store.reads, 1);
  ASSERT_EQ(cache.create_user(User{"bea", "hash", Role::viewer, false}), UserChange::done);
  EXPECT_TRUE(cache.find_user("bea"));
}

TEST_F(CachedUsersTest, AClockSteppedBackMakesEntriesStale) {
  ASSERT_TRUE(cache.find_user("ana"));
  clock.advance(-1s);
  ASSERT_TRUE(cache.find_user("ana"));
  EXPECT_EQ(store.reads, 2);
}

TEST_F(CachedUsersTest, ListAndCountAlwaysReadTheStore) {
  ASSERT_TRUE(cache.find_user("ana"));
  store.users["carla"] = User{"carla", "hash", Role::admin, false};
  EXPECT_EQ(cache.count_users(), 2U);
  EXPECT_EQ(cache.list_users().size(), 2U);
}

}  // namespace
}  // namespace cargomon
