#include "cli/app_parts.hpp"

#include <iostream>
#include <optional>
#include <stdexcept>

#include "auth/password.hpp"
#include "auth/secret.hpp"
#include "storage/open_store.hpp"

namespace cargomon::cli {

void ensure_admin(UserStore& users, const std::string& given) {
  if (users.count_users() > 0) return;
  const bool generated = given.empty();
  const std::string password = generated ? auth::generate_password() : given;
  if (users.create_user(User{"admin", auth::hash_password(password), Role::admin, false}) !=
      UserChange::done) {
    return;  // another instance sharing the store created it first
  }
  if (generated) {
    std::cout << "Created user 'admin' with password: " << password
              << "\n(shown only this once; change it with `cargomon user passwd admin`)"
              << std::endl;
  } else {
    std::cout << "Created user 'admin' with the password from CARGOMON_ADMIN_PASSWORD" << std::endl;
  }
}

std::unique_ptr<Store> open_checked(const ServeSettings& settings, const BusinessCalendar& calendar,
                                    CommitObserver* observer) {
  auto store = open_store(settings.store, settings.data_dir, calendar, IfMissing::create, observer);
  if (store->live_orders() != nullptr && settings.jwt_secret.empty() &&
      settings.jwt_secret_file.empty()) {
    throw std::runtime_error(
        "with a shared store (PostgreSQL, DynamoDB) every instance must sign tokens with the "
        "same secret: set "
        "CARGOMON_JWT_SECRET or --jwt-secret-file");
  }
  return store;
}

std::string signing_secret(const ServeSettings& settings) {
  return auth::load_or_create_secret(
      settings.data_dir,
      settings.jwt_secret.empty() ? std::nullopt : std::optional<std::string>(settings.jwt_secret),
      settings.jwt_secret_file.empty() ? std::nullopt : std::optional(settings.jwt_secret_file));
}

}  // namespace cargomon::cli
