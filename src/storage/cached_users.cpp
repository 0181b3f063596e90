#include "storage/cached_users.hpp"

namespace cargomon {
namespace {
// Users are few (one per device and person); this only bounds a flood of
// lookups of names that do not exist.
constexpr std::size_t kMaxEntries = 10000;
}  // namespace

CachedUserStore::CachedUserStore(UserStore& users, const Clock& clock,
                                 std::chrono::microseconds fresh_for,
                                 std::chrono::microseconds stale_for)
    : users_(users), clock_(clock), fresh_for_(fresh_for), stale_for_(stale_for) {}

void CachedUserStore::refresh_with(Refresher refresher) { refresher_ = std::move(refresher); }

std::optional<std::optional<User>> CachedUserStore::fresh_locked(const std::string& username,
                                                                 Timestamp now) const {
  if (const auto it = entries_.find(username); it != entries_.end()) {
    // A clock stepped back makes the entry stale too.
    if (it->second.read_at <= now && now - it->second.read_at < fresh_for_) {
      return it->second.user;
    }
  }
  return std::nullopt;
}

std::optional<std::optional<User>> CachedUserStore::find_user_in_memory(
    const std::string& username) {
  const Timestamp now = clock_.now();
  std::optional<User> stale;
  {
    const std::lock_guard lock(mutex_);
    if (auto known = fresh_locked(username, now)) return known;
    const auto it = entries_.find(username);
    if (!refresher_ || it == entries_.end() || it->second.read_at > now ||
        now - it->second.read_at >= fresh_for_ + stale_for_) {
      return std::nullopt;
    }
    if (it->second.refreshing) return it->second.user;
    it->second.refreshing = true;
    stale = it->second.user;
  }
  if (!refresher_([this, username] { refresh(username); })) {
    // Not taken: the next lookup asks again.
    const std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(username); it != entries_.end()) {
      it->second.refreshing = false;
    }
  }
  return stale;
}

void CachedUserStore::refresh(const std::string& username) {
  try {
    (void)read_through(username, clock_.now());
  } catch (const std::exception&) {
    // The store could not answer: the entry turns too old to use, and the
    // request that then needs it reads (and reports) the store itself.
  }
  const std::lock_guard lock(mutex_);
  if (const auto it = entries_.find(username); it != entries_.end()) {
    it->second.refreshing = false;
  }
}

std::optional<User> CachedUserStore::find_user(const std::string& username) {
  const Timestamp now = clock_.now();
  {
    const std::lock_guard lock(mutex_);
    if (auto known = fresh_locked(username, now)) return *known;
  }
  return read_through(username, now);
}

std::optional<User> CachedUserStore::read_through(const std::string& username, Timestamp now) {
  std::uint64_t changes = 0;
  {
    const std::lock_guard lock(mutex_);
    changes = changes_;
  }
  auto user = users_.find_user(username);
  const std::lock_guard lock(mutex_);
  if (changes == changes_) {
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.insert_or_assign(username, Entry{user, now});
  }
  return user;
}

std::vector<User> CachedUserStore::list_users() { return users_.list_users(); }

UserChange CachedUserStore::create_user(const User& user) {
  const auto change = users_.create_user(user);
  forget(user.username);
  return change;
}

UserChange CachedUserStore::update_user(const User& user) {
  const auto change = users_.update_user(user);
  forget(user.username);
  return change;
}

std::size_t CachedUserStore::count_users() { return users_.count_users(); }

void CachedUserStore::forget(const std::string& username) {
  const std::lock_guard lock(mutex_);
  entries_.erase(username);
  ++changes_;
}

}  // namespace cargomon
