// GET /healthz (the process runs) and GET /readyz (the store answers).

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"

namespace cargomon::api {

Response get_health() { return json_response(200, R"({"status":"ok"})"); }

Response get_ready(Services& s) {
  if (s.orders.ready()) return json_response(200, R"({"status":"ready"})");
  return error_response(ApiError::store_unavailable, "The store is not answering");
}

}  // namespace cargomon::api
