#include "api/errors.hpp"

#include <spdlog/spdlog.h>

#include "storage/store.hpp"

namespace cargomon::api {

int status_of(ApiError error) {
  switch (error) {
    case ApiError::bad_request:
      return 400;
    case ApiError::unauthenticated:
      return 401;
    case ApiError::forbidden:
      return 403;
    case ApiError::not_found:
      return 404;
    case ApiError::method_not_allowed:
      return 405;
    case ApiError::conflict:
      return 409;
    case ApiError::payload_too_large:
      return 413;
    case ApiError::headers_too_large:
      return 431;
    case ApiError::unsupported_media_type:
      return 415;
    case ApiError::too_many_requests:
      return 429;
    case ApiError::internal:
      return 500;
    case ApiError::store_unavailable:
    case ApiError::overloaded:
      return 503;
  }
  return 500;
}

Response error_response(ApiError error, std::string message) {
  JsonWriter out;
  out.begin_object().key("detail").string(message).end_object();
  Response response = json_response(status_of(error), out.take());
  if (error == ApiError::unauthenticated) response.header("WWW-Authenticate", "Bearer");
  response.store_failed = error == ApiError::store_unavailable;
  if (error == ApiError::store_unavailable || error == ApiError::overloaded) {
    response.header("Retry-After", "1");
  }
  return response;
}

Response validation_response(const std::vector<FieldError>& errors) {
  JsonWriter out;
  write_field_errors(out, errors);
  return json_response(422, out.take());
}

Response json_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::string describe(const Request& request) {
  constexpr std::size_t kMaxTarget = 200;  // targets may be up to the header limit
  std::string out = request.method.substr(0, 16);
  out += ' ';
  out += request.target.substr(0, kMaxTarget);
  if (request.target.size() > kMaxTarget) out += "…";
  return out;
}

void answer_failures(const Respond& respond, const std::string& what,
                     const std::function<void()>& work) noexcept {
  try {
    try {
      work();
    } catch (const StoreUnavailable& e) {
      spdlog::warn("{}: store unavailable: {}", what, e.what());
      respond(error_response(ApiError::store_unavailable,
                             "The store is unavailable, try again shortly"));
    } catch (const std::exception& e) {
      spdlog::error("{}: unexpected error (a bug): {}", what, e.what());
      respond(error_response(ApiError::internal, "Internal Server Error"));
    } catch (...) {
      spdlog::error("{}: unexpected error of unknown type (a bug)", what);
      respond(error_response(ApiError::internal, "Internal Server Error"));
    }
  } catch (...) {
    // Answering failed too (out of memory): Respond's destructor still
    // answers once the last copy goes.
    spdlog::critical("{}: could not answer an error", what);
  }
}

void post_answering(BlockingExecutor& executor, const Respond& respond, std::string what,
                    std::size_t bytes, std::function<void()> work) {
  auto task = [respond, what, work = std::move(work)] { answer_failures(respond, what, work); };
  if (!executor.try_post(std::move(task), bytes)) {
    spdlog::warn("{}: refused, the executor is full", what);
    respond(error_response(ApiError::overloaded, "The server is busy; try again shortly"));
  }
}

}  // namespace cargomon::api
