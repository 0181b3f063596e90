#include "domain/user.hpp"

#include <algorithm>

namespace cargomon {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::admin:
      return "admin";
    case Role::viewer:
      return "viewer";
    case Role::courier:
      return "courier";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "admin") return Role::admin;
  if (text == "viewer") return Role::viewer;
  if (text == "courier") return Role::courier;
  return std::nullopt;
}

bool role_allows(Role role, Permission permission) {
  switch (permission) {
    case Permission::register_order:
      return role == Role::admin || role == Role::courier;
    case Permission::read_orders:
      return role == Role::admin || role == Role::viewer;
    case Permission::manage_users:
      return role == Role::admin;
  }
  return false;
}

bool is_valid_username(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '@' || c == '-';
  });
}

}  // namespace cargomon
