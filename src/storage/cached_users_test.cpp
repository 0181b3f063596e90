#include "storage/cached_users.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <utility>
#include <vector>

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

// Background reads handed to the cache, run when the test says.
class QueuedRefreshes {
 public:
  CachedUserStore::Refresher refresher() {
    return [this](std::function<void()> work) {
      if (!accepting) return false;
      queued.push_back(std::move(work));
      return true;
    };
  }
  void run_all() {
    auto work = std::exchange(queued, {});
    for (auto& w : work) w();
  }
  std::vector<std::function<void()>> queued;
  bool accepting = true;
};

TEST_F(CachedUsersTest, AStaleEntryIsUsedWhileOneBackgroundReadRefreshesIt) {
  QueuedRefreshes refreshes;
  CachedUserStore cache_with_refresh{store, clock, 1s, 4s};
  cache_with_refresh.refresh_with(refreshes.refresher());
  ASSERT_TRUE(cache_with_refresh.find_user("ana"));
  memory.update_user(User{"ana", "hash", Role::courier, true});  // disabled elsewhere
  clock.advance(1500ms);
  // Stale: answered from memory, and one read queued however often it is asked.
  for (int i = 0; i < 3; ++i) {
    const auto known = cache_with_refresh.find_user_in_memory("ana");
    ASSERT_TRUE(known && *known);
    EXPECT_FALSE((*known)->disabled);
  }
  EXPECT_EQ(refreshes.queued.size(), 1u);
  EXPECT_EQ(store.reads, 1);
  refreshes.run_all();
  EXPECT_EQ(store.reads, 2);
  const auto refreshed = cache_with_refresh.find_user_in_memory("ana");
  ASSERT_TRUE(refreshed && *refreshed);
  EXPECT_TRUE((*refreshed)->disabled);  // the change applies once read
}

TEST_F(CachedUsersTest, AnEntryTooStaleIsNotUsedEvenWhileItsRefreshWaits) {
  QueuedRefreshes refreshes;
  CachedUserStore cache_with_refresh{store, clock, 1s, 4s};
  cache_with_refresh.refresh_with(refreshes.refresher());
  ASSERT_TRUE(cache_with_refresh.find_user("ana"));
  clock.advance(1500ms);
  EXPECT_TRUE(cache_with_refresh.find_user_in_memory("ana"));
  clock.advance(3500ms);  // 5 s old: past fresh_for + stale_for, the read still queued
  EXPECT_FALSE(cache_with_refresh.find_user_in_memory("ana"));
}

TEST_F(CachedUsersTest, ARefreshThatCouldNotBeQueuedIsAskedForAgain) {
  QueuedRefreshes refreshes;
  CachedUserStore cache_with_refresh{store, clock, 1s, 4s};
  cache_with_refresh.refresh_with(refreshes.refresher());
  ASSERT_TRUE(cache_with_refresh.find_user("ana"));
  clock.advance(1500ms);
  refreshes.accepting = false;
  EXPECT_TRUE(cache_with_refresh.find_user_in_memory("ana"));
  EXPECT_TRUE(refreshes.queued.empty());
  refreshes.accepting = true;
  EXPECT_TRUE(cache_with_refresh.find_user_in_memory("ana"));
  EXPECT_EQ(refreshes.queued.size(), 1u);
}

TEST_F(CachedUsersTest, WithoutARefresherAStaleEntryIsNeverUsed) {
  ASSERT_TRUE(cache.find_user("ana"));
  clock.advance(1500ms);
  EXPECT_FALSE(cache.find_user_in_memory("ana"));
}

}  // namespace
}  // namespace cargomon
