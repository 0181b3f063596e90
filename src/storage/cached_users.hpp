#pragma once
// A UserStore that remembers each user it read for a moment.
//
// Every authenticated request looks up its user (role, disabled), and with
// one device token per order that lookup cost as much as a tenth of an
// order's CPU. Users change seldom, so answers are kept for `fresh_for`:
// a change made through this object applies at once; one made elsewhere
// (the CLI, another instance on the same PostgreSQL) within `fresh_for`.
//
// With a refresher (refresh_with), find_user_in_memory also answers from an
// entry that is no more than `fresh_for + stale_for` old, while one read of
// that user runs in the background: the ingest path then never waits for a
// store thread just because its courier's entry turned a second old, even
// when those threads are busy. A change made elsewhere then applies within
// `fresh_for` while the store answers promptly, and within
// `fresh_for + stale_for` whatever it does.
//
// Thread-safe if the wrapped store is.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/clock.hpp"
#include "storage/store.hpp"

namespace cargomon {

class CachedUserStore final : public UserStore {
 public:
  static constexpr std::chrono::seconds kDefaultFreshFor{1};
  static constexpr std::chrono::seconds kDefaultStaleFor{4};
  // Runs `work` later on a thread that may read the store; false when it
  // cannot take it now (a full queue).
  using Refresher = std::function<bool(std::function<void()> work)>;

  CachedUserStore(UserStore& users, const Clock& clock,
                  std::chrono::microseconds fresh_for = kDefaultFreshFor,
                  std::chrono::microseconds stale_for = kDefaultStaleFor);

  // Enables answering from stale entries while they are read again. Set
  // before use; `refresher` must not run work after this object is gone.
  void refresh_with(Refresher refresher);

  std::optional<User> find_user(const std::string& username) override;
  std::optional<std::optional<User>> find_user_in_memory(const std::string& username) override;
  std::vector<User> list_users() override;
  UserChange create_user(const User& user) override;
  UserChange update_user(const User& user) override;
  std::size_t count_users() override;

 private:
  struct Entry {
    std::optional<User> user;  // nullopt: no such user
    Timestamp read_at;
    bool refreshing = false;  // a background read of it is queued or running
  };
  void forget(const std::string& username);
  // Reads `username` from the store and remembers the answer, unless a change
  // was made here meanwhile.
  std::optional<User> read_through(const std::string& username, Timestamp now);
  void refresh(const std::string& username);
  // The remembered answer while it is fresh; under mutex_.
  std::optional<std::optional<User>> fresh_locked(const std::string& username, Timestamp now) const;

  UserStore& users_;
  const Clock& clock_;
  std::chrono::microseconds fresh_for_;
  std::chrono::microseconds stale_for_;
  Refresher refresher_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  // Bumped by every change made here: a read that began before a change must
  // not store what it read.
  std::uint64_t changes_ = 0;
};

}  // namespace cargomon
