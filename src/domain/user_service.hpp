#pragma once
// Managing users: the rules every way in (the HTTP API, `cargomon user`)
// shares, written once.
//
// The username and password policies live here with the words people are
// shown. The rule that an enabled admin always remains is enforced by the
// directory inside its own transaction: a check made here before writing
// would let two concurrent demotions of the last two admins both pass. The
// service only reports it.
//
// Thread safety: UserService keeps no state of its own; it is as safe to
// share as its directory and hasher.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.hpp"
#include "domain/user.hpp"

namespace cargomon {

inline constexpr std::size_t kMinPasswordLength = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// What is wrong with a value, phrased to follow the field's name ("password
// must be …" on the command line, {"loc": ["body", "password"], "msg":
// "must be …"} over HTTP), or nullopt when the policy accepts it.
std::optional<std::string> username_problem(std::string_view username);
std::optional<std::string> password_problem(std::string_view password);
// For a role that parse_role() does not know.
inline constexpr std::string_view kRoleProblem = "must be one of admin, viewer, courier";

enum class UserError {
  invalid,             // a field breaks its policy: see UserOutcome::problems
  not_found,           // no user has that name
  already_exists,      // the name is taken
  last_enabled_admin,  // the change would leave no enabled admin
};

struct FieldProblem {
  std::string field;    // "username", "password"
  std::string message;  // "must be …"
};

// How a request to the service ended. When it failed, nothing was changed.
struct UserOutcome {
  std::optional<UserError> error;      // nullopt: done
  User user;                           // done: the user as stored now
  std::optional<User> before;          // done by update: the user as it was (for the audit trail)
  std::vector<FieldProblem> problems;  // invalid: every bad field
  std::string detail;                  // failed: one sentence for people

  bool ok() const { return !error; }
};

// Where users are kept: what the service needs of a store (storage's
// UserStore is adapted to it by storage/user_directory.hpp). Each call is
// one atomic change; nullopt means done.
class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  virtual std::optional<User> find(const std::string& username) = 0;
  virtual std::vector<User> all() = 0;  // by username
  // already_exists when the name is taken.
  virtual std::optional<UserError> add(const User& user) = 0;
  // Replaces role, password hash and disabled flag of an existing user:
  // not_found, or last_enabled_admin when `user` was an enabled admin, is no
  // longer one, and no other enabled admin exists, decided in the same
  // transaction as the write.
  virtual std::optional<UserError> replace(const User& user) = 0;
};

// Turns a clear password into what is stored (auth::hash_password: Argon2id,
// deliberately slow, so the service is called off network threads).
using PasswordHasher = std::function<std::string(std::string_view password)>;

struct NewUser {
  std::string username;
  std::string password;  // in clear; only its hash is kept
  Role role = Role::viewer;
};

// The fields present are changed, together.
struct UserUpdate {
  std::optional<std::string> password{};  // in clear
  std::optional<Role> role{};
  std::optional<bool> disabled{};
};

// The token generation after a change made at `now` to a user whose
// generation was `current` (see User::token_generation): later than both,
// so it differs from every generation a token issued before could carry.
std::int64_t next_token_generation(std::int64_t current, Timestamp now);

class UserService {
 public:
  // `clock` dates token generations; it must outlive the service.
  UserService(UserDirectory& users, PasswordHasher hash, const Clock& clock);

  // invalid or already_exists, else the new user (enabled), whose token
  // generation is the time of its creation.
  UserOutcome create(const NewUser& user);
  // invalid, not_found or last_enabled_admin, else the user as changed. A
  // password (even the same one: a reset is meant to sign everyone out), or
  // a role or disabled flag that differs from the stored one, moves the
  // user's token generation on: every token issued before is refused.
  UserOutcome update(const std::string& username, const UserUpdate& update);
  std::vector<User> list();

 private:
  UserDirectory& users_;
  PasswordHasher hash_;
  const Clock& clock_;
};

}  // namespace cargomon
