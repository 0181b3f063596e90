// The store time of an invocation counts every call that reaches the store:
// each one a decorator override (ForwardingStore would pass the others on
// untimed, as it once did ranked_day_metrics, /metrics' read).

#include "lambda/timed_store.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon::lambda {
namespace {

using namespace std::chrono_literals;

constexpr auto kPause = 2ms;

// Every call takes at least kPause, then goes to a MemoryStore.
class SlowStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  void register_order(Order order, RegisterDone done) override {
    pause();
    ForwardingStore::register_order(std::move(order), std::move(done));
  }
  OrderPage list_orders(const OrderQuery& query) override {
    pause();
    return ForwardingStore::list_orders(query);
  }
  std::optional<Order> find_order(const std::string& order_id) override {
    pause();
    return ForwardingStore::find_order(order_id);
  }
  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override {
    pause();
    return ForwardingStore::orders_after(after, limit);
  }
  DayMetrics day_metrics(BusinessDay day) override {
    pause();
    return ForwardingStore::day_metrics(day);
  }
  DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) override {
    pause();
    return ForwardingStore::ranked_day_metrics(day, top);
  }
  bool ready() override {
    pause();
    return ForwardingStore::ready();
  }
  std::optional<User> find_user(const std::string& username) override {
    pause();
    return ForwardingStore::find_user(username);
  }
  std::vector<User> list_users() override {
    pause();
    return ForwardingStore::list_users();
  }
  UserChange create_user(const User& user) override {
    pause();
    return ForwardingStore::create_user(user);
  }
  UserChange update_user(const User& user) override {
    pause();
    return ForwardingStore::update_user(user);
  }
  std::size_t count_users() override {
    pause();
    return ForwardingStore::count_users();
  }

 private:
  static void pause() { std::this_thread::sleep_for(kPause); }
};

TEST(TimedStore, EveryCallThatReachesTheStoreIsTimed) {
  const BusinessCalendar calendar{"America/Bogota"};
  MemoryStore memory{calendar};
  SlowStore slow{memory};
  TimedStore timed{slow};
  const SystemClock clock;
  const auto today = calendar.day_of(clock.now());
  const User user{"ana", "$argon2id$not-a-real-hash", Role::viewer, false};

  const std::vector<std::pair<std::string, std::function<void()>>> calls{
      {"list_orders", [&] { timed.list_orders({}); }},
      {"find_order", [&] { timed.find_order("x"); }},
      {"orders_after", [&] { timed.orders_after(0, 10); }},
      {"day_metrics", [&] { timed.day_metrics(today); }},
      {"ranked_day_metrics",
       [&] {
         timed.ranked_day_metrics(today, {3, 3});
       }},
      {"ready", [&] { timed.ready(); }},
      {"find_user", [&] { timed.find_user("ana"); }},
      {"create_user", [&] { timed.create_user(user); }},
      {"update_user", [&] { timed.update_user(user); }},
      {"list_users", [&] { timed.list_users(); }},
      {"count_users", [&] { timed.count_users(); }},
  };
  for (const auto& [name, call] : calls) {
    timed.take();
    call();
    EXPECT_GE(timed.take(), kPause) << name;
  }
  EXPECT_EQ(timed.take(), TimedStore::Clock::duration::zero()) << "take() starts again";
}

}  // namespace
}  // namespace cargomon::lambda
