#pragma once
// Request rate limits: a token bucket per key (a user, a client address).
//
// A bucket holds at most `burst` requests and refills at `per_second`; a
// request takes one, and with none left it is refused with the whole
// seconds until one is back (for Retry-After). A client that stays under
// the rate never notices; one that sends a burst (a courier's device
// sending what it queued while offline) may send `burst` at once.
//
// Per process: with several instances behind a load balancer, each keeps
// its own buckets, so a client spread over N instances may send N times as
// much (docs/monitoring.md).
//
// Memory is bounded: at most `max_keys` buckets, in shards; a new key at a
// shard's cap evicts the shard's least recently used bucket (which then
// starts over, full: a client forgotten that way regains its burst, no
// more). Keys are cut to kMaxKeyLength bytes.
//
// Thread safety: take() may be called concurrently from any thread; each
// shard has its own mutex, held for O(1) work. The clock must be safe to
// read concurrently.

#include <array>
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/monotonic_clock.hpp"

namespace cargomon::api {

struct RateLimit {
  double per_second = 0;  // refill rate; 0: no limit
  double burst = 0;       // the bucket's size, >= 1 when per_second > 0
};

class RateLimiter {
 public:
  static constexpr std::size_t kDefaultMaxKeys = 100'000;
  static constexpr std::size_t kMaxKeyLength = 128;

  // limit.per_second > 0 and limit.burst >= 1, or per_second == 0 (every
  // request allowed), else std::invalid_argument. The clock must outlive it.
  RateLimiter(const MonotonicClock& clock, RateLimit limit, std::size_t max_keys = kDefaultMaxKeys);

  struct Verdict {
    bool allowed = true;
    // Whole requests left in the bucket after this one.
    std::size_t remaining = 0;
    // Refused: whole seconds (>= 1) until one request is back.
    std::chrono::seconds retry_after{0};
    // Whole seconds until the bucket is full again.
    std::chrono::seconds full_in{0};
  };

  // Takes one request from `key`'s bucket, if it has one.
  Verdict take(std::string_view key);

  bool enabled() const { return limit_.per_second > 0; }
  const RateLimit& limit() const { return limit_; }
  // Buckets held now (at most max_keys, give or take a shard's rounding).
  std::size_t tracked_keys() const;

 private:
  static constexpr std::size_t kShards = 16;
  struct Bucket {
    std::string key;
    double tokens = 0;
    MonotonicClock::time_point refilled;
  };
  using Lru = std::list<Bucket>;  // most recently used first
  struct Shard {
    mutable std::mutex mutex;
    Lru lru;                                                    // guarded by mutex
    std::unordered_map<std::string_view, Lru::iterator> index;  // keys view lru's
  };

  const MonotonicClock& clock_;
  const RateLimit limit_;
  const std::size_t max_keys_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace cargomon::api

namespace cargomon::api {

struct Response;

// The 429 for a request `limiter` refused (`verdict`), for the policy named
// `policy` ("user", "address"): Retry-After, and the IETF draft's
// RateLimit-Policy and RateLimit headers (draft-ietf-httpapi-ratelimit-headers):
//   RateLimit-Policy: "user";q=<burst>;w=<seconds to refill the burst>
//   RateLimit: "user";r=<requests left>;t=<seconds until the bucket is full>
Response rate_limited_response(std::string_view policy, std::string_view whose,
                               const RateLimiter& limiter, const RateLimiter::Verdict& verdict);

}  // namespace cargomon::api
