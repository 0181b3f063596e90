#include "sim/retry_policy.hpp"

#include <gtest/gtest.h>

namespace cargomon::sim {
namespace {

using Kind = Decision::Kind;
using std::chrono::milliseconds;

Exchange answer(int status, std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  Exchange e;
  e.reply = Reply{status, "{}", retry_after};
  return e;
}

Exchange no_answer() { return Exchange{std::nullopt, "receive: end of stream"}; }

TEST(RetryPolicy, SuccessIsAcknowledgedAndClientErrorsAreFinal) {
  const RetryPolicy policy;
  EXPECT_EQ(decide(answer(200), 1, 0, policy).kind, Kind::acknowledged);
  for (int status : {400, 403, 404, 409, 413, 415, 422}) {
    EXPECT_EQ(decide(answer(status), 1, 0, policy).kind, Kind::rejected) << status;
  }
}

TEST(RetryPolicy, NoAnswerIsRetriedWithGrowingBackoffUntilAttemptsRunOut) {
  RetryPolicy policy;
  policy.max_attempts = 5;
  policy.first_backoff = milliseconds(100);
  policy.max_backoff = milliseconds(300);
  EXPECT_EQ(decide(no_answer(), 1, 0, policy).kind, Kind::retry);
  EXPECT_EQ(decide(no_answer(), 1, 0, policy).delay, milliseconds(100));
  EXPECT_EQ(decide(no_answer(), 2, 0, policy).delay, milliseconds(200));
  EXPECT_EQ(decide(no_answer(), 3, 0, policy).delay, milliseconds(300));  // capped
  EXPECT_EQ(decide(no_answer(), 4, 0, policy).delay, milliseconds(300));
  EXPECT_EQ(decide(no_answer(), 5, 0, policy).kind, Kind::give_up);
}

TEST(RetryPolicy, BusyServersAreRetriedHonoringRetryAfterUpToTheCap) {
  RetryPolicy policy;
  policy.max_retry_after = milliseconds(5'000);
  const auto d503 = decide(answer(503, std::chrono::seconds(2)), 1, 0, policy);
  EXPECT_EQ(d503.kind, Kind::retry);
  EXPECT_EQ(d503.delay, milliseconds(2'000));
  const auto d429 = decide(answer(429, std::chrono::seconds(300)), 1, 0, policy);
  EXPECT_EQ(d429.kind, Kind::retry);
  EXPECT_EQ(d429.delay, milliseconds(5'000));
  EXPECT_EQ(decide(answer(500), 1, 0, policy).delay, policy.first_backoff);
  EXPECT_EQ(decide(answer(503), policy.max_attempts, 0, policy).kind, Kind::give_up);
}

TEST(RetryPolicy, UnauthorizedLogsInAgainButNotForever) {
  RetryPolicy policy;
  policy.max_logins_per_order = 2;
  EXPECT_EQ(decide(answer(401), 1, 0, policy).kind, Kind::login_again);
  EXPECT_EQ(decide(answer(401), 2, 1, policy).kind, Kind::login_again);
  EXPECT_EQ(decide(answer(401), 3, 2, policy).kind, Kind::rejected);
}

}  // namespace
}  // namespace cargomon::sim
