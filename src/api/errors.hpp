#pragma once
// Every failure a handler reports, turned into an HTTP status in one place.
//
// The error policy (this is the one place it is written down):
// - A client's mistake (bad JSON, a field that breaks a rule, a bad token, a
//   role that may not, an unknown path or method, a conflicting order) is a
//   4xx that says what is wrong; nothing is stored. Never logged as an error.
// - The store cannot do its work (StoreUnavailable: disk full, database
//   locked past its timeout, server unreachable) → 503 with Retry-After;
//   nothing is acknowledged that was not committed. The store recovers by
//   itself when the cause goes away; a failed fsync is the exception: the
//   SQLite store then refuses every later write until restarted (the kernel
//   may have dropped the pages), and says so in a critical log line.
// - The server is full (a bounded executor's queue, --max-connections) →
//   503 with Retry-After. Nothing queues without bound.
// - Anything else that escapes a handler (any other exception type: a bug,
//   or a library error nobody mapped) → 500, logged as an error with what
//   escaped, by the Router's catch-all. The connection and the server go on.
//   A handler that never answers is caught by Respond (500, logged).
// - What escapes a connection's coroutine is logged by its completion
//   handler; the connection ends, the server goes on.
// - The process ends only when it cannot start (bad settings, a store that
//   cannot be opened or migrated, the port taken: exit 1 with the reason) or
//   on SIGTERM/SIGINT (exit 0 after the drain). Nothing at run time calls
//   exit or abort; memory exhaustion (std::bad_alloc) is treated as any
//   other escaped exception.

#include <functional>
#include <string>
#include <vector>

#include "api/exchange.hpp"
#include "api/order_json.hpp"

namespace cargomon::api {

enum class ApiError {
  bad_request,             // 400: malformed JSON, query parameter or cursor
  unauthenticated,         // 401: no usable token, or wrong credentials
  forbidden,               // 403: the role may not do this
  not_found,               // 404
  method_not_allowed,      // 405
  conflict,                // 409: same pedido_id, different content
  payload_too_large,       // 413
  headers_too_large,       // 431
  unsupported_media_type,  // 415
  too_many_requests,       // 429
  internal,                // 500: a bug; logged where it was caught
  store_unavailable,       // 503: the store cannot work now
  overloaded,              // 503: the server's queues are full
};

int status_of(ApiError error);

// {"detail": "<message>"} with the status of `error`.
Response error_response(ApiError error, std::string message);
// 422 {"detail": [{"loc", "msg", "type"}, …]}
Response validation_response(const std::vector<FieldError>& errors);
Response json_response(int status, std::string body);

// "METHOD target", bounded, for log lines about a request.
std::string describe(const Request& request);

// The catch-all of the error policy above: runs `work`, and whatever it
// throws becomes the answer (503 for StoreUnavailable, 500 and an error
// log line naming `what` for anything else).
void answer_failures(const Respond& respond, const std::string& what,
                     const std::function<void()>& work) noexcept;

// Runs `work` on `executor` under answer_failures; a full executor answers
// 503 (overloaded) at once. `bytes`: what the work holds.
void post_answering(BlockingExecutor& executor, const Respond& respond, std::string what,
                    std::size_t bytes, std::function<void()> work);

}  // namespace cargomon::api
