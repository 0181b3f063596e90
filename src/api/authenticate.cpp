#include "api/authenticate.hpp"

#include "api/errors.hpp"

namespace cargomon::api {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view permission_text(Permission permission) {
  switch (permission) {
    case Permission::register_order:
      return "register orders";
    case Permission::read_orders:
      return "read orders and metrics";
    case Permission::manage_users:
      return "manage users";
  }
  return "do this";
}

// The claims of a valid bearer token, or the 401 to send. CPU only.
std::variant<auth::TokenClaims, Response> token_user(const Services& services,
                                                     const Request& request) {
  std::string_view header = request.authorization;
  if (header.empty()) {
    return error_response(ApiError::unauthenticated, "Not authenticated");
  }
  const auto space = header.find(' ');
  if (space == std::string_view::npos || !iequals(header.substr(0, space), "Bearer")) {
    return error_response(ApiError::unauthenticated,
                          "Authorization header must be 'Bearer <token>'");
  }
  auto token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  const auto check = services.tokens.verify(token);
  if (!check.claims) {
    return error_response(ApiError::unauthenticated, std::string(auth::describe(check.error)));
  }
  return *check.claims;
}

std::variant<Principal, Response> admit(const std::optional<User>& user,
                                        const auth::TokenClaims& claims, Permission permission) {
  if (!user || user->disabled) {
    return error_response(ApiError::unauthenticated, "User is disabled or no longer exists");
  }
  if (claims.generation != user->token_generation) {
    return error_response(ApiError::unauthenticated,
                          "Token revoked: the user's password, role or access changed since it "
                          "was issued; sign in again");
  }
  if (!role_allows(user->role, permission)) {
    return error_response(ApiError::forbidden, "Role '" + std::string(to_string(user->role)) +
                                                   "' may not " +
                                                   std::string(permission_text(permission)));
  }
  return Principal{user->username, user->role, claims.expires_at, claims.generation};
}

}  // namespace

std::variant<Principal, Response> authenticate(Services& services, const Request& request,
                                               Permission permission) {
  auto named = token_user(services, request);
  if (auto* denied = std::get_if<Response>(&named)) return std::move(*denied);
  const auto& claims = std::get<auth::TokenClaims>(named);
  return admit(services.users.find_user(claims.username), claims, permission);
}

bool still_admitted(UserStore& users, const std::string& username, std::int64_t token_generation,
                    Permission permission) {
  auth::TokenClaims claims;
  claims.username = username;
  claims.generation = token_generation;
  return std::holds_alternative<Principal>(admit(users.find_user(username), claims, permission));
}

std::optional<std::variant<Principal, Response>> authenticate_from_memory(Services& services,
                                                                          const Request& request,
                                                                          Permission permission) {
  auto named = token_user(services, request);
  if (auto* denied = std::get_if<Response>(&named)) return std::move(*denied);
  const auto& claims = std::get<auth::TokenClaims>(named);
  auto user = services.users.find_user_in_memory(claims.username);
  if (!user) return std::nullopt;
  return admit(*user, claims, permission);
}

}  // namespace cargomon::api
