#pragma once
// One invocation through the Router, and the loop that serves them.
//
// An event is translated (proxy_event.hpp), handed to the same Router as
// `cargomon serve`, and its answer (gathered whole: a streamed body's pieces
// are concatenated, bounded by Lambda's response limit) rendered in the
// event's shape. Whatever goes wrong with one invocation is reported for
// that invocation (a proxy 4xx/5xx, or the Runtime API's /error) and the
// loop goes on; only a broken Runtime API ends it.

#include <chrono>
#include <string>

#include "api/router.hpp"
#include "lambda/proxy_event.hpp"
#include "lambda/runtime_api.hpp"

namespace cargomon::lambda {

// What one invocation ends with: a response payload for /response, or an
// error for /error.
struct Outcome {
  bool ok = true;
  std::string payload;     // the proxy response JSON when ok
  std::string error_type;  // otherwise
  std::string message;
  int status = 0;      // the HTTP status answered (0 for an /error)
  std::string method;  // of the request, for the log line ("" when none)
  std::string path;
};

struct HandlerLimits {
  EventLimits event;
  std::size_t max_response_bytes = kLambdaPayloadLimit;
  // Kept back from the invocation's deadline to report a timeout before
  // Lambda ends the invocation itself.
  std::chrono::milliseconds deadline_margin{100};
  // When an invocation carries no deadline.
  std::chrono::milliseconds default_timeout{60'000};
};

class ProxyHandler {
 public:
  ProxyHandler(const api::Router& router, HandlerLimits limits)
      : router_(router), limits_(limits) {}

  // Never throws.
  Outcome handle(const Invocation& invocation) const noexcept;

 private:
  Outcome handle_or_throw(const Invocation& invocation) const;
  const api::Router& router_;
  const HandlerLimits limits_;
};

// Told of each invocation as it starts and once it is answered (logs,
// metrics), on the loop's thread.
class InvocationObserver {
 public:
  virtual ~InvocationObserver() = default;
  virtual void started(const Invocation& invocation) = 0;
  virtual void finished(const Invocation& invocation, const Outcome& outcome,
                        std::chrono::steady_clock::duration took) = 0;
};

// Serves invocations until the Runtime API fails (RuntimeApiError, which it
// rethrows: the environment is broken).
[[noreturn]] void serve_invocations(RuntimeApi& runtime, const ProxyHandler& handler,
                                    InvocationObserver& observer);

}  // namespace cargomon::lambda
