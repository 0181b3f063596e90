#pragma once
// A UserStore that remembers each user it read for a moment.
//
// Every authenticated request looks up its user (role, disabled), and with
// one device token per order that lookup cost as much as a tenth of an
// order's CPU. Users change seldom, so answers are kept for `fresh_for`:
// a change made through this object applies at once; one made elsewhere
// (the CLI, another instance on the same PostgreSQL) within `fresh_for`.
//
// Thread-safe if the wrapped store is.

#include <chrono>
#include <cstdint>
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

  CachedUserStore(UserStore& users, const Clock& clock,
                  std::chrono::microseconds fresh_for = kDefaultFreshFor);

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
  };
  void forget(const std::string& username);
  // The remembered answer while it is fresh; under mutex_.
  std::optional<std::optional<User>> fresh_locked(const std::string& username, Timestamp now) const;

  UserStore& users_;
  const Clock& clock_;
  std::chrono::microseconds fresh_for_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  // Bumped by every change made here: a read that began before a change must
  // not store what it read.
  std::uint64_t changes_ = 0;
};

}  // namespace cargomon
