// GET /openapi.json: the contract of this server, as published in docs/.

#include <string_view>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"

namespace cargomon::api {

namespace {

// The document in pieces (see embed_text.cmake), joined once.
std::string embedded_document() {
  static constexpr std::string_view pieces[] =
#include "openapi.inc"
      ;
  std::string document;
  for (const std::string_view piece : pieces) {
    document += piece;
  }
  return document;
}

}  // namespace

Response get_openapi() {
  static const std::string document = embedded_document();
  return json_response(200, document);
}

}  // namespace cargomon::api
