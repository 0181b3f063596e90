#pragma once
// Brute-force brake for POST /token.
//
// At most `max_failures` failed logins per (username, client address) within a
// sliding `window`; after that the pair is blocked until its oldest counted
// failure leaves the window. Keying on the pair means an attacker hammering
// one account from one address does not lock the real user out from theirs.
//
// Memory is bounded: at most `max_keys` pairs are tracked. When a new pair
// arrives at the cap, pairs whose failures have all left the window go first,
// then the pair whose last failure is oldest. Usernames and client addresses
// are cut to kMaxKeyPartLength bytes for the key, bounding each entry too.
//
// Thread safety: all methods are safe to call concurrently; one mutex guards
// the whole table, held only for O(max_failures) work (amortised) per call.
// The Clock must be safe to read concurrently; it is read under the lock.

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/clock.hpp"

namespace cargomon::auth {

class LoginThrottle {
 public:
  static constexpr std::size_t kDefaultMaxKeys = 100'000;
  static constexpr std::size_t kMaxKeyPartLength = 128;

  // max_failures >= 1, window > 0, max_keys >= 1, else std::invalid_argument.
  // The clock must outlive the throttle.
  explicit LoginThrottle(const Clock& clock, int max_failures = 10,
                         std::chrono::seconds window = std::chrono::minutes(5),
                         std::size_t max_keys = kDefaultMaxKeys);

  // nullopt: this pair may try a password now. Otherwise the whole seconds
  // (>= 1) until it may, for a Retry-After header.
  std::optional<std::chrono::seconds> retry_after(std::string_view username,
                                                  std::string_view client) const;

  void record_failure(std::string_view username, std::string_view client);

  // Forgets the pair's failures: a user who finally got it right starts afresh.
  void record_success(std::string_view username, std::string_view client);

  // How many pairs are tracked now (never more than max_keys).
  std::size_t tracked_keys() const;

 private:
  struct Entry {
    std::string key;
    std::vector<Timestamp> failures;  // oldest first, at most max_failures_
  };
  using Lru = std::list<Entry>;  // least recently failed first

  static std::string make_key(std::string_view username, std::string_view client);
  void evict_for_insert(Timestamp now);

  const Clock* clock_;
  std::size_t max_failures_;
  std::chrono::seconds window_;
  std::size_t max_keys_;

  mutable std::mutex mutex_;
  Lru lru_;                                                    // guarded by mutex_
  std::unordered_map<std::string_view, Lru::iterator> index_;  // keys view lru_ entries
};

}  // namespace cargomon::auth
