#include "cli/app_parts.hpp"

#include <iostream>
#include <optional>
#include <stdexcept>

#include "auth/password.hpp"
#include "auth/secret.hpp"
#include "storage/open_store.hpp"

namespace cargomon::cli {

void ensure_admin(UserStore& users, const std::string& given,
                  const std::filesystem::path& password_file) {
  if (users.count_users() > 0) return;
  const bool generated = given.empty();
  const std::string password = generated ? auth::generate_password() : given;
  const bool to_file = generated && !password_file.empty();
  if (to_file && !auth::create_private_file(password_file, password + "\n")) {
    throw std::runtime_error(
        "--generated-admin-password-file " + password_file.string() +
        " already exists, yet the store has no user: it is left from an earlier store; delete it");
  }
  const UserChange created = [&] {
    try {
      return users.create_user(User{"admin", auth::hash_password(password), Role::admin, false});
    } catch (...) {
      if (to_file) std::filesystem::remove(password_file);  // the password is no one's
      throw;
    }
  }();
  if (created != UserChange::done) {
    // Another instance sharing the store created it first.
    if (to_file) std::filesystem::remove(password_file);
    return;
  }
  if (to_file) {
    std::cout << "Created user 'admin' with a generated password, written to "
              << password_file.string() << " (mode 0600): read it with `sudo cat "
              << password_file.string()
              << "`, then change it (`cargomon user passwd admin`) and delete the file"
              << std::endl;
  } else if (generated) {
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
