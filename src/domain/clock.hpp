#pragma once
// Time is injected: production code asks a Clock, tests hand in a FakeClock and
// never sleep or read the wall clock.

#include <atomic>
#include <chrono>

namespace cargomon {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

// The real wall clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  Timestamp now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to. Not thread-safe: tests own it.
// Atomic, since the code under test may read it from its own threads.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start) {}
  Timestamp now() const override { return now_.load(); }
  void advance(std::chrono::microseconds d) { now_.store(now_.load() + d); }
  void set(Timestamp t) { now_.store(t); }

 private:
  std::atomic<Timestamp> now_;
};

}  // namespace cargomon
