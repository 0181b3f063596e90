#pragma once
// Users and roles: who may do what.

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
};

// Enabled admins manage users; a store always keeps at least one.
inline bool is_enabled_admin(const User& user) {
  return user.role == Role::admin && !user.disabled;
}

// Usernames: 1..64 characters of [A-Za-z0-9._@-]; keeps them safe in logs and URLs.
bool is_valid_username(std::string_view name);

}  // namespace cargomon
