#include "auth/login_throttle.hpp"

#include <algorithm>
#include <stdexcept>

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
                             std::size_t max_keys)
    : clock_(&clock),
      max_failures_(max_failures > 0 ? static_cast<std::size_t>(max_failures) : 0),
      window_(window),
      max_keys_(max_keys) {
  if (max_failures < 1) throw std::invalid_argument("max_failures must be at least 1");
  if (window <= seconds::zero()) throw std::invalid_argument("window must be positive");
  if (max_keys < 1) throw std::invalid_argument("max_keys must be at least 1");
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

std::optional<seconds> LoginThrottle::retry_after(std::string_view username,
                                                  std::string_view client) const {
  const std::string key = make_key(username, client);
  const std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  const std::vector<Timestamp>& failures = found->second->failures;
  const Timestamp now = clock_->now();
  const Timestamp horizon = now - window_;
  const auto live = static_cast<std::size_t>(std::count_if(
      failures.begin(), failures.end(), [horizon](Timestamp t) { return t > horizon; }));
  if (live < max_failures_) return std::nullopt;
  // Only the last max_failures_ are kept, so the oldest kept one is the one
  // whose leaving the window unblocks the pair. Round up: never invite a
  // client back a fraction of a second too early.
  const auto remaining = failures.front() + window_ - now;
  return std::max(seconds{1}, std::chrono::ceil<seconds>(remaining));
}

void LoginThrottle::record_failure(std::string_view username, std::string_view client) {
  std::string key = make_key(username, client);
  const std::lock_guard lock(mutex_);
  const Timestamp now = clock_->now();
  auto found = index_.find(key);
  if (found == index_.end()) {
    evict_for_insert(now);
    lru_.push_back(Entry{std::move(key), {}});
    const auto entry = std::prev(lru_.end());
    found = index_.emplace(std::string_view(entry->key), entry).first;
  } else {
    // Keep lru_ ordered by last failure: move this pair to the back.
    lru_.splice(lru_.end(), lru_, found->second);
  }
  std::vector<Timestamp>& failures = found->second->failures;
  prune(failures, now, window_);
  if (failures.size() >= max_failures_) failures.erase(failures.begin());
  failures.push_back(now);
}

void LoginThrottle::record_success(std::string_view username, std::string_view client) {
  const std::string key = make_key(username, client);
  const std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return;
  const Lru::iterator entry = found->second;
  index_.erase(found);  // before the entry its key views is destroyed
  lru_.erase(entry);
}

std::size_t LoginThrottle::tracked_keys() const {
  const std::lock_guard lock(mutex_);
  return lru_.size();
}

void LoginThrottle::evict_for_insert(Timestamp now) {
  if (lru_.size() < max_keys_) return;
  // lru_ is ordered by last failure, so pairs whose failures have all left the
  // window sit at the front; if none has, the front is the stalest pair.
  // (If the wall clock steps back the order is only approximate; the cap
  // still holds.)
  const Timestamp horizon = now - window_;
  auto drop_front = [this] {
    index_.erase(std::string_view(lru_.front().key));
    lru_.pop_front();
  };
  while (!lru_.empty() && lru_.front().failures.back() <= horizon) drop_front();
  if (lru_.size() >= max_keys_) drop_front();
}

}  // namespace cargomon::auth
