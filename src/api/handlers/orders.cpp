// POST /registrar_pedido_entregado, GET /pedidos, GET /pedidos/{pedido_id}.

#include <charconv>

#include "api/cursor.hpp"
#include "api/errors.hpp"
#include "api/event_feed.hpp"
#include "api/handlers/handlers.hpp"
#include "api/order_json.hpp"
#include "metrics/metrics.hpp"

namespace cargomon::api {
namespace {

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 1000;
// A page ends after the order that takes its JSON past this many bytes, with
// a next_cursor, even before `limit` orders: orders may be up to the body
// limit each, and 1,000 of them would be hundreds of MB built in memory.
constexpr std::size_t kMaxPageBytes = std::size_t{4} << 20;
// The store is read this many orders at a time, so what is held besides the
// page's text stays small too.
constexpr std::size_t kStoreReadOrders = 50;

std::string registered_body(std::string_view order_json) {
  JsonWriter out;
  out.begin_object()
      .key("message")
      .string("Pedido registrado exitosamente")
      .key("pedido")
      .raw_json(order_json)
      .end_object();
  return out.take();
}

}  // namespace

void post_order(Services& s, const Request& request, Respond respond) {
  const auto count = [&s](metrics::OrderOutcome outcome) {
    if (s.metrics) s.metrics->order(outcome);
  };
  Response error;
  auto body = read_json_body(request, error);
  if (!body) {
    count(metrics::OrderOutcome::rejected);
    return respond(std::move(error));
  }
  auto decoded = decode_order(*body, s.calendar, s.clock.now());
  if (auto* problems = std::get_if<std::vector<FieldError>>(&decoded)) {
    count(metrics::OrderOutcome::rejected);
    return respond(validation_response(*problems));
  }
  s.orders.register_order(
      std::get<Order>(std::move(decoded)),
      [&s, count, respond = std::move(respond)](RegisterResult r) {
        switch (r.status) {
          case RegisterStatus::stored:
            count(metrics::OrderOutcome::accepted);
            break;
          case RegisterStatus::already_stored:
            count(metrics::OrderOutcome::replayed);
            break;
          case RegisterStatus::conflict:
            count(metrics::OrderOutcome::conflicting);
            break;
          case RegisterStatus::unavailable:
            count(metrics::OrderOutcome::unavailable);
            break;
        }
        switch (r.status) {
          case RegisterStatus::stored: {
            const auto text = order_json(r.order, s.calendar);
            // Answered first, then published (DESIGN.md): a device's
            // acknowledgement does not wait for the dashboards.
            respond(json_response(200, registered_body(text)));
            if (s.feed) s.feed->publish(r.order, text);
            return;
          }
          case RegisterStatus::already_stored:
            return respond(json_response(200, registered_body(order_json(r.order, s.calendar))));
          case RegisterStatus::conflict: {
            auto refused = error_response(
                ApiError::conflict, "Pedido " + r.order.order_id +
                                        " was already registered with different content; nothing "
                                        "was changed");
            refused.warning = "conflict: an order of that pedido_id is stored with other content";
            return respond(std::move(refused));
          }
          case RegisterStatus::unavailable:
            return respond(error_response(ApiError::store_unavailable,
                                          "The order was not stored: the store is unavailable, "
                                          "retry with the same pedido_id"));
        }
      });
}

Response get_orders(Services& s, const QueryParams& params) {
  OrderQuery query;
  query.limit = kDefaultPage;
  const auto param = [&](const char* name) -> const std::string* {
    const auto it = params.find(name);
    return it == params.end() ? nullptr : &it->second;
  };
  if (const auto* limit = param("limit")) {
    std::size_t value = 0;
    const auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || ptr != limit->data() + limit->size() || value < 1 ||
        value > kMaxPage) {
      return error_response(ApiError::bad_request,
                            "limit must be an integer from 1 to " + std::to_string(kMaxPage));
    }
    query.limit = value;
  }
  if (const auto* cursor = param("cursor")) {
    query.after = decode_cursor(*cursor);
    if (!query.after) {
      return error_response(ApiError::bad_request,
                            "cursor is not one this server issued; use next_cursor as given");
    }
  }
  if (const auto* fecha = param("fecha")) {
    query.day = parse_business_day(*fecha);
    if (!query.day) return error_response(ApiError::bad_request, "fecha must be a date YYYY-MM-DD");
  }
  for (const auto& [name, target] :
       {std::pair{"desde", &query.from}, std::pair{"hasta", &query.until}}) {
    if (const auto* value = param(name)) {
      *target = s.calendar.parse_timestamp(*value);
      if (!*target) {
        return error_response(ApiError::bad_request,
                              std::string(name) +
                                  " must be a timestamp like 2024-09-12T03:50:58 or "
                                  "2024-09-12 03:50:58, optionally with Z or an offset");
      }
    }
  }
  if (const auto* courier = param("repartidor")) {
    if (check_text(*courier, order_limits::max_courier_id)) {
      return error_response(ApiError::bad_request,
                            "repartidor must be an IdRepartidor of 1 to " +
                                std::to_string(order_limits::max_courier_id) + " characters");
    }
    query.courier_id = *courier;
  }

  JsonWriter out;
  out.begin_object().key("pedidos").begin_array();
  std::optional<OrderCursor> next;
  for (std::size_t wanted = query.limit; wanted > 0;) {
    OrderQuery part = query;
    part.limit = std::min(wanted, kStoreReadOrders);
    const auto page = s.orders.list_orders(part);
    next = page.next;
    for (const auto& order : page.orders) {
      write_order(out, order, s.calendar);
      --wanted;
      if (out.str().size() >= kMaxPageBytes) {
        next = OrderCursor{order.occurred_at(), order.sequence};
        wanted = 0;
        break;
      }
    }
    if (!next || page.orders.size() < part.limit) break;
    query.after = next;
  }
  out.end_array().key("next_cursor");
  if (next) {
    out.string(encode_cursor(*next));
  } else {
    out.null();
  }
  out.end_object();
  return json_response(200, out.take());
}

Response get_order(Services& s, const std::string& order_id) {
  const auto order = s.orders.find_order(order_id);
  if (!order) return error_response(ApiError::not_found, "Pedido " + order_id + " not found");
  JsonWriter out;
  write_order(out, *order, s.calendar);
  return json_response(200, out.take());
}

}  // namespace cargomon::api
