#include "api/authenticate.hpp"

#include "api/errors.hpp"
#include "api/rate_limiter.hpp"
#include "metrics/metrics.hpp"

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

void count_rejection(metrics::Metrics* counters, metrics::TokenRejection reason) {
  if (counters) counters->token_rejected(reason);
}

// A 401 for a refused token, counted and with its warning for the log.
Response rejected(metrics::Metrics* counters, metrics::TokenRejection reason, std::string message,
                  std::string user = {}) {
  count_rejection(counters, reason);
  auto response = error_response(ApiError::unauthenticated, std::move(message));
  response.warning = "token rejected: " + std::string(metrics::reason_name(reason));
  response.user = std::move(user);
  return response;
}

metrics::TokenRejection rejection_of(auth::TokenError error) {
  using metrics::TokenRejection;
  switch (error) {
    case auth::TokenError::none:
    case auth::TokenError::malformed:
      return TokenRejection::malformed;
    case auth::TokenError::bad_algorithm:
      return TokenRejection::bad_algorithm;
    case auth::TokenError::bad_signature:
      return TokenRejection::bad_signature;
    case auth::TokenError::expired:
      return TokenRejection::expired;
    case auth::TokenError::not_yet_valid:
      return TokenRejection::not_yet_valid;
    case auth::TokenError::missing_claims:
      return TokenRejection::missing_claims;
  }
  return TokenRejection::malformed;
}

// The claims of a valid bearer token, or the 401 to send. CPU only.
std::variant<auth::TokenClaims, Response> token_user(const Services& services,
                                                     const Request& request) {
  std::string_view header = request.authorization;
  if (header.empty()) {
    return rejected(services.metrics, metrics::TokenRejection::missing, "Not authenticated");
  }
  const auto space = header.find(' ');
  if (space == std::string_view::npos || !iequals(header.substr(0, space), "Bearer")) {
    return rejected(services.metrics, metrics::TokenRejection::not_bearer,
                    "Authorization header must be 'Bearer <token>'");
  }
  auto token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  const auto check = services.tokens.verify(token);
  if (!check.claims) {
    return rejected(services.metrics, rejection_of(check.error),
                    std::string(auth::describe(check.error)));
  }
  return *check.claims;
}

// `counters`: where a refusal is counted; null for the feed's periodic
// re-checks, which are not requests.
std::variant<Principal, Response> admit(const std::optional<User>& user,
                                        const auth::TokenClaims& claims, Permission permission,
                                        metrics::Metrics* counters) {
  if (!user || user->disabled) {
    return rejected(counters, metrics::TokenRejection::user_gone,
                    "User is disabled or no longer exists", claims.username);
  }
  if (claims.generation != user->token_generation) {
    return rejected(counters, metrics::TokenRejection::revoked,
                    "Token revoked: the user's password, role or access changed since it "
                    "was issued; sign in again",
                    claims.username);
  }
  if (!role_allows(user->role, permission)) {
    auto response = error_response(ApiError::forbidden,
                                   "Role '" + std::string(to_string(user->role)) + "' may not " +
                                       std::string(permission_text(permission)));
    response.warning = "forbidden: the role may not " + std::string(permission_text(permission));
    response.user = user->username;
    return response;
  }
  return Principal{user->username, user->role, claims.expires_at, claims.generation};
}

// An admitted principal's request, against its user's rate limit.
std::variant<Principal, Response> limit_user(Services& services,
                                             std::variant<Principal, Response> outcome) {
  auto* principal = std::get_if<Principal>(&outcome);
  if (!principal || !services.user_rate) return outcome;
  const auto verdict = services.user_rate->take(principal->username);
  if (verdict.allowed) return outcome;
  if (services.metrics) services.metrics->rate_limited(metrics::RateLimitScope::user);
  auto response = rate_limited_response("user", "for this user", *services.user_rate, verdict);
  response.user = principal->username;
  return response;
}

}  // namespace

std::variant<Principal, Response> authenticate(Services& services, const Request& request,
                                               Permission permission) {
  auto named = token_user(services, request);
  if (auto* denied = std::get_if<Response>(&named)) return std::move(*denied);
  const auto& claims = std::get<auth::TokenClaims>(named);
  return limit_user(services, admit(services.users.find_user(claims.username), claims, permission,
                                    services.metrics));
}

bool still_admitted(UserStore& users, const std::string& username, std::int64_t token_generation,
                    Permission permission) {
  auth::TokenClaims claims;
  claims.username = username;
  claims.generation = token_generation;
  return std::holds_alternative<Principal>(
      admit(users.find_user(username), claims, permission, nullptr));
}

std::optional<std::variant<Principal, Response>> authenticate_from_memory(Services& services,
                                                                          const Request& request,
                                                                          Permission permission) {
  auto named = token_user(services, request);
  if (auto* denied = std::get_if<Response>(&named)) return std::move(*denied);
  const auto& claims = std::get<auth::TokenClaims>(named);
  auto user = services.users.find_user_in_memory(claims.username);
  if (!user) return std::nullopt;
  return limit_user(services, admit(*user, claims, permission, services.metrics));
}

}  // namespace cargomon::api
