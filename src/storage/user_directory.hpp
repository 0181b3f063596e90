#pragma once
// A UserStore as the user service's directory (domain/user_service.hpp):
// storage depends on the domain, never the other way round.
//
// Thread safety: as the wrapped store.

#include <optional>
#include <string>
#include <vector>

#include "domain/user_service.hpp"
#include "storage/store.hpp"

namespace cargomon {

class StoredUserDirectory final : public UserDirectory {
 public:
  explicit StoredUserDirectory(UserStore& users) : users_(users) {}

  std::optional<User> find(const std::string& username) override {
    return users_.find_user(username);
  }
  std::vector<User> all() override { return users_.list_users(); }
  std::optional<UserError> add(const User& user) override {
    return refusal(users_.create_user(user));
  }
  std::optional<UserError> replace(const User& user) override {
    return refusal(users_.update_user(user));
  }

 private:
  static std::optional<UserError> refusal(UserChange change) {
    switch (change) {
      case UserChange::done:
        return std::nullopt;
      case UserChange::not_found:
        return UserError::not_found;
      case UserChange::already_exists:
        return UserError::already_exists;
      case UserChange::last_enabled_admin:
        return UserError::last_enabled_admin;
    }
    return UserError::not_found;
  }

  UserStore& users_;
};

}  // namespace cargomon
