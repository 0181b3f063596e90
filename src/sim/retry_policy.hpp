#pragma once
// What a device does after each attempt to register an order: done, rejected
// for good, log in again, or try again later with the same pedido_id (the
// server's idempotency makes that safe even when the first attempt was
// stored and only its answer was lost).

#include <chrono>
#include <cstddef>

#include "sim/transport.hpp"

namespace cargomon::sim {

struct RetryPolicy {
  std::size_t max_attempts = 10;                 // per order, the first one included
  std::chrono::milliseconds first_backoff{100};  // doubles with every attempt
  std::chrono::milliseconds max_backoff{5'000};
  std::chrono::milliseconds max_retry_after{30'000};  // a server's Retry-After is capped here
  std::size_t max_logins_per_order = 2;               // a 401 even right after logging in is final
};

struct Decision {
  enum class Kind {
    acknowledged,  // 200: stored
    rejected,      // an answer that another attempt would not change (4xx)
    login_again,   // 401: the token expired or was revoked
    retry,         // no answer, 429 or 5xx: same request again after `delay`
    give_up,       // out of attempts
  };
  Kind kind = Kind::give_up;
  std::chrono::milliseconds delay{0};
};

// `attempt` counts from 1; `logins` is how many times this order already
// logged in again.
Decision decide(const Exchange& exchange, std::size_t attempt, std::size_t logins,
                const RetryPolicy& policy);

// Exponential backoff for `attempt` (1: first_backoff), capped.
std::chrono::milliseconds backoff(std::size_t attempt, const RetryPolicy& policy);

}  // namespace cargomon::sim
