#pragma once
// One invocation through the Router, and the loop that serves them.
//
// An event is translated (proxy_event.hpp), handed to the same Router as
// `cargomon serve`, and its answer (gathered whole: a streamed body's pieces
// are concatenated, bounded by Lambda's response limit) rendered in the
// event's shape. Whatever goes wrong with one invocation is reported for
// that invocation (a proxy 4xx/5xx, or the Runtime API's /error) and the
// loop goes on; only a broken Runtime API ends it.
//
// With response streaming on (StreamLimits::enabled), every answer to an
// API Gateway REST or function URL event is posted streamed, as such a
// front door expects from every invocation: the prelude (status, headers),
// then the body's bytes. GET /eventos then stays open (live_stream.hpp)
// until the feed ends it or the invocation's deadline comes near. An ALB
// cannot stream: its events are always answered buffered. Off, /eventos is
// a 404 that says why, so the dashboard polls instead.

#include <chrono>
#include <string>

#include "api/router.hpp"
#include "lambda/live_stream.hpp"
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
  // Post as a streamed response (Lambda response streaming): `payload` is
  // then the prelude and the body, or, for the live stream, its first bytes.
  bool streamed = false;
  // The live stream, written after `payload` while `feed` keeps its feed open.
  std::shared_ptr<api::EventStream> events;
  std::shared_ptr<void> feed;
  // For a failure: it was told in a streamed body's trailers already, or
  // cannot be told (the stream broke), so it is not posted to /error.
  bool told = false;
};

struct HandlerLimits {
  EventLimits event;
  std::size_t max_response_bytes = kLambdaPayloadLimit;
  // Kept back from the invocation's deadline to report a timeout before
  // Lambda ends the invocation itself.
  std::chrono::milliseconds deadline_margin{100};
  // When an invocation carries no deadline.
  std::chrono::milliseconds default_timeout{60'000};
  StreamLimits stream;
};

class ProxyHandler {
 public:
  // `feed` makes the live stream's feed when streaming is on (null: no live
  // stream); it must outlive the handler.
  ProxyHandler(const api::Router& router, HandlerLimits limits, OnDemandFeed* feed = nullptr)
      : router_(router), limits_(limits), feed_(feed) {}

  // Never throws.
  Outcome handle(const Invocation& invocation) const noexcept;
  const HandlerLimits& limits() const { return limits_; }

 private:
  Outcome handle_or_throw(const Invocation& invocation) const;
  const api::Router& router_;
  const HandlerLimits limits_;
  OnDemandFeed* feed_;
};

// Posts an outcome that is `streamed` through `runtime`, pumping its live
// stream (until `ticks` reaches the invocation's deadline less the margin);
// what the invocation ended with. A stream that breaks (the Runtime API's
// connection fails mid-body) ends that invocation only: the next `next`
// tells whether the Runtime API is still there.
Outcome post_streamed(RuntimeApi& runtime, const Invocation& invocation, Outcome outcome,
                      const HandlerLimits& limits, const MonotonicClock& ticks);

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
