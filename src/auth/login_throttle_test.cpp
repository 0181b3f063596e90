#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace cargomon::auth {
namespace {

using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kStart{seconds{1'726'000'000}};

class LoginThrottleTest : public ::testing::Test {
 protected:
  void fail_times(int n, std::string_view user = "alice", std::string_view client = "10.0.0.1") {
    for (int i = 0; i < n; ++i) throttle_.record_failure(user, client);
  }

  FakeClock clock_{kStart};
  LoginThrottle throttle_{clock_};  // 10 failures per 5 minutes
};

TEST_F(LoginThrottleTest, AllowsTenFailuresThenBlocksTheEleventhAttempt) {
  for (int attempt = 1; attempt <= 10; ++attempt) {
    EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), std::nullopt) << "attempt " << attempt;
    throttle_.record_failure("alice", "10.0.0.1");
    clock_.advance(seconds(1));
  }
  const auto wait = throttle_.retry_after("alice", "10.0.0.1");
  ASSERT_TRUE(wait.has_value());
  EXPECT_GT(*wait, seconds(0));
  EXPECT_LE(*wait, minutes(5));
  EXPECT_EQ(*wait, minutes(5) - seconds(10));  // the first failure was 10 s ago
}

TEST_F(LoginThrottleTest, UnblocksWhenTheOldestFailureLeavesTheWindow) {
  fail_times(1);
  clock_.advance(seconds(100));
  fail_times(9);
  ASSERT_EQ(throttle_.retry_after("alice", "10.0.0.1"), seconds(200));

  clock_.advance(seconds(200));
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), std::nullopt);
  // Nine failures are still in the window: one more blocks again, until the
  // next oldest leaves.
  fail_times(1);
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), seconds(100));
}

TEST_F(LoginThrottleTest, UnblocksAfterTheWholeWindow) {
  fail_times(10);
  ASSERT_EQ(throttle_.retry_after("alice", "10.0.0.1"), minutes(5));
  clock_.advance(minutes(5) - microseconds(1));
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), seconds(1));  // rounded up
  clock_.advance(microseconds(1));
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), std::nullopt);
}

TEST_F(LoginThrottleTest, SuccessForgetsEarlierFailures) {
  fail_times(9);
  throttle_.record_success("alice", "10.0.0.1");
  fail_times(9);
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), std::nullopt);
  EXPECT_EQ(throttle_.tracked_keys(), 1u);
  throttle_.record_success("alice", "10.0.0.1");
  EXPECT_EQ(throttle_.tracked_keys(), 0u);
}

TEST_F(LoginThrottleTest, BlockingOnePairLeavesOtherClientsAndUsersAlone) {
  fail_times(10, "alice", "10.0.0.1");
  ASSERT_TRUE(throttle_.retry_after("alice", "10.0.0.1").has_value());
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.2"), std::nullopt);
  EXPECT_EQ(throttle_.retry_after("bob", "10.0.0.1"), std::nullopt);
  // Pairs whose parts run together differently are different pairs.
  fail_times(10, "ab", "c");
  EXPECT_EQ(throttle_.retry_after("a", "bc"), std::nullopt);
}

TEST_F(LoginThrottleTest, TrackedPairsAreCapped) {
  LoginThrottle throttle(clock_, 10, minutes(5), 100);
  for (int i = 0; i < 10'000; ++i) throttle.record_failure("user" + std::to_string(i), "10.0.0.1");
  EXPECT_EQ(throttle.tracked_keys(), 100u);
  for (int i = 0; i < 10; ++i) throttle.record_failure("user9999", "10.0.0.1");
  EXPECT_TRUE(throttle.retry_after("user9999", "10.0.0.1").has_value());
}

TEST_F(LoginThrottleTest, AtTheCapExpiredPairsGoBeforeLiveOnes) {
  LoginThrottle throttle(clock_, 1, minutes(5), 3);
  throttle.record_failure("old", "c");
  clock_.advance(minutes(5));
  throttle.record_failure("b", "c");
  throttle.record_failure("a", "c");
  throttle.record_failure("old", "c");  // its first failure has left the window
  clock_.advance(seconds(1));
  throttle.record_failure("a", "c");  // now "b" is the pair whose last failure is oldest
  ASSERT_EQ(throttle.tracked_keys(), 3u);

  // Full, none expired: the pair whose last failure is oldest ("b") goes.
  throttle.record_failure("new", "c");
  EXPECT_EQ(throttle.tracked_keys(), 3u);
  EXPECT_EQ(throttle.retry_after("b", "c"), std::nullopt);
  EXPECT_TRUE(throttle.retry_after("a", "c").has_value());
  EXPECT_TRUE(throttle.retry_after("old", "c").has_value());
  EXPECT_TRUE(throttle.retry_after("new", "c").has_value());

  // Once the window has passed for "old" and "a", a newcomer clears them both.
  clock_.advance(minutes(5));
  throttle.record_failure("new", "c");
  throttle.record_failure("x", "c");
  EXPECT_EQ(throttle.tracked_keys(), 2u);
  EXPECT_TRUE(throttle.retry_after("new", "c").has_value());
  EXPECT_TRUE(throttle.retry_after("x", "c").has_value());
}

TEST_F(LoginThrottleTest, VeryLongNamesDoNotGrowEntriesWithoutBound) {
  const std::string long_name(1 << 20, 'u');
  fail_times(10, long_name, "10.0.0.1");
  EXPECT_TRUE(throttle_.retry_after(long_name, "10.0.0.1").has_value());
  EXPECT_EQ(throttle_.tracked_keys(), 1u);
}

TEST_F(LoginThrottleTest, AttemptsInFlightCountAgainstTheLimit) {
  std::vector<LoginThrottle::Attempt> running;
  for (int i = 0; i < 10; ++i) {
    auto admitted = throttle_.begin("alice", "10.0.0.1");
    ASSERT_TRUE(std::holds_alternative<LoginThrottle::Attempt>(admitted)) << "attempt " << i;
    running.push_back(std::move(std::get<LoginThrottle::Attempt>(admitted)));
  }
  // Ten checks run and none has failed yet: the eleventh must wait for them.
  const auto refused = throttle_.begin("alice", "10.0.0.1");
  ASSERT_TRUE(std::holds_alternative<seconds>(refused));
  EXPECT_EQ(std::get<seconds>(refused), seconds(1));
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), seconds(1));
  // Other pairs are not affected.
  EXPECT_TRUE(std::holds_alternative<LoginThrottle::Attempt>(throttle_.begin("alice", "10.0.0.2")));

  clock_.advance(seconds(10));
  for (auto& attempt : running) attempt.failed();
  // Now they are ten failures: blocked for the whole window.
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), minutes(5));
}

