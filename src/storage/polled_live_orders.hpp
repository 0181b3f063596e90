#pragma once
// LiveOrders for a store that has none of its own (SQLite, memory): a
// thread that asks OrderStore::orders_after for what came after the last
// order it passed on, every poll interval, and publishes it.
//
// What it costs: one orders_after read per interval while subscribed (60 a
// minute at the default 1 s), plus one more per `page` orders that arrived;
// and, at subscribe(), finding the newest sequence (last_sequence(): about
// 2·log2(orders stored) single-row reads, some 40 at a million orders).
// Nothing at all while nothing is subscribed: `cargomon lambda` subscribes
// only while a stream invocation runs.
//
// Sound only where sequence order is commit order, so that an order can
// never become visible below one already passed on: SQLite's writers take
// the database's write lock one at a time (BEGIN IMMEDIATE), also across
// processes, and each order's sequence is its rowid, one above the highest
// committed; the memory store assigns sequences under its mutex. Stores
// whose concurrent writers commit out of sequence order (PostgreSQL,
// DynamoDB) bring their own LiveOrders, which waits for the gaps to settle.
//
// Thread safety: subscribe() from any thread; each subscription has one
// thread of its own, which calls `publish`.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "domain/monotonic_clock.hpp"
#include "storage/store.hpp"

namespace cargomon {

struct PolledLiveOrdersOptions {
  std::chrono::milliseconds interval{1'000};
  std::size_t page = 500;  // orders per read
  // Times the interval; null: the steady clock. Tests hand in a
  // FakeMonotonicClock; it must outlive every subscription.
  const MonotonicClock* ticks = nullptr;
};

class PolledLiveOrders final : public LiveOrders {
 public:
  PolledLiveOrders(OrderStore& store, PolledLiveOrdersOptions options)
      : store_(store), options_(options) {}

  // "From now on" is the newest sequence read here, before it returns (when
  // the store does not answer, the thread reads it at its first poll).
  std::unique_ptr<LiveSubscription> subscribe(Publish publish) override;

 private:
  OrderStore& store_;
  PolledLiveOrdersOptions options_;
};

// The highest sequence stored (0 when none), found with orders_after(x, 1)
// alone: the first order after x tells that at least its sequence exists,
// an empty answer that nothing above x does; galloping up from the first
// order, then halving, takes about 2·log2(highest) reads. Throws
// StoreUnavailable as the store does.
std::int64_t last_sequence(OrderStore& store);

}  // namespace cargomon
