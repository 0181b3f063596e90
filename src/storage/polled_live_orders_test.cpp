// The poller that brings other processes' orders to a live stream, over a
// memory store that counts its reads, on a clock the test moves.

#include "storage/polled_live_orders.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon {
namespace {

using namespace std::chrono_literals;

// Counts orders_after calls, and lets a test wait for a count.
class CountingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override {
    auto orders = ForwardingStore::orders_after(after, limit);
    {
      const std::lock_guard lock(mutex_);
      ++reads_;
    }
    changed_.notify_all();
    return orders;
  }

  int reads() const {
    const std::lock_guard lock(mutex_);
    return reads_;
  }

  bool wait_reads(int count) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return reads_ >= count; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  int reads_ = 0;
};

// What a subscription published, in the order it came.
class Published {
 public:
  LiveOrders::Publish sink() {
    return [this](const Order& order) {
      {
        const std::lock_guard lock(mutex_);
        sequences_.push_back(order.sequence);
      }
      changed_.notify_all();
    };
  }

  // The sequences, once there are `count` (or after 10 s, for a failing test).
  std::vector<std::int64_t> wait_for(std::size_t count) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return sequences_.size() >= count; });
    return sequences_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::int64_t> sequences_;
};

class PolledLiveOrdersTest : public ::testing::Test {
 protected:
  void store_orders(int count) {
    for (int i = 0; i < count; ++i) {
      Order order;
      order.order_id = "o-" + std::to_string(++made_);
      order.courier = {CourierId{"1", true}, "Ana"};
      order.lines = {OrderLine{"pk1", "Moneda", Money::from_cents(100)}};
      order.received_at = Timestamp{} + 1'000'000'000s;
      memory.register_order(
          order, [](RegisterResult result) { ASSERT_EQ(result.status, RegisterStatus::stored); });
    }
  }

  BusinessCalendar calendar{"UTC"};
  MemoryStore memory{calendar};
  CountingStore store{memory};
  FakeMonotonicClock ticks;
  PolledLiveOrders live{store, {.interval = 1s, .page = 2, .ticks = &ticks}};
  int made_ = 0;
};

TEST_F(PolledLiveOrdersTest, TheNewestSequenceTakesAFewSingleRowReads) {
  EXPECT_EQ(last_sequence(store), 0);
  EXPECT_EQ(store.reads(), 1);
  store_orders(1);
  EXPECT_EQ(last_sequence(store), 1);
  store_orders(999);
  const int before = store.reads();
  EXPECT_EQ(last_sequence(store), 1000);
  // About 2·log2(1000): gallop to 1024, halve back.
  EXPECT_LE(store.reads() - before, 24);
}

TEST_F(PolledLiveOrdersTest, PublishesWhatIsStoredAfterSubscribingInOrderEachOnce) {
  store_orders(3);  // history: for resuming clients, not for the subscription
  Published published;
  const auto subscription = live.subscribe(published.sink());
  const int at_start = store.reads();
  store_orders(5);
  ASSERT_TRUE(ticks.await_waiter());
  ticks.advance(1s);
  // Pages of two: 4-5, 6-7, 8 and the short page ends the poll.
  EXPECT_EQ(published.wait_for(5), (std::vector<std::int64_t>{4, 5, 6, 7, 8}));
  ASSERT_TRUE(store.wait_reads(at_start + 3));
  store_orders(1);
  ASSERT_TRUE(ticks.await_waiter());  // timing its next poll from now
  ticks.advance(1s);
  EXPECT_EQ(published.wait_for(6), (std::vector<std::int64_t>{4, 5, 6, 7, 8, 9}));
}

TEST_F(PolledLiveOrdersTest, AQuietStoreCostsOneReadPerInterval) {
  Published published;
  const auto subscription = live.subscribe(published.sink());
  const int at_start = store.reads();
  for (int poll = 1; poll <= 3; ++poll) {
    ASSERT_TRUE(ticks.await_waiter());
    ticks.advance(1s);
    ASSERT_TRUE(store.wait_reads(at_start + poll));
  }
  EXPECT_EQ(published.wait_for(0).size(), 0u);
}

TEST_F(PolledLiveOrdersTest, EndingTheSubscriptionIsPromptAndStopsTheReads) {
  Published published;
  auto subscription = live.subscribe(published.sink());
  ASSERT_TRUE(ticks.await_waiter());
  const int reads = store.reads();
  subscription.reset();  // joins its thread, which was waiting for the interval
  store_orders(2);
  ticks.advance(10s);
  EXPECT_EQ(store.reads(), reads);
  EXPECT_EQ(published.wait_for(0).size(), 0u);
}

}  // namespace
}  // namespace cargomon
