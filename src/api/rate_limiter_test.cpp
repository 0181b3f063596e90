#include "api/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace cargomon::api {
namespace {

using namespace std::chrono_literals;

class RateLimiterTest : public ::testing::Test {
 protected:
  FakeMonotonicClock clock_;
};

TEST_F(RateLimiterTest, ABurstPassesThenRequestsWaitForTheRefill) {
  RateLimiter limiter(clock_, {.per_second = 2, .burst = 5});
  for (int i = 0; i < 5; ++i) {
    const auto verdict = limiter.take("ana");
    ASSERT_TRUE(verdict.allowed) << i;
    EXPECT_EQ(verdict.remaining, static_cast<std::size_t>(4 - i));
  }
  const auto refused = limiter.take("ana");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0U);
  EXPECT_EQ(refused.retry_after, 1s);  // one request back in half a second
  EXPECT_EQ(refused.full_in, 3s);      // five in 2.5 s
  clock_.advance(499ms);
  EXPECT_FALSE(limiter.take("ana").allowed);
  clock_.advance(2ms);
  EXPECT_TRUE(limiter.take("ana").allowed);
  EXPECT_FALSE(limiter.take("ana").allowed);
}

TEST_F(RateLimiterTest, AClientUnderTheRateIsNeverRefused) {
  RateLimiter limiter(clock_, {.per_second = 10, .burst = 1});
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(limiter.take("courier").allowed) << i;
    clock_.advance(100ms);
  }
}

TEST_F(RateLimiterTest, TheBucketRefillsNoFurtherThanItsBurst) {
  RateLimiter limiter(clock_, {.per_second = 100, .burst = 3});
  clock_.advance(1h);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.take("ana").allowed);
  EXPECT_FALSE(limiter.take("ana").allowed);
}

TEST_F(RateLimiterTest, RetryAfterCountsTheWholeSecondsToTheNextRequest) {
  RateLimiter limiter(clock_, {.per_second = 0.1, .burst = 1});
  ASSERT_TRUE(limiter.take("slow").allowed);
  EXPECT_EQ(limiter.take("slow").retry_after, 10s);
  clock_.advance(7s);
  EXPECT_EQ(limiter.take("slow").retry_after, 3s);
  clock_.advance(3s);
  EXPECT_TRUE(limiter.take("slow").allowed);
}

TEST_F(RateLimiterTest, KeysHaveBucketsOfTheirOwn) {
  RateLimiter limiter(clock_, {.per_second = 1, .burst = 1});
  EXPECT_TRUE(limiter.take("ana").allowed);
  EXPECT_FALSE(limiter.take("ana").allowed);
  EXPECT_TRUE(limiter.take("luis").allowed);
  EXPECT_TRUE(limiter.take("10.0.0.1").allowed);
}

TEST_F(RateLimiterTest, ARateOfZeroLimitsNothing) {
  RateLimiter limiter(clock_, {});
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(limiter.take("ana").allowed);
  EXPECT_EQ(limiter.tracked_keys(), 0U);
}

TEST_F(RateLimiterTest, BadLimitsAreRefused) {
  EXPECT_THROW(RateLimiter(clock_, {.per_second = 1, .burst = 0.5}), std::invalid_argument);
  EXPECT_THROW(RateLimiter(clock_, {.per_second = -1, .burst = 5}), std::invalid_argument);
}

TEST_F(RateLimiterTest, MemoryIsBoundedAndTheLeastRecentlyUsedGoesFirst) {
  RateLimiter limiter(clock_, {.per_second = 1, .burst = 1}, std::size_t{16} * 4);
  ASSERT_TRUE(limiter.take("kept").allowed);
  for (int i = 0; i < 10'000; ++i) {
    (void)limiter.take("kept");  // used all along: never the least recent
    (void)limiter.take("client-" + std::to_string(i));
    ASSERT_LE(limiter.tracked_keys(), 16U * 4U);
  }
  // Still tracked, so still empty: no fresh burst for it.
  EXPECT_FALSE(limiter.take("kept").allowed);
}

TEST_F(RateLimiterTest, KeysAreCutToABoundedLength) {
  RateLimiter limiter(clock_, {.per_second = 1, .burst = 1});
  const std::string a(RateLimiter::kMaxKeyLength, 'a');
  EXPECT_TRUE(limiter.take(a + "first").allowed);
  EXPECT_FALSE(limiter.take(a + "second").allowed);  // the same key once cut
}

TEST_F(RateLimiterTest, ConcurrentRequestsTakeExactlyTheBurst) {
  RateLimiter limiter(clock_, {.per_second = 1, .burst = 1000});
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.take("shared").allowed) ++allowed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 1000);
}

}  // namespace
}  // namespace cargomon::api
