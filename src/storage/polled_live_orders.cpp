#include "storage/polled_live_orders.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

namespace cargomon {

std::int64_t last_sequence(OrderStore& store) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const auto first = store.orders_after(0, 1);
  if (first.empty()) return 0;
  // An order at `low` exists; gallop up until a probe has nothing above it.
  std::int64_t low = first.front().sequence;
  std::int64_t high = kMax;
  for (std::int64_t step = 1;; step = step <= kMax / 2 ? step * 2 : step) {
    const std::int64_t probe = low > kMax - step ? kMax : low + step;
    const auto above = store.orders_after(probe, 1);
    if (above.empty()) {
      high = probe;
      break;
    }
    low = above.front().sequence;
  }
  // Nothing above `high`, an order at `low` <= high: halve until they meet.
  while (low < high) {
    const std::int64_t middle = low + (high - low) / 2;
    const auto above = store.orders_after(middle, 1);
    if (above.empty()) {
      high = middle;
    } else {
      low = above.front().sequence;
    }
  }
  return low;
}

namespace {

class PollingSubscription final : public LiveSubscription {
 public:
  PollingSubscription(OrderStore& store, LiveOrders::Publish publish,
                      PolledLiveOrdersOptions options)
      : store_(store), publish_(std::move(publish)), options_(options) {
    try {
      passed_ = last_sequence(store_);
    } catch (const StoreUnavailable& e) {
      spdlog::warn("live orders: starting without the newest sequence, will retry: {}", e.what());
    }
    thread_ = std::thread([this] { run(); });
  }

  ~PollingSubscription() override {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
  }

  PollingSubscription(const PollingSubscription&) = delete;
  PollingSubscription& operator=(const PollingSubscription&) = delete;
  PollingSubscription(PollingSubscription&&) = delete;
  PollingSubscription& operator=(PollingSubscription&&) = delete;

 private:
  void run() {
    const SteadyMonotonicClock steady;
    const MonotonicClock& ticks = options_.ticks ? *options_.ticks : steady;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        if (ticks.wait_until(stop_cv_, lock, ticks.now() + options_.interval,
                             [this] { return stopping_; })) {
          return;
        }
      }
      try {
        if (passed_ < 0) passed_ = last_sequence(store_);
        poll();
      } catch (const StoreUnavailable& e) {
        spdlog::warn("live orders: {}", e.what());
      }
    }
  }

  // Publishes every order after the last one passed on, a page at a time.
  void poll() {
    const std::size_t page = std::max<std::size_t>(1, options_.page);
    for (;;) {
      const auto orders = store_.orders_after(passed_, page);
      for (const auto& order : orders) {
        publish_(order);
        passed_ = order.sequence;
      }
      if (orders.size() < page || stopping()) return;
    }
  }

  bool stopping() {
    const std::lock_guard lock(mutex_);
    return stopping_;
  }

  OrderStore& store_;
  LiveOrders::Publish publish_;
  PolledLiveOrdersOptions options_;
  std::int64_t passed_ = -1;  // the last sequence passed on; -1: not known yet (thread only)
  std::mutex mutex_;          // guards stopping_
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<LiveSubscription> PolledLiveOrders::subscribe(Publish publish) {
  return std::make_unique<PollingSubscription>(store_, std::move(publish), options_);
}

}  // namespace cargomon
