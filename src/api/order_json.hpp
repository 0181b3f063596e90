#pragma once
// The wire form of orders and day metrics: the seed's Spanish field names
// (pedido_id, repartidor, productos…) mapped to the domain and back.

#include <string>
#include <variant>
#include <vector>

#include "api/json.hpp"
#include "domain/business_calendar.hpp"
#include "domain/day_comparison.hpp"
#include "domain/day_metrics.hpp"
#include "domain/order.hpp"

namespace cargomon::api {

// One entry of a 422 answer, FastAPI's shape: where, what is wrong, kind.
struct FieldError {
  std::vector<std::variant<std::string, std::size_t>> loc;
  std::string msg;
  std::string type = "value_error";
};

// Decodes and validates a registration body. Every bad field is reported,
// not just the first. `received_at` fills in for a missing timestamp and is
// the reference for "not too far in the future".
std::variant<Order, std::vector<FieldError>> decode_order(const JsonNode& body,
                                                          const BusinessCalendar& calendar,
                                                          Timestamp received_at);

void write_order(JsonWriter& out, const Order& order, const BusinessCalendar& calendar);
// write_order's text on its own: a registration's 200 and its pedido event
// embed the same text.
std::string order_json(const Order& order, const BusinessCalendar& calendar);
// What /metrics and the `metrics` event list: the first 20 products and 50
// couriers of the day's rankings, the rest summed (docs/api.md). About 15 KB
// at most, however many products and couriers the day has.
inline constexpr MetricsTop kSnapshotTop{20, 50};
// `metrics` as ranked_day_metrics() reads it: the lists may be cut, and what
// they leave out is written as otros_productos / otros_repartidores. With a
// comparison, it is written as `comparacion` (about 3 KB more).
void write_metrics(JsonWriter& out, const DayMetrics& metrics, const BusinessCalendar& calendar,
                   const DayComparison* comparison = nullptr);
// A range's totals by day, ISO week and month: /metrics/rango.
void write_range(JsonWriter& out, const RangeFigures& range);
void write_product(JsonWriter& out, const ProductTotals& product);
void write_courier(JsonWriter& out, const CourierTotals& courier);
void write_field_errors(JsonWriter& out, const std::vector<FieldError>& errors);

}  // namespace cargomon::api
