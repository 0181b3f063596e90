#include "lambda/proxy_handler.hpp"

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

Outcome answer(const EventShape& shape, const api::Response& response, const api::Request* request,
               const HandlerLimits& limits) {
  Outcome outcome;
  outcome.payload = render_response(shape, response);
  outcome.status = response.status;
  if (outcome.payload.size() > limits.max_response_bytes) {
    const auto too_large = api::error_response(
        api::ApiError::internal, "The answer is larger than Lambda's response limit (" +
                                     std::to_string(limits.max_response_bytes) + " bytes)");
    outcome.payload = render_response(shape, too_large);
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
  if (auto* rejected = std::get_if<Rejected>(&translation)) {
    return answer(rejected->shape, rejected->response, nullptr, limits_);
  }
  auto& proxy = std::get<ProxyRequest>(translation);
  const auto deadline = deadline_of(invocation, limits_);
  const api::Request request = proxy.request;  // kept for the log line

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
  if (response.stream) {
    // Only a streaming invocation can carry a live stream; this one cannot.
    response.stream.reset();
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
  return answer(proxy.shape, response, &request, limits_);
}

void serve_invocations(RuntimeApi& runtime, const ProxyHandler& handler,
                       InvocationObserver& observer) {
  for (;;) {
    const Invocation invocation = runtime.next();
    const auto started = std::chrono::steady_clock::now();
    observer.started(invocation);
    Outcome outcome = handler.handle(invocation);
    if (outcome.ok && !runtime.respond(invocation.request_id, outcome.payload)) {
      // Refused (too large, say): the invocation must still end, as an error.
      outcome = failure("Runtime.ResponseRefused", "The Runtime API refused the response");
    }
    if (!outcome.ok) runtime.fail(invocation.request_id, outcome.error_type, outcome.message);
    observer.finished(invocation, outcome, std::chrono::steady_clock::now() - started);
  }
}

}  // namespace cargomon::lambda
