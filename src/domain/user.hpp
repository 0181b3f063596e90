#pragma once
// Users and roles: who may do what.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cargomon {

// admin: everything, manages users; viewer: reads orders, metrics and the
// live stream; courier: only registers delivered orders.
enum class Role { admin, viewer, courier };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);

enum class Permission { register_order, read_orders, manage_users };

bool role_allows(Role role, Permission permission);

struct User {
  std::string username;
  std::string password_hash;  // Argon2id, libsodium's encoded string form
  Role role = Role::viewer;
  bool disabled = false;
  // Which tokens are honoured: a token carries the generation it was issued
  // under and counts only while it is still the user's. A new password, role
  // or disabled flag moves it on (UserService), so every token issued before
  // the change is refused, on every instance within the user cache's second.
  // A user created later under the same name starts at its creation time in
  // microseconds, past any generation an earlier user's token could carry.
  // 0: never changed since tokens began to carry it (users migrated from
  // before, whose tokens carry none).
  std::int64_t token_generation = 0;

  friend bool operator==(const User&, const User&) = default;
};

// Enabled admins manage users; a store always keeps at least one.
inline bool is_enabled_admin(const User& user) {
  return user.role == Role::admin && !user.disabled;
}

// Usernames: 1..64 characters of [A-Za-z0-9._@-]; keeps them safe in logs and URLs.
bool is_valid_username(std::string_view name);

}  // namespace cargomon
