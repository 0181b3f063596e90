#include "auth/login_throttle.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace cargomon::auth {
namespace {

using std::chrono::seconds;

// Drops failures that have left the window (at or before now - window).
void prune(std::vector<Timestamp>& failures, Timestamp now, seconds window) {
  const Timestamp horizon = now - window;
  const auto first_live = std::find_if(failures.begin(), failures.end(),
                                       [horizon](Timestamp t) { return t > horizon; });
  failures.erase(failures.begin(), first_live);
}

}  // namespace

LoginThrottle::LoginThrottle(const Clock& clock, int max_failures, seconds window,
                             std::size_t max_keys, std::size_t max_in_flight_per_client)
    : clock_(&clock),
      max_failures_(max_failures > 0 ? static_cast<std::size_t>(max_failures) : 0),
      window_(window),
      max_keys_(max_keys),
      max_in_flight_per_client_(max_in_flight_per_client) {
  if (max_failures < 1) throw std::invalid_argument("max_failures must be at least 1");
  if (window <= seconds::zero()) throw std::invalid_argument("window must be positive");
  if (max_keys < 1) throw std::invalid_argument("max_keys must be at least 1");
  if (max_in_flight_per_client < 1) {
    throw std::invalid_argument("max_in_flight_per_client must be at least 1");
  }
}

std::string LoginThrottle::make_key(std::string_view username, std::string_view client) {
  username = username.substr(0, kMaxKeyPartLength);
  client = client.substr(0, kMaxKeyPartLength);
  // Length-prefixed so that no (username, client) pair can spell another's key.
  std::string key = std::to_string(username.size());
  key.push_back(':');
  key.append(username);
  key.append(client);
  return key;
}

std::optional<seconds> LoginThrottle::retry_after_locked(const Entry& entry, Timestamp now) const {
  const Timestamp horizon = now - window_;
  const auto live =
      static_cast<std::size_t>(std::count_if(entry.failures.begin(), entry.failures.end(),
                                             [horizon](Timestamp t) { return t > horizon; }));
  if (live + entry.in_flight < max_failures_) return std::nullopt;
  // Blocked only by checks still running: they end within a second or so,
  // and then either free their places or become failures.
  if (live < max_failures_) return seconds{1};
  // Only the last max_failures_ are kept, so the oldest kept one is the one
  // whose leaving the window unblocks the pair. Round up: never invite a
  // client back a fraction of a second too early.
  const auto remaining = entry.failures.front() + window_ - now;
  return std::max(seconds{1}, std::chrono::ceil<seconds>(remaining));
}

std::optional<seconds> LoginThrottle::retry_after(std::string_view username,
                                                  std::string_view client) const {
  const std::string key = make_key(username, client);
  const std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  return retry_after_locked(*found->second, clock_->now());
}

std::variant<LoginThrottle::Attempt, seconds> LoginThrottle::begin(std::string_view username,
                                                                   std::string_view client) {
  std::string key = make_key(username, client);
  std::string client_key(client.substr(0, kMaxKeyPartLength));
  const std::lock_guard lock(mutex_);
  const Timestamp now = clock_->now();
  const auto found = index_.find(key);
  if (found != index_.end()) {
    if (const auto wait = retry_after_locked(*found->second, now)) return *wait;
  }
  const auto client_in_flight = in_flight_by_client_.find(client_key);
  if (client_in_flight != in_flight_by_client_.end() &&
      client_in_flight->second >= max_in_flight_per_client_) {
    return seconds{1};  // its checks end within a second or so
  }
  const Lru::iterator entry = found != index_.end() ? found->second : find_or_insert(key, now);
  ++entry->in_flight;
  ++in_flight_by_client_[client_key];
  return Attempt(*this, std::move(key), std::move(client_key));
}

LoginThrottle::Lru::iterator LoginThrottle::find_or_insert(std::string key, Timestamp now) {
  const auto found = index_.find(key);
  if (found != index_.end()) return found->second;
  evict_for_insert(now);
  lru_.push_back(Entry{std::move(key), {}});
  const auto entry = std::prev(lru_.end());
  index_.emplace(std::string_view(entry->key), entry);
  return entry;
}

void LoginThrottle::record_failure_locked(Lru::iterator entry, Timestamp now) {
  // Keep lru_ ordered by last failure: move this pair to the back.
  lru_.splice(lru_.end(), lru_, entry);
  std::vector<Timestamp>& failures = entry->failures;
  prune(failures, now, window_);
  if (failures.size() >= max_failures_) failures.erase(failures.begin());
  failures.push_back(now);
}

