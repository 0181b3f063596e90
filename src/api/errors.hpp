#pragma once
// Every failure a handler reports, turned into an HTTP status in one place.

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
  unsupported_media_type,  // 415
  too_many_requests,       // 429
  store_unavailable,       // 503
};

int status_of(ApiError error);

// {"detail": "<message>"} with the status of `error`.
Response error_response(ApiError error, std::string message);
// 422 {"detail": [{"loc", "msg", "type"}, …]}
Response validation_response(const std::vector<FieldError>& errors);
Response json_response(int status, std::string body);

}  // namespace cargomon::api