TEST_F(LoginThrottleTest, AnAttemptThatNeverRanFreesItsPlace) {
  {
    std::vector<LoginThrottle::Attempt> dropped;
    for (int i = 0; i < 10; ++i) {
      dropped.push_back(std::get<LoginThrottle::Attempt>(throttle_.begin("alice", "10.0.0.1")));
    }
    ASSERT_TRUE(throttle_.retry_after("alice", "10.0.0.1").has_value());
  }
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), std::nullopt);
  EXPECT_EQ(throttle_.tracked_keys(), 0u);
}

TEST_F(LoginThrottleTest, AnAttemptEndsOnce) {
  auto attempt = std::get<LoginThrottle::Attempt>(throttle_.begin("alice", "10.0.0.1"));
  attempt.failed();
  attempt.failed();  // ignored: the attempt has ended
  LoginThrottle::Attempt moved = std::move(attempt);
  moved.failed();
  fail_times(8);
  EXPECT_EQ(throttle_.retry_after("alice", "10.0.0.1"), std::nullopt);  // 9 failures
}

TEST_F(LoginThrottleTest, SuccessDuringOtherChecksKeepsCountingThem) {
  std::vector<LoginThrottle::Attempt> running;
  for (int i = 0; i < 10; ++i) {
    running.push_back(std::get<LoginThrottle::Attempt>(throttle_.begin("alice", "10.0.0.1")));
  }
  running.back().succeeded();
  running.pop_back();
  // Nine still run: one more may start, not two.
  auto one_more = throttle_.begin("alice", "10.0.0.1");
  EXPECT_TRUE(std::holds_alternative<LoginThrottle::Attempt>(one_more));
  EXPECT_TRUE(std::holds_alternative<seconds>(throttle_.begin("alice", "10.0.0.1")));
}

TEST_F(LoginThrottleTest, PairsWithAttemptsInFlightAreNotEvicted) {
  LoginThrottle throttle(clock_, 1, minutes(5), 2);
  auto held = std::get<LoginThrottle::Attempt>(throttle.begin("held", "c"));
  for (int i = 0; i < 100; ++i) throttle.record_failure("user" + std::to_string(i), "c");
  EXPECT_EQ(throttle.tracked_keys(), 2u);
  // Still counted: its place is taken until it ends.
  EXPECT_TRUE(throttle.retry_after("held", "c").has_value());
  held.failed();
  EXPECT_EQ(throttle.retry_after("held", "c"), minutes(5));
}

TEST_F(LoginThrottleTest, OneAddressHasAtMostSixteenChecksInFlightWhateverTheUsernames) {
  std::vector<LoginThrottle::Attempt> running;
  for (int i = 0; i < 16; ++i) {
    auto admitted = throttle_.begin("unknown" + std::to_string(i), "10.0.0.1");
    ASSERT_TRUE(std::holds_alternative<LoginThrottle::Attempt>(admitted)) << "attempt " << i;
    running.push_back(std::move(std::get<LoginThrottle::Attempt>(admitted)));
  }
  const auto refused = throttle_.begin("unknown-16", "10.0.0.1");
  ASSERT_TRUE(std::holds_alternative<seconds>(refused));
  EXPECT_EQ(std::get<seconds>(refused), seconds(1));
  // Another address is served at once.
  EXPECT_TRUE(std::holds_alternative<LoginThrottle::Attempt>(throttle_.begin("admin", "10.0.0.2")));
  // A check that ends frees a place, whatever its outcome.
  running.front().failed();
  EXPECT_TRUE(
      std::holds_alternative<LoginThrottle::Attempt>(throttle_.begin("unknown-16", "10.0.0.1")));
  running.clear();
  EXPECT_EQ(throttle_.tracked_keys(), 1u);  // only the one failure is remembered
}

TEST(LoginThrottleConstructionTest, RefusesNonsenseLimits) {
  const FakeClock clock(kStart);
  EXPECT_THROW(LoginThrottle(clock, 0), std::invalid_argument);
  EXPECT_THROW(LoginThrottle(clock, 10, seconds(0)), std::invalid_argument);
  EXPECT_THROW(LoginThrottle(clock, 10, seconds(60), 0), std::invalid_argument);
  EXPECT_THROW(LoginThrottle(clock, 10, seconds(60), 10, 0), std::invalid_argument);
}

}  // namespace
}  // namespace cargomon::auth
