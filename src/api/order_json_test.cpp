#include "api/order_json.hpp"

#include <gtest/gtest.h>

namespace cargomon::api {
namespace {

class OrderJsonTest : public ::testing::Test {
 protected:
  BusinessCalendar calendar{"America/Bogota"};
  Timestamp now = *calendar.parse_timestamp("2024-09-12 12:00:00");

  std::variant<Order, std::vector<FieldError>> decode(std::string_view text) {
    auto parsed = parse_json(text);
    EXPECT_TRUE(std::holds_alternative<JsonNode>(parsed)) << text;
    return decode_order(std::get<JsonNode>(parsed), calendar, now);
  }

  Order decode_ok(std::string_view text) {
    auto result = decode(text);
    if (auto* errors = std::get_if<std::vector<FieldError>>(&result)) {
      ADD_FAILURE() << "unexpected error: " << errors->front().msg;
      return {};
    }
    return std::get<Order>(result);
  }

  std::vector<FieldError> decode_errors(std::string_view text) {
    auto result = decode(text);
    EXPECT_TRUE(std::holds_alternative<std::vector<FieldError>>(result)) << text;
    return std::holds_alternative<std::vector<FieldError>>(result)
               ? std::get<std::vector<FieldError>>(result)
               : std::vector<FieldError>{};
  }

  static std::string loc_text(const FieldError& e) {
    std::string out;
    for (const auto& part : e.loc) {
      out += "/";
      if (const auto* s = std::get_if<std::string>(&part)) {
        out += *s;
      } else {
        out += std::to_string(std::get<std::size_t>(part));
      }
    }
    return out;
  }
};

constexpr const char* kSeedOrder = R"({
  "pedido_id": "4205dd65-056f-462e-8e1f-c801a5e78536",
  "repartidor": {"IdRepartidor": 102, "Nombre": "Carlos García"},
  "productos": [
    {"IdProducto": "pk0001", "producto": "Moneda", "precio": 1},
    {"IdProducto": "pk0007", "producto": "Tijeras pequeñas", "precio": 14.0}
  ],
  "timestamp": "2024-09-12 03:50:58.363972"
})";

TEST_F(OrderJsonTest, DecodesTheSeedOrder) {
  const auto order = decode_ok(kSeedOrder);
  EXPECT_EQ(order.order_id, "4205dd65-056f-462e-8e1f-c801a5e78536");
  EXPECT_EQ(order.courier.id, (CourierId{"102", true}));
  EXPECT_EQ(order.courier.name, "Carlos García");
  ASSERT_EQ(order.lines.size(), 2u);
  EXPECT_EQ(order.lines[1].unit_price.cents(), 1400);
  EXPECT_EQ(order.lines[1].quantity, 1);
  EXPECT_EQ(order.reported_at, calendar.parse_timestamp("2024-09-12 03:50:58.363972"));
  EXPECT_EQ(order.received_at, now);
}

TEST_F(OrderJsonTest, CourierIdAsStringStaysAString) {
  const auto order = decode_ok(
      R"({"pedido_id": "12345", "repartidor": {"IdRepartidor": "101", "Nombre": "María López"},
          "productos": [{"IdProducto": "pk0001", "producto": "Moneda", "precio": 1}]})");
  EXPECT_EQ(order.courier.id, (CourierId{"101", false}));
  EXPECT_FALSE(order.reported_at);
}

TEST_F(OrderJsonTest, QuantityExtensionCountsUnits) {
  const auto order = decode_ok(
      R"({"pedido_id": "q", "repartidor": {"IdRepartidor": 1, "Nombre": "A"},
          "productos": [{"IdProducto": "p", "producto": "Moneda", "precio": 1.5, "cantidad": 4}]})");
  EXPECT_EQ(order.units(), 4);
  EXPECT_EQ(order.total().cents(), 600);
}

