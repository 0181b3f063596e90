#include "domain/user_service.hpp"

#include <utility>

namespace cargomon {
namespace {

UserOutcome failed(UserError error, std::string detail) {
  UserOutcome outcome;
  outcome.error = error;
  outcome.detail = std::move(detail);
  return outcome;
}

UserOutcome invalid(std::vector<FieldProblem> problems) {
  std::string detail;
  for (const auto& problem : problems) {
    if (!detail.empty()) detail += "; ";
    detail += problem.field + " " + problem.message;
  }
  auto outcome = failed(UserError::invalid, std::move(detail));
  outcome.problems = std::move(problems);
  return outcome;
}

// The sentence for a refusal the directory reported about `username`.
UserOutcome refused(UserError error, const std::string& username) {
  switch (error) {
    case UserError::not_found:
      return failed(error, "User " + username + " not found");
    case UserError::already_exists:
      return failed(error, "User " + username + " already exists");
    case UserError::last_enabled_admin:
      return failed(error, "This would leave no enabled admin; nothing was changed");
    case UserError::invalid:
      break;
  }
  return failed(error, "User " + username + " was not changed");
}

UserOutcome done(User user) {
  UserOutcome outcome;
  outcome.user = std::move(user);
  return outcome;
}

}  // namespace

std::optional<std::string> username_problem(std::string_view username) {
  if (is_valid_username(username)) return std::nullopt;
  return "must be 1 to 64 of A-Z a-z 0-9 . _ @ -";
}

std::optional<std::string> password_problem(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return "must be at least " + std::to_string(kMinPasswordLength) + " characters";
  }
  if (password.size() > kMaxPasswordBytes) {
    return "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes";
  }
  return std::nullopt;
}

std::int64_t next_token_generation(std::int64_t current, Timestamp now) {
  const std::int64_t at = now.time_since_epoch().count();
  return current < at ? at : current + 1;
}

UserService::UserService(UserDirectory& users, PasswordHasher hash, const Clock& clock)
    : users_(users), hash_(std::move(hash)), clock_(clock) {}

UserOutcome UserService::create(const NewUser& user) {
  std::vector<FieldProblem> problems;
  if (auto problem = username_problem(user.username)) problems.push_back({"username", *problem});
  if (auto problem = password_problem(user.password)) problems.push_back({"password", *problem});
  if (!problems.empty()) return invalid(std::move(problems));
  User stored{user.username, hash_(user.password), user.role, false,
              next_token_generation(0, clock_.now())};
  if (const auto error = users_.add(stored)) return refused(*error, user.username);
  return done(std::move(stored));
}

UserOutcome UserService::update(const std::string& username, const UserUpdate& update) {
  if (update.password) {
    if (auto problem = password_problem(*update.password)) {
      return invalid({{"password", *problem}});
    }
  }
  auto user = users_.find(username);
  if (!user) return refused(UserError::not_found, username);
  const User before = *user;
  const bool revokes = update.password || (update.role && *update.role != user->role) ||
                       (update.disabled && *update.disabled != user->disabled);
  if (update.password) user->password_hash = hash_(*update.password);
  if (update.role) user->role = *update.role;
  if (update.disabled) user->disabled = *update.disabled;
  if (revokes) user->token_generation = next_token_generation(user->token_generation, clock_.now());
  if (const auto error = users_.replace(*user)) return refused(*error, username);
  auto outcome = done(std::move(*user));
  outcome.before = before;
  return outcome;
}

std::vector<User> UserService::list() { return users_.all(); }

}  // namespace cargomon
