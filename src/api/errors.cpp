#include "api/errors.hpp"

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
    case ApiError::unsupported_media_type:
      return 415;
    case ApiError::too_many_requests:
      return 429;
    case ApiError::store_unavailable:
      return 503;
  }
  return 500;
}

Response error_response(ApiError error, std::string message) {
  JsonWriter out;
  out.begin_object().key("detail").string(message).end_object();
  Response response = json_response(status_of(error), out.take());
  if (error == ApiError::unauthenticated) response.header("WWW-Authenticate", "Bearer");
  if (error == ApiError::store_unavailable) response.header("Retry-After", "1");
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

}  // namespace cargomon::api
