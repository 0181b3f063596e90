#pragma once
// The bearer-token check every protected endpoint runs before its handler.

#include <variant>

#include "api/exchange.hpp"
#include "api/services.hpp"
#include "domain/user.hpp"

namespace cargomon::api {

// The user behind a valid token, whose current role (read from the store, not
// trusted from the token) allows `permission`; otherwise the 401 or 403 to send.
std::variant<Principal, Response> authenticate(Services& services, const Request& request,
                                               Permission permission);

}  // namespace cargomon::api
