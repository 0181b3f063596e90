// GET /openapi.json: the contract of this server, as published in docs/.

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"

namespace cargomon::api {

Response get_openapi() {
  static const std::string document =
#include "openapi.inc"
      ;
  return json_response(200, document);
}

}  // namespace cargomon::api
