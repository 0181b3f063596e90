// GET /metrics: the figures of one business day, from its running totals.

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "api/order_json.hpp"

namespace cargomon::api {

Response get_metrics(Services& s, const QueryParams& params) {
  BusinessDay day = s.calendar.day_of(s.clock.now());
  if (const auto it = params.find("fecha"); it != params.end()) {
    const auto parsed = parse_business_day(it->second);
    if (!parsed) return error_response(ApiError::bad_request, "fecha must be a date YYYY-MM-DD");
    day = *parsed;
  }
  JsonWriter out;
  write_metrics(out, s.orders.day_metrics(day), s.calendar);
  return json_response(200, out.take());
}

}  // namespace cargomon::api
