#include "api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "api/errors.hpp"

namespace cargomon::api {
namespace {

std::chrono::seconds whole_seconds_up(double seconds) {
  return std::chrono::seconds(static_cast<std::int64_t>(std::ceil(seconds - 1e-9)));
}

}  // namespace

RateLimiter::RateLimiter(const MonotonicClock& clock, RateLimit limit, std::size_t max_keys)
    : clock_(clock),
      limit_(limit),
      max_keys_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {
  const bool off = limit.per_second == 0;
  if (!off && !(limit.per_second > 0 && limit.burst >= 1)) {
    throw std::invalid_argument("a rate limit needs a positive rate and a burst of at least 1");
  }
  if (max_keys == 0) throw std::invalid_argument("a rate limiter needs room for one key");
}

RateLimiter::Verdict RateLimiter::take(std::string_view key) {
  if (!enabled()) return {};
  key = key.substr(0, kMaxKeyLength);
  auto& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  const auto now = clock_.now();
  const std::lock_guard lock(shard.mutex);
  auto found = shard.index.find(key);
  if (found == shard.index.end()) {
    if (shard.lru.size() >= max_keys_per_shard_) {
      shard.index.erase(shard.lru.back().key);
      shard.lru.pop_back();
    }
    shard.lru.push_front(Bucket{std::string(key), limit_.burst, now});
    found = shard.index.emplace(shard.lru.front().key, shard.lru.begin()).first;
  } else {
    shard.lru.splice(shard.lru.begin(), shard.lru, found->second);
  }
  Bucket& bucket = *found->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens =
      std::min(limit_.burst, bucket.tokens + std::max(0.0, elapsed) * limit_.per_second);
  bucket.refilled = now;
  Verdict verdict;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
  } else {
    verdict.allowed = false;
    verdict.retry_after = std::max(std::chrono::seconds(1),
                                   whole_seconds_up((1 - bucket.tokens) / limit_.per_second));
  }
  verdict.remaining = static_cast<std::size_t>(std::floor(bucket.tokens));
  verdict.full_in = whole_seconds_up((limit_.burst - bucket.tokens) / limit_.per_second);
  return verdict;
}

std::size_t RateLimiter::tracked_keys() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    const std::lock_guard lock(shard.mutex);
    total += shard.lru.size();
  }
  return total;
}

Response rate_limited_response(std::string_view policy, std::string_view whose,
                               const RateLimiter& limiter, const RateLimiter::Verdict& verdict) {
  const auto& limit = limiter.limit();
  const auto quota = static_cast<std::int64_t>(std::floor(limit.burst));
  const auto window = whole_seconds_up(limit.burst / limit.per_second).count();
  const auto retry = std::to_string(verdict.retry_after.count());
  // "100", "0.5": what was configured, without trailing zeros.
  std::string rate = std::to_string(limit.per_second);
  rate.erase(rate.find_last_not_of('0') + 1);
  if (rate.back() == '.') rate.pop_back();
  auto response = error_response(ApiError::too_many_requests,
                                 "Too many requests " + std::string(whose) + ": at most " + rate +
                                     " a second, in bursts of " + std::to_string(quota) +
                                     "; retry in " + retry + " seconds");
  const std::string name = "\"" + std::string(policy) + "\"";
  response.warning = "rate limited: " + std::string(policy);
  response.header("Retry-After", retry);
  response.header("RateLimit-Policy",
                  name + ";q=" + std::to_string(quota) + ";w=" + std::to_string(window));
  response.header("RateLimit", name + ";r=" + std::to_string(verdict.remaining) +
                                   ";t=" + std::to_string(verdict.full_in.count()));
  return response;
}

}  // namespace cargomon::api
