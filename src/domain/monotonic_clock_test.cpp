#include "domain/monotonic_clock.hpp"

#include <gtest/gtest.h>

#include <future>

namespace cargomon {
namespace {

using namespace std::chrono_literals;

// A thread waiting on a FakeMonotonicClock, as the event feed's ticker does.
struct Waiting {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;

  std::future<bool> wait(const MonotonicClock& clock, MonotonicClock::time_point deadline) {
    return std::async(std::launch::async, [this, &clock, deadline] {
      std::unique_lock lock(mutex);
      return clock.wait_until(cv, lock, deadline, [&] { return done; });
    });
  }
};

TEST(FakeMonotonicClock, AWaitEndsWhenTheClockReachesItsDeadlineAndNotBefore) {
  FakeMonotonicClock clock;
  Waiting waiting;
  auto result = waiting.wait(clock, clock.now() + 500ms);
  ASSERT_TRUE(clock.await_waiter());
  clock.advance(499ms);
  // Time stands still between advances, so the waiter cannot have left.
  EXPECT_EQ(result.wait_for(0s), std::future_status::timeout);
  clock.advance(1ms);
  EXPECT_FALSE(result.get());  // the deadline passed; `done` never held
  EXPECT_EQ(clock.now().time_since_epoch(), 500ms);
}

TEST(FakeMonotonicClock, AWaitEndsWhenItsConditionHoldsWhateverTheTime) {
  FakeMonotonicClock clock;
  Waiting waiting;
  auto result = waiting.wait(clock, clock.now() + 1h);
  ASSERT_TRUE(clock.await_waiter());
  {
    const std::lock_guard lock(waiting.mutex);
    waiting.done = true;
  }
  waiting.cv.notify_all();
  EXPECT_TRUE(result.get());
  EXPECT_EQ(clock.now().time_since_epoch(), 0s);
}

}  // namespace
}  // namespace cargomon
