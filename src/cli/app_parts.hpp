#pragma once
// What the two runtimes' composition roots (serve.cpp, lambda.cpp) build
// alike from the same settings, so that `serve` and `lambda` open the same
// store, sign with the same secret and create the same first user.

#include <filesystem>
#include <memory>
#include <string>

#include "cli/settings.hpp"
#include "domain/business_calendar.hpp"
#include "storage/commit_observer.hpp"
#include "storage/store.hpp"

namespace cargomon::cli {

// With no user at all, the first start creates `admin`, with the password
// given (--admin-password / CARGOMON_ADMIN_PASSWORD) or one generated and
// shown once: printed, or, with `password_file`, written there (mode 0600,
// before the user exists, so a password that cannot be kept is never set)
// and the file named. Throws std::runtime_error if that file already exists.
void ensure_admin(UserStore& users, const std::string& given,
                  const std::filesystem::path& password_file = {});

// Opens the store. A store with live orders is shared by several instances
// (PostgreSQL): they must accept each other's tokens, so the secret must be
// given, not made per instance. `observer` (null: none) is told of the group
// commit's batches and must outlive the store.
std::unique_ptr<Store> open_checked(const ServeSettings& settings, const BusinessCalendar& calendar,
                                    CommitObserver* observer = nullptr);

// The token signing secret: given (CARGOMON_JWT_SECRET, --jwt-secret-file)
// or kept in the data directory (made there on the first start).
std::string signing_secret(const ServeSettings& settings);

}  // namespace cargomon::cli