TEST_F(OrderJsonTest, ReportsEveryBadFieldWithItsLocation) {
  const auto errors = decode_errors(
      R"({"pedido_id": "", "repartidor": {"IdRepartidor": 1.5},
          "productos": [{"IdProducto": "p", "producto": "x", "precio": -1},
                        {"IdProducto": "p", "producto": "x", "precio": 1.005, "cantidad": 0},
                        "nope"],
          "timestamp": "yesterday"})");
  std::vector<std::string> locs;
  locs.reserve(errors.size());
  for (const auto& e : errors) locs.push_back(loc_text(e));
  EXPECT_EQ(locs, (std::vector<std::string>{
                      "/body/pedido_id", "/body/repartidor/IdRepartidor", "/body/repartidor/Nombre",
                      "/body/productos/0/precio", "/body/productos/1/precio",
                      "/body/productos/1/cantidad", "/body/productos/2", "/body/timestamp"}));
  EXPECT_EQ(errors[3].msg, "must not be negative");
  EXPECT_EQ(errors[4].msg, "must have at most 2 decimals");
  EXPECT_EQ(errors[2].type, "value_error.missing");
}

TEST_F(OrderJsonTest, RejectsWrongShapes) {
  EXPECT_EQ(loc_text(decode_errors("[]")[0]), "/body");
  EXPECT_EQ(decode_errors(R"({"pedido_id": 5, "repartidor": {"IdRepartidor": 1, "Nombre": "A"},
                              "productos": [{"IdProducto": "p", "producto": "x", "precio": 1}]})")
                [0]
                    .msg,
            "must be a string, not a number");
  const auto empty = decode_errors(
      R"({"pedido_id": "a", "repartidor": {"IdRepartidor": 1, "Nombre": "A"}, "productos": []})");
  EXPECT_EQ(empty[0].msg, "must contain at least one product");
  const auto price_text = decode_errors(
      R"({"pedido_id": "a", "repartidor": {"IdRepartidor": 1, "Nombre": "A"},
          "productos": [{"IdProducto": "p", "producto": "x", "precio": "1"}]})");
  EXPECT_EQ(loc_text(price_text[0]), "/body/productos/0/precio");
}

TEST_F(OrderJsonTest, RejectsTimestampsFarInTheFuture) {
  const auto errors = decode_errors(
      R"({"pedido_id": "a", "repartidor": {"IdRepartidor": 1, "Nombre": "A"},
          "productos": [{"IdProducto": "p", "producto": "x", "precio": 1}],
          "timestamp": "2024-09-14 12:00:00"})");
  EXPECT_EQ(loc_text(errors[0]), "/body/timestamp");
}

TEST_F(OrderJsonTest, WritesTheNormalizedOrder) {
  auto order = decode_ok(kSeedOrder);
  order.sequence = 42;
  JsonWriter out;
  write_order(out, order, calendar);
  EXPECT_EQ(out.str(), R"({"pedido_id":"4205dd65-056f-462e-8e1f-c801a5e78536",)"
                       R"("repartidor":{"IdRepartidor":102,"Nombre":"Carlos García"},)"
                       R"("productos":[{"IdProducto":"pk0001","producto":"Moneda","precio":1},)"
                       R"({"IdProducto":"pk0007","producto":"Tijeras pequeñas","precio":14}],)"
                       R"("timestamp":"2024-09-12T03:50:58.363972-05:00","fecha":"2024-09-12",)"
                       R"("total":15,"unidades":2,"secuencia":42})");
}

TEST_F(OrderJsonTest, WritesMetricsWithExactMoney) {
  DayMetrics m;
  m.day = *parse_business_day("2024-09-12");
  m.orders = 13;
  m.units = 23;
  m.sales = Money::from_cents(26880);
  m.products = {{"Moneda", 9, Money::from_cents(900)},
                {"Tarjeta SIM", 7, Money::from_cents(3850)},
                {"Estuche para gafas", 7, Money::from_cents(2000)},
                {"Otro", 1, Money::from_cents(5)}};
  JsonWriter out;
  write_metrics(out, m, calendar);
  const auto& text = out.str();
  EXPECT_EQ(
      text.rfind(R"({"top_3_productos":[["Moneda",9],["Tarjeta SIM",7],["Estuche para gafas",7]],)"
                 R"("precio_promedio_por_pedido":20.68,"acumulado_ventas_dia":268.8,)",
                 0),
      0u)
      << text;
  EXPECT_NE(text.find(R"("ultimo_pedido":null)"), std::string::npos);
}

}  // namespace
}  // namespace cargomon::api
