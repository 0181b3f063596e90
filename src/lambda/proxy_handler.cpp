#include "lambda/proxy_handler.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <memory>
#include <optional>

#include "api/errors.hpp"

namespace cargomon::lambda {
namespace {

using Clock = std::chrono::system_clock;

Clock::time_point deadline_of(const Invocation& invocation, const HandlerLimits& limits) {
  if (invocation.deadline_ms <= 0) return Clock::now() + limits.default_timeout;
  return Clock::time_point(std::chrono::milliseconds(invocation.deadline_ms)) -
         limits.deadline_margin;
}

Outcome failure(std::string type, std::string message) {
  Outcome outcome;
  outcome.ok = false;
  outcome.error_type = std::move(type);
  outcome.message = std::move(message);
  return outcome;
}

// The payload of `response` in `shape`: a proxy response, or when
// `streamed`, the prelude and the body's own bytes.
std::string render(const EventShape& shape, const api::Response& response, bool streamed) {
  return streamed ? render_stream_prelude(shape, response) + response.body
                  : render_response(shape, response);
}

Outcome answer(const EventShape& shape, const api::Response& response, const api::Request* request,
               const HandlerLimits& limits, bool streamed) {
  Outcome outcome;
  outcome.streamed = streamed;
  outcome.payload = render(shape, response, streamed);
  outcome.status = response.status;
  if (outcome.payload.size() > limits.max_response_bytes) {
    const auto too_large = api::error_response(
        api::ApiError::internal, "The answer is larger than Lambda's response limit (" +
                                     std::to_string(limits.max_response_bytes) + " bytes)");
    outcome.payload = render(shape, too_large, streamed);
    outcome.status = too_large.status;
  }
  if (request != nullptr) {
    outcome.method = request->method;
    outcome.path = request->target.substr(0, request->target.find('?'));
  }
  return outcome;
}

// A body produced piece by piece, gathered whole; nullopt when it cannot be
// (the producer failed, the deadline passed, or it outgrew `limit`).
std::optional<std::string> gather(const api::Router& router, const api::BodyChunks& chunks,
                                  std::size_t limit, Clock::time_point deadline) {
  std::string body;
  for (;;) {
    auto piece = std::make_shared<std::promise<std::optional<std::string>>>();
    auto next = piece->get_future();
    router.next_chunk(
        chunks, [piece](std::optional<std::string> value) { piece->set_value(std::move(value)); });
    if (next.wait_until(deadline) != std::future_status::ready) return std::nullopt;
    auto value = next.get();
    if (!value) return std::nullopt;
    if (value->empty()) return body;
    if (body.size() + value->size() > limit) return std::nullopt;
    body += *value;
  }
}

}  // namespace

Outcome ProxyHandler::handle(const Invocation& invocation) const noexcept {
  try {
    return handle_or_throw(invocation);
  } catch (const std::exception& e) {
    return failure("Runtime.HandlerFailed", e.what());
  } catch (...) {
    return failure("Runtime.HandlerFailed", "unknown exception");
  }
}

Outcome ProxyHandler::handle_or_throw(const Invocation& invocation) const {
  auto translation = translate_event(invocation.event, limits_.event);
  if (auto* unrecognised = std::get_if<Unrecognised>(&translation)) {
    return failure(std::move(unrecognised->error_type), std::move(unrecognised->message));
  }
  // What the front door expects of every answer; an ALB cannot stream.
  const auto streams = [&](const EventShape& shape) {
    return limits_.stream.enabled && shape.kind != EventKind::alb;
  };
  if (auto* rejected = std::get_if<Rejected>(&translation)) {
    return answer(rejected->shape, rejected->response, nullptr, limits_, streams(rejected->shape));
  }
  auto& proxy = std::get<ProxyRequest>(translation);
  // Without an id of its own, a request is known by its invocation's, which
  // every log line of the invocation carries (log/log.hpp).
  if (proxy.request.request_id.empty()) proxy.request.request_id = invocation.request_id;
  const bool streamed = streams(proxy.shape);
  const auto deadline = deadline_of(invocation, limits_);
  const api::Request request = proxy.request;  // kept for the log line
  const bool live_stream =
      request.method == "GET" && request.target.substr(0, request.target.find('?')) == "/eventos";

  // The feed exists only for this invocation (live_stream.hpp).
  std::shared_ptr<void> feed;
  if (live_stream && streamed && feed_ != nullptr) {
    try {
      feed = feed_->open(request);
    } catch (const StoreUnavailable& e) {
      spdlog::warn("the live stream cannot start: {}", e.what());
      auto unavailable = api::error_response(api::ApiError::store_unavailable,
                                             "The live stream cannot start now; try again");
      return answer(proxy.shape, unavailable, &request, limits_, streamed);
    }
  }

  // The answer may come from another thread (an order is acknowledged by
  // the store's commit thread after its fsync); a late one, after the
  // deadline, lands in the shared promise and is dropped.
  auto promise = std::make_shared<std::promise<api::Response>>();
  auto future = promise->get_future();
  router_.handle(std::move(proxy.request),
                 [promise](api::Response response) { promise->set_value(std::move(response)); });
  if (future.wait_until(deadline) != std::future_status::ready) {
    return failure("Runtime.Timeout", "No answer before the invocation's deadline");
  }
  api::Response response = future.get();
  if (response.stream && feed) {
    auto events = std::move(response.stream);
    Outcome outcome = answer(proxy.shape, response, &request, limits_, streamed);
    // Before any event: how long an EventSource waits before reconnecting
    // once the stream ends at the deadline.
    outcome.payload += retry_field(limits_.stream.retry);
    outcome.events = std::move(events);
    outcome.feed = std::move(feed);
    return outcome;
  }
  if (response.stream) {
    // No feed of this invocation's own: nothing can write this stream.
    response.stream->detach();
    response.stream.reset();
    response = api::error_response(api::ApiError::internal, "The live stream is not open");
  }
  if (live_stream && !streamed && response.status == 404) {
    // The Router has no feed; on Lambda the reason is the front door.
    response = api::error_response(api::ApiError::not_found,
                                   "The live stream needs response streaming on this front door");
  }
  if (response.chunks) {
    auto body = gather(router_, response.chunks, limits_.max_response_bytes, deadline);
    response.chunks = nullptr;
    if (!body) {
      response = api::error_response(
          api::ApiError::internal,
          "The answer could not be completed within Lambda's response limit and deadline");
    } else {
      response.body = std::move(*body);
    }
  }
  return answer(proxy.shape, response, &request, limits_, streamed);
}

namespace {

// Where the live stream must end: the invocation's deadline less the margin,
// on `ticks`.
MonotonicClock::time_point stream_end(const Invocation& invocation, const HandlerLimits& limits,
                                      const MonotonicClock& ticks) {
  const auto now = Clock::now();
  const auto deadline = invocation.deadline_ms > 0
                            ? Clock::time_point(std::chrono::milliseconds(invocation.deadline_ms))
                            : now + limits.default_timeout;
  return ticks.now() +
         std::chrono::duration_cast<MonotonicClock::time_point::duration>(deadline - now) -
         limits.stream.end_margin;
}

// Ends the live stream's part: the feed forgets the stream, then goes.
void close_live(Outcome& outcome) {
  if (outcome.events) outcome.events->detach();
  outcome.events.reset();
  outcome.feed.reset();
}

}  // namespace

Outcome post_streamed(RuntimeApi& runtime, const Invocation& invocation, Outcome outcome,
                      const HandlerLimits& limits, const MonotonicClock& ticks) {
  try {
    const auto stream = runtime.stream_response(invocation.request_id, kHttpIntegrationContentType);
    stream->write(outcome.payload);
    if (outcome.events) {
      try {
        pump_events(
            *outcome.events,
            [&](std::span<const std::string_view> pieces) { stream->write(pieces); },
            stream->written(), stream_end(invocation, limits, ticks), limits.stream, ticks);
      } catch (const RuntimeApiError&) {
        throw;
      } catch (const std::exception& e) {
        // The body has started: the error can only go in its trailers.
        close_live(outcome);
        auto failed = failure("Runtime.HandlerFailed", e.what());
        failed.method = outcome.method;
        failed.path = outcome.path;
        failed.told = true;
        stream->fail(failed.error_type, failed.message);
        return failed;
      }
      close_live(outcome);
    }
    if (!stream->finish()) {
      auto refused = failure("Runtime.ResponseRefused", "The Runtime API refused the response");
      refused.method = outcome.method;
      refused.path = outcome.path;
      return refused;
    }
    return outcome;
  } catch (const RuntimeApiError& e) {
    spdlog::warn("the streamed answer broke off: {}", e.what());
    close_live(outcome);
    auto broken = failure("Runtime.StreamBroken", e.what());
    broken.method = outcome.method;
    broken.path = outcome.path;
    broken.told = true;
    return broken;
  }
}

void serve_invocations(RuntimeApi& runtime, const ProxyHandler& handler,
                       InvocationObserver& observer) {
  const SteadyMonotonicClock ticks;
  for (;;) {
    const Invocation invocation = runtime.next();
    const auto started = std::chrono::steady_clock::now();
    observer.started(invocation);
    Outcome outcome = handler.handle(invocation);
    if (outcome.ok && outcome.streamed) {
      outcome = post_streamed(runtime, invocation, std::move(outcome), handler.limits(), ticks);
    } else if (outcome.ok && !runtime.respond(invocation.request_id, outcome.payload)) {
      // Refused (too large, say): the invocation must still end, as an error.
      outcome = failure("Runtime.ResponseRefused", "The Runtime API refused the response");
    }
    if (!outcome.ok && !outcome.told) {
      runtime.fail(invocation.request_id, outcome.error_type, outcome.message);
    }
    observer.finished(invocation, outcome, std::chrono::steady_clock::now() - started);
  }
}

}  // namespace cargomon::lambda
