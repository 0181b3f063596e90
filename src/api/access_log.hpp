#pragma once
// What the log says about each answered request: one access line (info,
// unless turned off) and, for the refusals an operator wants to see (a
// rejected token and why, a throttled or failed login, a conflict, a rate
// limit), one warning, written whatever the access log's switch. Both name
// the route's pattern, never the raw path, and carry the request's id.
//
// Also the request id itself: the client's X-Request-Id when it is a
// reasonable one, otherwise a fresh one, returned on every answer.

#include <chrono>
#include <string>
#include <string_view>

#include "api/exchange.hpp"

namespace cargomon::api {

inline constexpr std::size_t kMaxRequestId = 64;

// `header` (the request's X-Request-Id) when it is 1 to kMaxRequestId
// characters of [A-Za-z0-9._-]; otherwise 32 random hex digits.
std::string request_id_of(std::string_view header);

struct Answered {
  std::string_view method;  // the request's, bounded here
  std::string_view route;   // the route's pattern (api/route.hpp)
  const Response& response;
  std::chrono::steady_clock::duration took;
  std::string_view request_id;
};

// The access line (when `access_log`) and the response's warning (when it
// has one).
void log_answer(const Answered& answered, bool access_log);

}  // namespace cargomon::api
