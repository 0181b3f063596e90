#include "api/bounded_executor.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <future>
#include <stdexcept>

namespace cargomon::api {
namespace {

using namespace std::chrono_literals;

// Holds the executor's only thread until released.
struct Blocker {
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};

  std::function<void()> work() {
    return [this] {
      started.set_value();
      released.wait();
    };
  }
};

TEST(BoundedExecutor, RefusesWorkBeyondItsQueueInCount) {
  BoundedExecutor executor("test", {.threads = 1, .max_queued = 2});
  Blocker blocker;
  ASSERT_TRUE(executor.try_post(blocker.work(), 0));
  blocker.started.get_future().wait();
  std::atomic<int> ran{0};
  EXPECT_TRUE(executor.try_post([&] { ++ran; }, 0));
  EXPECT_TRUE(executor.try_post([&] { ++ran; }, 0));
  EXPECT_FALSE(executor.try_post([&] { ++ran; }, 0));
  blocker.release.set_value();
  executor.stop();
  EXPECT_EQ(ran.load(), 2);
}

TEST(BoundedExecutor, RefusesWorkBeyondItsQueueInBytesButNeverAnIdleServersOnlyRequest) {
  BoundedExecutor executor("test", {.threads = 1, .max_queued = 100, .max_queued_bytes = 1000});
  Blocker blocker;
  ASSERT_TRUE(executor.try_post(blocker.work(), 0));
  blocker.started.get_future().wait();
  EXPECT_TRUE(executor.try_post([] {}, 5000));  // alone in the queue: accepted whatever its size
  EXPECT_FALSE(executor.try_post([] {}, 1));
  blocker.release.set_value();
  executor.stop();
}

TEST(BoundedExecutor, StopRunsWhatWasQueuedAndThenRefuses) {
  BoundedExecutor executor("test", {.threads = 1, .max_queued = 10});
  Blocker blocker;
  std::atomic<int> ran{0};
  ASSERT_TRUE(executor.try_post(blocker.work(), 0));
  blocker.started.get_future().wait();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(executor.try_post([&] { ++ran; }, 0));
  std::thread releaser([&] { blocker.release.set_value(); });
  executor.stop();
  releaser.join();
  EXPECT_EQ(ran.load(), 5);
  EXPECT_FALSE(executor.try_post([] {}, 0));
}

TEST(BoundedExecutor, WorkThatThrowsDoesNotStopTheThread) {
  BoundedExecutor executor("test", {.threads = 1, .max_queued = 10});
  std::promise<void> after;
  ASSERT_TRUE(executor.try_post([] { throw std::runtime_error("a bug"); }, 0));
  ASSERT_TRUE(executor.try_post([&] { after.set_value(); }, 0));
  EXPECT_EQ(after.get_future().wait_for(10s), std::future_status::ready);
}

// The nice value applies to the executor's own threads, not to the caller's.
TEST(BoundedExecutor, ItsThreadsRunAtItsNiceValue) {
  const auto own_nice = [] {
    errno = 0;
    return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
  };
  const int caller = own_nice();
  BoundedExecutor hashing("test", {.threads = 2, .max_queued = 4, .nice = 10});
  std::promise<int> seen;
  ASSERT_TRUE(hashing.try_post([&] { seen.set_value(own_nice()); }, 0));
  EXPECT_EQ(seen.get_future().get(), std::min(caller + 10, 19));
  EXPECT_EQ(own_nice(), caller);
  BoundedExecutor plain("test", {.threads = 1, .max_queued = 4});
  std::promise<int> plain_seen;
  ASSERT_TRUE(plain.try_post([&] { plain_seen.set_value(own_nice()); }, 0));
  EXPECT_EQ(plain_seen.get_future().get(), caller);
}

}  // namespace
}  // namespace cargomon::api
