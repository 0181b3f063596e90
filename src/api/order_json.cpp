#include "api/order_json.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace cargomon::api {
namespace {

using Loc = std::vector<std::variant<std::string, std::size_t>>;

class Decoder {
 public:
  Decoder(const BusinessCalendar& calendar, Timestamp received_at)
      : calendar_(calendar), received_at_(received_at) {}

  std::variant<Order, std::vector<FieldError>> decode(const JsonNode& body) {
    Order order;
    order.received_at = received_at_;
    if (body.kind != JsonNode::Kind::object) {
      fail({"body"}, "must be a JSON object, not " + std::string(kind_name(body.kind)),
           "type_error");
      return errors_;
    }
    if (auto* id = required(body, "pedido_id", {"body"}, JsonNode::Kind::string)) {
      if (auto problem = text(*id, order_limits::max_order_id)) {
        fail({"body", "pedido_id"}, *problem);
      } else {
        order.order_id = id->text;
      }
    }
    if (auto* courier = required(body, "repartidor", {"body"}, JsonNode::Kind::object)) {
      decode_courier(*courier, order.courier);
    }
    if (auto* lines = required(body, "productos", {"body"}, JsonNode::Kind::array)) {
      decode_lines(*lines, order.lines);
    }
    if (const auto* time = body.find("timestamp"); time && time->kind != JsonNode::Kind::null) {
      const Loc loc{"body", "timestamp"};
      if (time->kind != JsonNode::Kind::string) {
        fail(loc, "must be a string like \"2024-09-12 03:50:58.363972\" or ISO 8601", "type_error");
      } else if (auto parsed = calendar_.parse_timestamp(time->text)) {
        if (auto problem = check_reported_time(*parsed, received_at_)) {
          fail(loc, *problem);
        } else {
          order.reported_at = parsed;
        }
      } else {
        fail(loc,
             "must be \"YYYY-MM-DD HH:MM:SS[.ffffff]\" or ISO 8601 (optionally with Z or "
             "+HH:MM), with a valid date and time from year 1970");
      }
    }
    if (errors_.empty()) {
      if (auto problem = check_total(order)) fail({"body", "productos"}, *problem);
    }
    if (!errors_.empty()) return errors_;
    return order;
  }

 private:
  static std::optional<std::string> text(const JsonNode& node, std::size_t max) {
    return check_text(node.text, max);
  }

  void fail(Loc loc, std::string msg, std::string type = "value_error") {
    errors_.push_back({std::move(loc), std::move(msg), std::move(type)});
  }

  // The field `name` of `object`, if present with the expected kind;
  // otherwise records why not. Locations are built only for a failure: this
  // runs for every field of every order.
  const JsonNode* required(const JsonNode& object, const char* name, const Loc& base,
                           JsonNode::Kind kind) {
    const auto loc = [&] {
      Loc at = base;
      at.emplace_back(std::string(name));
      return at;
    };
    const auto* node = object.find(name);
    if (!node) {
      fail(loc(), "field required", "value_error.missing");
      return nullptr;
    }
    if (node->kind != kind) {
      fail(
          loc(),
          "must be " + std::string(kind_name(kind)) + ", not " + std::string(kind_name(node->kind)),
          "type_error");
      return nullptr;
    }
    return node;
  }

  void decode_courier(const JsonNode& node, Courier& courier) {
    const Loc base{"body", "repartidor"};
    if (const auto* id = node.find("IdRepartidor"); !id) {
      fail({"body", "repartidor", "IdRepartidor"}, "field required", "value_error.missing");
    } else if (id->kind == JsonNode::Kind::string) {
      if (auto problem = text(*id, order_limits::max_courier_id)) {
        fail({"body", "repartidor", "IdRepartidor"}, *problem);
      } else {
        courier.id = {id->text, false};
      }
    } else if (auto number = id->integer(); number && *number >= 0) {
      courier.id = {std::to_string(*number), true};
    } else {
      fail({"body", "repartidor", "IdRepartidor"}, "must be a non-negative integer or a string",
           "type_error");
    }
    if (auto* name = required(node, "Nombre", base, JsonNode::Kind::string)) {
      if (auto problem = text(*name, order_limits::max_name)) {
        fail({"body", "repartidor", "Nombre"}, *problem);
      } else {
        courier.name = name->text;
      }
    }
  }

