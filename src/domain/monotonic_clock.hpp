#pragma once
// Monotonic time for intervals and timeouts, with waiting on it, so that a
// thread that ticks (the event feed's) can be driven by a test without
// sleeping. The wall clock is domain/clock.hpp's.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace cargomon {

class MonotonicClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~MonotonicClock() = default;
  virtual time_point now() const = 0;
  // Waits on `cv`, `lock` held, until `done()` holds or this clock reaches
  // `deadline`; returns done(). Whoever changes what `done` reads notifies `cv`.
  virtual bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          time_point deadline, const std::function<bool()>& done) const = 0;
};

// std::chrono::steady_clock. Thread-safe.
class SteadyMonotonicClock final : public MonotonicClock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  time_point deadline, const std::function<bool()>& done) const override {
    return cv.wait_until(lock, deadline, done);
  }
};

// Monotonic time that moves only when a test advances it, and then wakes the
// threads waiting on it. Thread-safe: the code under test waits on its own
// threads while the test advances the clock. What is waited on (the
// condition variable and its mutex) must outlive advance() calls.
class FakeMonotonicClock final : public MonotonicClock {
 public:
  time_point now() const override {
    const std::lock_guard guard(mutex_);
    return now_;
  }

  bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  time_point deadline, const std::function<bool()>& done) const override {
    const Waiter waiter{&cv, lock.mutex()};
    {
      const std::lock_guard guard(mutex_);
      waiters_.push_back(waiter);
    }
    waiter_added_.notify_all();
    bool result = done();
    // advance() takes `lock`'s mutex before notifying: a change of time
    // after the check below is not missed.
    while (!result && now() < deadline) {
      cv.wait(lock);
      result = done();
    }
    const std::lock_guard guard(mutex_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), waiter));
    return result;
  }

  // Blocks until some thread waits on this clock, so that a test advances it
  // only once the code under test has taken its deadline from it; false
  // after `patience` (real time: a bound for a failing test).
  bool await_waiter(std::chrono::seconds patience = std::chrono::seconds(10)) const {
    std::unique_lock guard(mutex_);
    return waiter_added_.wait_for(guard, patience, [&] { return !waiters_.empty(); });
  }

  void advance(std::chrono::nanoseconds d) {
    std::vector<Waiter> waiters;
    {
      const std::lock_guard guard(mutex_);
      now_ += std::chrono::duration_cast<time_point::duration>(d);
      waiters = waiters_;
    }
    for (const auto& waiter : waiters) {
      const std::lock_guard guard(*waiter.mutex);
      waiter.cv->notify_all();
    }
  }

 private:
  struct Waiter {
    std::condition_variable* cv;
    std::mutex* mutex;
    bool operator==(const Waiter&) const = default;
  };
  mutable std::mutex mutex_;  // guards now_ and waiters_
  mutable std::condition_variable waiter_added_;
  time_point now_{};
  mutable std::vector<Waiter> waiters_;
};

}  // namespace cargomon
