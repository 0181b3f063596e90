// What the memory store does beyond the storage contract: the last enabled
// admin cannot be demoted or disabled, also by two updates at once.

#include "storage/memory/memory_store.hpp"

#include <gtest/gtest.h>

#include <barrier>
#include <thread>

namespace cargomon {
namespace {

class MemoryStoreTest : public ::testing::Test {
 protected:
  BusinessCalendar calendar_{"America/Bogota"};
  MemoryStore store_{calendar_};
};

TEST_F(MemoryStoreTest, TheLastEnabledAdminCanBeNeitherDemotedNorDisabled) {
  const User admin{"admin", "h", Role::admin, false};
  ASSERT_EQ(store_.create_user(admin), UserChange::done);
  ASSERT_EQ(store_.create_user(User{"old", "h", Role::admin, true}), UserChange::done);
  EXPECT_EQ(store_.update_user(User{"admin", "h", Role::viewer, false}),
            UserChange::last_enabled_admin);
  EXPECT_EQ(store_.update_user(User{"admin", "h", Role::admin, true}),
            UserChange::last_enabled_admin);
  EXPECT_EQ(store_.find_user("admin")->role, Role::admin);
  EXPECT_FALSE(store_.find_user("admin")->disabled);
  // Other changes to that admin, and to users who are not enabled admins, go through.
  EXPECT_EQ(store_.update_user(User{"admin", "h2", Role::admin, false}), UserChange::done);
  EXPECT_EQ(store_.update_user(User{"old", "h", Role::viewer, true}), UserChange::done);
}

TEST_F(MemoryStoreTest, OfTwoAdminsOneMayGoButOfTwoDemotionsAtOnceOnlyOne) {
  for (int round = 0; round < 200; ++round) {
    MemoryStore store(calendar_);
    store.create_user(User{"ana", "h", Role::admin, false});
    store.create_user(User{"bea", "h", Role::admin, false});
    UserChange changes[2];
    std::barrier start(2);
    std::thread other([&] {
      start.arrive_and_wait();
      changes[1] = store.update_user(User{"bea", "h", Role::viewer, false});
    });
    start.arrive_and_wait();
    changes[0] = store.update_user(User{"ana", "h", Role::admin, true});
    other.join();
    const int done = (changes[0] == UserChange::done) + (changes[1] == UserChange::done);
    ASSERT_EQ(done, 1) << "round " << round;
    const int refused = (changes[0] == UserChange::last_enabled_admin) +
                        (changes[1] == UserChange::last_enabled_admin);
    ASSERT_EQ(refused, 1) << "round " << round;
  }
}

TEST_F(MemoryStoreTest, AnOrderIsAnsweredAtOnceOnTheCallersThread) {
  Order order;
  order.order_id = "a";
  order.courier = {{"1", true}, "Ana"};
  order.lines = {{"p", "Moneda", Money::from_cents(100), 1}};
  bool answered = false;
  store_.register_order(order, [&](RegisterResult result) {
    answered = true;
    EXPECT_EQ(result.status, RegisterStatus::stored);
    EXPECT_EQ(result.order.sequence, 1);
  });
  EXPECT_TRUE(answered);
  EXPECT_EQ(store_.live_orders(), nullptr);
}

}  // namespace
}  // namespace cargomon
