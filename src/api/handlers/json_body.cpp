#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"

namespace cargomon::api {

std::optional<JsonNode> read_json_body(const Request& request, Response& error) {
  // The original clients always send application/json; a body without a
  // content type is read as JSON too, any other declared type is refused.
  std::string_view type = request.content_type;
  if (const auto semicolon = type.find(';'); semicolon != std::string_view::npos) {
    type = type.substr(0, semicolon);
  }
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  std::string lowered(type);
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!lowered.empty() && lowered != "application/json") {
    error = error_response(ApiError::unsupported_media_type,
                           "Content-Type must be application/json, not " + std::string(type));
    return std::nullopt;
  }
  if (request.body.empty()) {
    error = error_response(ApiError::bad_request, "Body is empty: a JSON object is required");
    return std::nullopt;
  }
  auto parsed = parse_json(request.body);
  if (auto* message = std::get_if<std::string>(&parsed)) {
    error = error_response(ApiError::bad_request, std::move(*message));
    return std::nullopt;
  }
  return std::get<JsonNode>(std::move(parsed));
}

std::optional<JsonNode> read_json_object(const Request& request, Response& error) {
  auto body = read_json_body(request, error);
  if (body && body->kind != JsonNode::Kind::object) {
    error = validation_response({{{std::string("body")}, "must be a JSON object", "type_error"}});
    return std::nullopt;
  }
  return body;
}

}  // namespace cargomon::api