  void decode_lines(const JsonNode& node, std::vector<OrderLine>& lines) {
    if (node.children.empty()) {
      fail({"body", "productos"}, "must contain at least one product");
      return;
    }
    if (node.children.size() > order_limits::max_lines) {
      fail({"body", "productos"},
           "must contain at most " + std::to_string(order_limits::max_lines) + " products");
      return;
    }
    for (std::size_t i = 0; i < node.children.size(); ++i) {
      const auto& item = node.children[i];
      const Loc base{"body", "productos", i};
      if (item.kind != JsonNode::Kind::object) {
        fail(base, "must be an object, not " + std::string(kind_name(item.kind)), "type_error");
        continue;
      }
      OrderLine line;
      const auto field_loc = [&](const char* name) {
        Loc loc = base;
        loc.emplace_back(std::string(name));
        return loc;
      };
      if (auto* id = required(item, "IdProducto", base, JsonNode::Kind::string)) {
        if (auto problem = text(*id, order_limits::max_product_id)) {
          fail(field_loc("IdProducto"), *problem);
        } else {
          line.product_id = id->text;
        }
      }
      if (auto* name = required(item, "producto", base, JsonNode::Kind::string)) {
        if (auto problem = text(*name, order_limits::max_name)) {
          fail(field_loc("producto"), *problem);
        } else {
          line.product_name = name->text;
        }
      }
      if (const auto* price = item.find("precio"); !price) {
        fail(field_loc("precio"), "field required", "value_error.missing");
      } else if (price->kind != JsonNode::Kind::number) {
        fail(field_loc("precio"), price_rule(), "type_error");
      } else {
        const auto parsed = parse_money(price->text, order_limits::max_unit_price);
        if (parsed.value) {
          line.unit_price = *parsed.value;
        } else {
          fail(field_loc("precio"), *describe(parsed.error));
        }
      }
      if (const auto* quantity = item.find("cantidad");
          quantity && quantity->kind != JsonNode::Kind::null) {
        const auto value = quantity->integer();
        if (!value) {
          fail(field_loc("cantidad"), *check_quantity(0), "type_error");
        } else if (auto problem = check_quantity(*value)) {
          fail(field_loc("cantidad"), *problem);
        } else {
          line.quantity = static_cast<std::int32_t>(*value);
        }
      }
      lines.push_back(std::move(line));
    }
  }

  const BusinessCalendar& calendar_;
  Timestamp received_at_;
  std::vector<FieldError> errors_;
};

void write_courier_id(JsonWriter& out, const CourierId& id) {
  if (id.is_number) {
    out.raw_number(id.text);
  } else {
    out.string(id.text);
  }
}

}  // namespace

std::variant<Order, std::vector<FieldError>> decode_order(const JsonNode& body,
                                                          const BusinessCalendar& calendar,
                                                          Timestamp received_at) {
  return Decoder(calendar, received_at).decode(body);
}

std::string order_json(const Order& order, const BusinessCalendar& calendar) {
  JsonWriter out;
  write_order(out, order, calendar);
  return out.take();
}

void write_order(JsonWriter& out, const Order& order, const BusinessCalendar& calendar) {
  out.begin_object();
  out.key("pedido_id").string(order.order_id);
  out.key("repartidor").begin_object();
  out.key("IdRepartidor");
  write_courier_id(out, order.courier.id);
  out.key("Nombre").string(order.courier.name);
  out.end_object();
  out.key("productos").begin_array();
  for (const auto& line : order.lines) {
    out.begin_object();
    out.key("IdProducto").string(line.product_id);
    out.key("producto").string(line.product_name);
    out.key("precio").raw_number(line.unit_price.to_decimal());
    if (line.quantity != 1) out.key("cantidad").number(line.quantity);
    out.end_object();
  }
  out.end_array();
  out.key("timestamp").string(calendar.format(order.occurred_at()));
  out.key("fecha").string(format_business_day(calendar.day_of(order.occurred_at())));
  out.key("total").raw_number(order.total().to_decimal());
  out.key("unidades").number(order.units());
  out.key("secuencia").number(order.sequence);
  out.end_object();
}