void LoginThrottle::erase_locked(Lru::iterator entry) {
  index_.erase(std::string_view(entry->key));  // before the entry its key views is destroyed
  lru_.erase(entry);
}

void LoginThrottle::record_failure(std::string_view username, std::string_view client) {
  std::string key = make_key(username, client);
  const std::lock_guard lock(mutex_);
  const Timestamp now = clock_->now();
  record_failure_locked(find_or_insert(std::move(key), now), now);
}

void LoginThrottle::record_success(std::string_view username, std::string_view client) {
  const std::string key = make_key(username, client);
  const std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return;
  if (found->second->in_flight > 0) {
    // Other checks of the pair still run and must go on counting.
    found->second->failures.clear();
    return;
  }
  erase_locked(found->second);
}

void LoginThrottle::end_attempt(const std::string& key, const std::string& client,
                                Outcome outcome) {
  const std::lock_guard lock(mutex_);
  if (const auto counted = in_flight_by_client_.find(client);
      counted != in_flight_by_client_.end() && --counted->second == 0) {
    in_flight_by_client_.erase(counted);
  }
  const auto found = index_.find(key);
  // Entries with attempts in flight are never evicted, so it is there.
  if (found == index_.end()) return;
  const Lru::iterator entry = found->second;
  if (entry->in_flight > 0) --entry->in_flight;
  switch (outcome) {
    case Outcome::failed:
      record_failure_locked(entry, clock_->now());
      break;
    case Outcome::succeeded:
      entry->failures.clear();
      break;
    case Outcome::dropped:
      break;
  }
  if (entry->in_flight == 0 && entry->failures.empty()) erase_locked(entry);
}

std::size_t LoginThrottle::tracked_keys() const {
  const std::lock_guard lock(mutex_);
  return lru_.size();
}

void LoginThrottle::evict_for_insert(Timestamp now) {
  if (lru_.size() < max_keys_) return;
  // lru_ is ordered by last failure, so pairs whose failures have all left the
  // window sit at the front; if none has, the front is the stalest pair.
  // Pairs with a check in flight stay (their count must survive to its end):
  // there are at most as many as checks can be queued, so the table still
  // stays bounded. (If the wall clock steps back the order is only
  // approximate; the cap still holds.)
  const Timestamp horizon = now - window_;
  for (auto it = lru_.begin(); it != lru_.end();) {
    const auto next = std::next(it);
    if (it->in_flight == 0) {
      if (!it->failures.empty() && it->failures.back() > horizon) break;
      erase_locked(it);
    }
    it = next;
  }
  if (lru_.size() < max_keys_) return;
  const auto stalest = std::find_if(lru_.begin(), lru_.end(),
                                    [](const Entry& entry) { return entry.in_flight == 0; });
  if (stalest != lru_.end()) erase_locked(stalest);
}

LoginThrottle::Attempt::Attempt(LoginThrottle& throttle, std::string key, std::string client)
    : throttle_(&throttle), key_(std::move(key)), client_(std::move(client)) {}

LoginThrottle::Attempt::Attempt(Attempt&& other) noexcept
    : throttle_(std::exchange(other.throttle_, nullptr)),
      key_(std::move(other.key_)),
      client_(std::move(other.client_)) {}

LoginThrottle::Attempt& LoginThrottle::Attempt::operator=(Attempt&& other) noexcept {
  if (this != &other) {
    end(Outcome::dropped);
    throttle_ = std::exchange(other.throttle_, nullptr);
    key_ = std::move(other.key_);
    client_ = std::move(other.client_);
  }
  return *this;
}

LoginThrottle::Attempt::~Attempt() { end(Outcome::dropped); }

void LoginThrottle::Attempt::failed() { end(Outcome::failed); }

void LoginThrottle::Attempt::succeeded() { end(Outcome::succeeded); }

void LoginThrottle::Attempt::end(Outcome outcome) {
  if (throttle_ == nullptr) return;
  try {
    std::exchange(throttle_, nullptr)->end_attempt(key_, client_, outcome);
  } catch (...) {
    // A lock that cannot be taken leaves a count that only blocks this pair;
    // ending runs in destructors and must not throw.
  }
}

}  // namespace cargomon::auth
