#pragma once
// Brute-force brake for POST /token.
//
// At most `max_failures` failed logins per (username, client address) within a
// sliding `window`; after that the pair is blocked until its oldest counted
// failure leaves the window. Keying on the pair means an attacker hammering
// one account from one address does not lock the real user out from theirs.
//
// A password check takes tens of milliseconds and runs elsewhere, so an
// attempt is admitted (begin) before its outcome is known: attempts still in
// flight count against the limit as if they had failed. Otherwise a burst of
// concurrent guesses would all pass the check before the first failure was
// recorded, and far more than max_failures passwords would be tried.
//
// Each client address may also have at most `max_in_flight_per_client`
// attempts in flight, whatever the usernames: logins with ever new (say,
// unknown) usernames would otherwise fill the password-hashing queue, and a
// real login from elsewhere would wait behind them all.
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
#include <variant>
#include <vector>

#include "domain/clock.hpp"

namespace cargomon::auth {

class LoginThrottle {
 public:
  static constexpr std::size_t kDefaultMaxKeys = 100'000;
  static constexpr std::size_t kMaxKeyPartLength = 128;

  static constexpr std::size_t kDefaultMaxInFlightPerClient = 16;

  // max_failures >= 1, window > 0, max_keys >= 1, max_in_flight_per_client
  // >= 1, else std::invalid_argument. The clock must outlive the throttle.
  explicit LoginThrottle(const Clock& clock, int max_failures = 10,
                         std::chrono::seconds window = std::chrono::minutes(5),
                         std::size_t max_keys = kDefaultMaxKeys,
                         std::size_t max_in_flight_per_client = kDefaultMaxInFlightPerClient);

  class Attempt;

  // Admits one password check for the pair, or refuses it with the whole
  // seconds (>= 1) until the pair may try again, for a Retry-After header
  // (1 when only attempts in flight, of the pair or of the client, stand
  // in the way).
  // An admitted attempt counts against the limit until it ends: failed()
  // records a failure, succeeded() forgets the pair's failures, and an
  // attempt dropped without either (the check never ran) only stops counting.
  std::variant<Attempt, std::chrono::seconds> begin(std::string_view username,
                                                    std::string_view client);

  // nullopt: this pair may try a password now (counting the attempts in
  // flight). Otherwise the whole seconds (>= 1) until it may.
  std::optional<std::chrono::seconds> retry_after(std::string_view username,
                                                  std::string_view client) const;

  void record_failure(std::string_view username, std::string_view client);

  // Forgets the pair's failures: a user who finally got it right starts afresh.
  void record_success(std::string_view username, std::string_view client);

  // How many pairs are tracked now (never more than max_keys, unless more
  // pairs than that have an attempt in flight).
  std::size_t tracked_keys() const;

 private:
  struct Entry {
    std::string key;
    std::vector<Timestamp> failures;  // oldest first, at most max_failures_
    std::size_t in_flight = 0;        // admitted attempts not yet ended
  };
  using Lru = std::list<Entry>;  // least recently failed first
  enum class Outcome { dropped, failed, succeeded };

  static std::string make_key(std::string_view username, std::string_view client);
  // Under mutex_: the pair's entry, created (and another evicted) if needed.
  Lru::iterator find_or_insert(std::string key, Timestamp now);
  std::optional<std::chrono::seconds> retry_after_locked(const Entry& entry, Timestamp now) const;
  void record_failure_locked(Lru::iterator entry, Timestamp now);
  void erase_locked(Lru::iterator entry);
  void end_attempt(const std::string& key, const std::string& client, Outcome outcome);
  void evict_for_insert(Timestamp now);

  const Clock* clock_;
  std::size_t max_failures_;
  std::chrono::seconds window_;
  std::size_t max_keys_;
  std::size_t max_in_flight_per_client_;

  mutable std::mutex mutex_;
  Lru lru_;                                                    // guarded by mutex_
  std::unordered_map<std::string_view, Lru::iterator> index_;  // keys view lru_ entries
  // Attempts in flight per client address (cut as in keys); only non-zero
  // counts are kept, so it holds at most as many entries as attempts run.
  std::unordered_map<std::string, std::size_t> in_flight_by_client_;  // guarded by mutex_
};

// One admitted password check (LoginThrottle::begin). Move-only; ends at
// most once: by failed(), succeeded(), or being destroyed.
class LoginThrottle::Attempt {
 public:
  Attempt(Attempt&& other) noexcept;
  Attempt& operator=(Attempt&& other) noexcept;
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;
  ~Attempt();

  void failed();
  void succeeded();

 private:
  friend class LoginThrottle;
  Attempt(LoginThrottle& throttle, std::string key, std::string client);
  void end(Outcome outcome);

  LoginThrottle* throttle_;
  std::string key_;
  std::string client_;
};

}  // namespace cargomon::auth
