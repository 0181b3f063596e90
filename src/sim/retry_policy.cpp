#include "sim/retry_policy.hpp"

#include <algorithm>

namespace cargomon::sim {

std::chrono::milliseconds backoff(std::size_t attempt, const RetryPolicy& policy) {
  auto delay = policy.first_backoff;
  for (std::size_t i = 1; i < attempt && delay < policy.max_backoff; ++i) delay *= 2;
  return std::min(delay, policy.max_backoff);
}

Decision decide(const Exchange& exchange, std::size_t attempt, std::size_t logins,
                const RetryPolicy& policy) {
  using Kind = Decision::Kind;
  const bool attempts_left = attempt < policy.max_attempts;
  if (!exchange.reply) {
    if (!attempts_left) return {Kind::give_up};
    return {Kind::retry, backoff(attempt, policy)};
  }
  const int status = exchange.reply->status;
  if (status >= 200 && status < 300) return {Kind::acknowledged};
  if (status == 401) {
    if (logins >= policy.max_logins_per_order || !attempts_left) return {Kind::rejected};
    return {Kind::login_again};
  }
  if (status == 429 || status == 503 || status >= 500) {
    if (!attempts_left) return {Kind::give_up};
    auto delay = backoff(attempt, policy);
    if (exchange.reply->retry_after) {
      delay =
          std::min<std::chrono::milliseconds>(*exchange.reply->retry_after, policy.max_retry_after);
    }
    return {Kind::retry, delay};
  }
  return {Kind::rejected};  // 400, 403, 404, 409, 413, 415, 422…: the same again would fail again
}

}  // namespace cargomon::sim
