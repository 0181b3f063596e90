#pragma once
// The bearer-token check every protected endpoint runs before its handler.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "api/exchange.hpp"
#include "api/services.hpp"
#include "domain/user.hpp"

namespace cargomon::api {

// The user behind a valid token, whose current role (read from the store, not
// trusted from the token) allows `permission`; otherwise the 401 or 403 to send.
// May read the store: call it off the network threads.
std::variant<Principal, Response> authenticate(Services& services, const Request& request,
                                               Permission permission);

// Whether a request authenticated as `username` with a token of
// `token_generation` would still be admitted for `permission` (the user
// exists, is enabled, has a role that allows it, and the generation is still
// theirs): for what outlives its request, such as a live stream. May read the
// store.
bool still_admitted(UserStore& users, const std::string& username, std::int64_t token_generation,
                    Permission permission);

// The same answer when it needs no store read (the user was read a moment
// ago, UserStore::find_user_in_memory); nullopt when it would need one. For
// the network threads: registering an order then never leaves them.
std::optional<std::variant<Principal, Response>> authenticate_from_memory(Services& services,
                                                                          const Request& request,
                                                                          Permission permission);

}  // namespace cargomon::api
