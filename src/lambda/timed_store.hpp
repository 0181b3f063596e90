#pragma once
// A store decorator that adds up the time spent inside the store (reads,
// and an order's registration from the call to its acknowledgement), for
// the invocation's cargomon_store_duration_seconds (emf.hpp). Lambda runs
// one invocation at a time, so the total since the last take() is that
// invocation's. Every call that reaches the store is timed, each one here:
// ForwardingStore passes on whatever is not overridden untimed (as
// ranked_day_metrics, what /metrics reads, once was).
//
// Thread safety: that of the wrapped store; the total is atomic (an
// acknowledgement arrives on the store's commit thread).

#include <atomic>
#include <chrono>
#include <cstdint>

#include "storage/forwarding_store.hpp"

namespace cargomon::lambda {

class TimedStore final : public ForwardingStore {
 public:
  using Clock = std::chrono::steady_clock;
  using ForwardingStore::ForwardingStore;

  // The time spent in the store since the last call, and starts again.
  Clock::duration take() { return Clock::duration(nanos_.exchange(0)); }

  void register_order(Order order, RegisterDone done) override {
    const auto start = Clock::now();
    inner().register_order(std::move(order),
                           [this, start, done = std::move(done)](RegisterResult result) {
                             add(Clock::now() - start);
                             done(std::move(result));
                           });
  }
  OrderPage list_orders(const OrderQuery& query) override {
    const Timer timer(*this);
    return inner().list_orders(query);
  }
  std::optional<Order> find_order(const std::string& order_id) override {
    const Timer timer(*this);
    return inner().find_order(order_id);
  }
  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override {
    const Timer timer(*this);
    return inner().orders_after(after, limit);
  }
  DayMetrics day_metrics(BusinessDay day) override {
    const Timer timer(*this);
    return inner().day_metrics(day);
  }
  DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) override {
    const Timer timer(*this);
    return inner().ranked_day_metrics(day, top);
  }
  bool ready() override {
    const Timer timer(*this);
    return inner().ready();
  }
  std::optional<User> find_user(const std::string& username) override {
    const Timer timer(*this);
    return inner().find_user(username);
  }
  std::vector<User> list_users() override {
    const Timer timer(*this);
    return inner().list_users();
  }
  UserChange create_user(const User& user) override {
    const Timer timer(*this);
    return inner().create_user(user);
  }
  UserChange update_user(const User& user) override {
    const Timer timer(*this);
    return inner().update_user(user);
  }
  std::size_t count_users() override {
    const Timer timer(*this);
    return inner().count_users();
  }

 private:
  class Timer {
   public:
    explicit Timer(TimedStore& store) : store_(store), start_(Clock::now()) {}
    ~Timer() { store_.add(Clock::now() - start_); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    Timer(Timer&&) = delete;
    Timer& operator=(Timer&&) = delete;

   private:
    TimedStore& store_;
    Clock::time_point start_;
  };

  void add(Clock::duration spent) { nanos_.fetch_add(spent.count()); }

  std::atomic<Clock::duration::rep> nanos_{0};
};

}  // namespace cargomon::lambda