void write_product(JsonWriter& out, const ProductTotals& p) {
  out.begin_object();
  out.key("producto").string(p.name);
  out.key("unidades").number(p.units);
  out.key("ventas").raw_number(p.sales.to_decimal());
  out.end_object();
}

void write_courier(JsonWriter& out, const CourierTotals& c) {
  out.begin_object();
  out.key("IdRepartidor");
  write_courier_id(out, c.courier.id);
  out.key("Nombre").string(c.courier.name);
  out.key("pedidos").number(c.orders);
  out.key("unidades").number(c.units);
  out.key("ventas").raw_number(c.sales.to_decimal());
  out.end_object();
}

namespace {

// A percentage to one decimal, or null when there is nothing to compare with.
void write_change(JsonWriter& out, const std::optional<double>& change) {
  if (!change) {
    out.null();
    return;
  }
  std::array<char, 32> text{};
  // +0.0 for a change that rounds to nothing, never "-0.0".
  const double value = *change == 0.0 ? 0.0 : *change;
  std::snprintf(text.data(), text.size(), "%.1f", value);
  out.raw_number(text.data());
}

void write_hours(JsonWriter& out, const std::array<HourTotals, 24>& hours) {
  out.begin_array();
  for (std::size_t h = 0; h < hours.size(); ++h) {
    out.begin_object();
    out.key("hora").number(static_cast<std::int64_t>(h));
    out.key("pedidos").number(hours[h].orders);
    out.key("ventas").raw_number(hours[h].sales.to_decimal());
    out.end_object();
  }
  out.end_array();
}

void write_figures(JsonWriter& out, const Figures& figures, bool with_units) {
  out.key("pedidos").number(figures.orders);
  if (with_units) out.key("unidades").number(figures.units);
  out.key("ventas").raw_number(figures.sales.to_decimal());
  out.key("precio_promedio_por_pedido").raw_number(figures.average_order_value().to_decimal());
}

void write_reference(JsonWriter& out, const ReferenceComparison& reference) {
  out.begin_object();
  out.key("fecha").string(format_business_day(reference.day));
  // Hourly totals only: units are not known "by this time".
  write_figures(out, reference.figures, false);
  out.key("variacion_pedidos");
  write_change(out, reference.orders_change);
  out.key("variacion_ventas");
  write_change(out, reference.sales_change);
  out.key("variacion_precio_promedio");
  write_change(out, reference.average_order_value_change);
  out.key("dia_completo").begin_object();
  write_figures(out, reference.whole_day, true);
  out.end_object();
  out.key("ventas_por_hora");
  write_hours(out, reference.hours);
  out.end_object();
}

void write_comparison(JsonWriter& out, const DayComparison& comparison) {
  out.begin_object();
  const auto minutes =
      std::chrono::duration_cast<std::chrono::minutes>(comparison.time_of_day).count();
  std::array<char, 8> until{};
  std::snprintf(until.data(), until.size(), "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  out.key("hasta_hora").string(until.data());
  out.key("dia_anterior");
  write_reference(out, comparison.day_before);
  out.key("semana_anterior");
  write_reference(out, comparison.week_before);
  out.key("proyeccion_cierre");
  if (comparison.projection) {
    out.begin_object();
    out.key("pedidos").number(comparison.projection->orders);
    out.key("ventas").raw_number(comparison.projection->sales.to_decimal());
    out.key("segun").string(format_business_day(comparison.projection->shaped_by));
    out.end_object();
  } else {
    out.null();
  }
  out.end_object();
}

void write_period(JsonWriter& out, const PeriodFigures& period) {
  out.begin_object();
  out.key("desde").string(format_business_day(period.first));
  out.key("hasta").string(format_business_day(period.last));
  write_figures(out, period.figures, true);
  out.end_object();
}

}  // namespace

void write_range(JsonWriter& out, const RangeFigures& range) {
  out.begin_object();
  out.key("desde").string(format_business_day(range.days.front().day));
  out.key("hasta").string(format_business_day(range.days.back().day));
  out.key("total").begin_object();
  write_figures(out, range.total, true);
  out.end_object();
  out.key("dias").begin_array();
  for (const auto& day : range.days) {
    out.begin_object();
    out.key("fecha").string(format_business_day(day.day));
    write_figures(out, day.figures, true);
    out.end_object();
  }
  out.end_array();
  out.key("semanas").begin_array();
  for (const auto& week : range.weeks) write_period(out, week);
  out.end_array();
  out.key("meses").begin_array();
  for (const auto& month : range.months) write_period(out, month);
  out.end_array();
  out.end_object();
}

void write_metrics(JsonWriter& out, const DayMetrics& m, const BusinessCalendar& calendar,
                   const DayComparison* comparison) {
  out.begin_object();
  out.key("top_3_productos").begin_array();
  for (std::size_t i = 0; i < m.products.size() && i < 3; ++i) {
    out.begin_array().string(m.products[i].name).number(m.products[i].units).end_array();
  }
  out.end_array();
  out.key("precio_promedio_por_pedido").raw_number(m.average_order_value().to_decimal());
  out.key("acumulado_ventas_dia").raw_number(m.sales.to_decimal());
  out.key("fecha").string(format_business_day(m.day));
  out.key("zona_horaria").string(calendar.zone_name());
  out.key("total_pedidos").number(m.orders);
  out.key("unidades").number(m.units);
  out.key("productos").begin_array();
  for (const auto& p : m.products) write_product(out, p);
  out.end_array();
  const auto other_products = m.other_products();
  out.key("otros_productos").begin_object();
  out.key("productos").number(other_products.count);
  out.key("unidades").number(other_products.units);
  out.key("ventas").raw_number(other_products.sales.to_decimal());
  out.end_object();
  out.key("ventas_por_hora");
  write_hours(out, m.hours);
  out.key("repartidores").begin_array();
  for (const auto& c : m.couriers) write_courier(out, c);
  out.end_array();
  const auto other_couriers = m.other_couriers();
  out.key("otros_repartidores").begin_object();
  out.key("repartidores").number(other_couriers.count);
  out.key("pedidos").number(other_couriers.orders);
  out.key("unidades").number(other_couriers.units);
  out.key("ventas").raw_number(other_couriers.sales.to_decimal());
  out.end_object();
  out.key("ultimo_pedido");
  if (m.last_order) {
    out.begin_object();
    out.key("secuencia").number(m.last_order->sequence);
    out.key("timestamp").string(calendar.format(m.last_order->occurred_at));
    out.key("registrado_en").string(calendar.format(m.last_order->received_at));
    out.end_object();
  } else {
    out.null();
  }
  if (comparison) {
    out.key("comparacion");
    write_comparison(out, *comparison);
  }
  out.end_object();
}

void write_field_errors(JsonWriter& out, const std::vector<FieldError>& errors) {
  out.begin_object().key("detail").begin_array();
  for (const auto& error : errors) {
    out.begin_object().key("loc").begin_array();
    for (const auto& part : error.loc) {
      if (const auto* name = std::get_if<std::string>(&part)) {
        out.string(*name);
      } else {
        out.number(static_cast<std::int64_t>(std::get<std::size_t>(part)));
      }
    }
    out.end_array();
    out.key("msg").string(error.msg);
    out.key("type").string(error.type);
    out.end_object();
  }
  out.end_array().end_object();
}

}  // namespace cargomon::api
