#include "storage/cached_users.hpp"

#include <gtest/gtest.h>

#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon {
namespace {

using namespace std::chrono_literals;

// Counts the reads that reach the store behind the cache.
class CountingUsers final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::optional<User> find_user(const std::string& username) override {
    ++reads;
    return ForwardingStore::find_user(username);
  }

  int reads = 0;
};

class CachedUsersTest : public ::testing::Test {
 protected:
  CachedUsersTest() { memory.create_user(User{"ana", "hash", Role::courier, false}); }

  BusinessCalendar calendar{"UTC"};
  MemoryStore memory{calendar};
  CountingUsers store{memory};
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
  // The CLI, or another instance:
  ASSERT_EQ(memory.update_user(User{"ana", "hash", Role::courier, true}), UserChange::done);
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
  memory.create_user(User{"carla", "hash", Role::admin, false});
  EXPECT_EQ(cache.count_users(), 2U);
  EXPECT_EQ(cache.list_users().size(), 2U);
}

}  // namespace
}  // namespace cargomon
