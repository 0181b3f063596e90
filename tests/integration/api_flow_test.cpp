// The original system's flow, end to end over HTTP against the real binary.

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "fixture.hpp"
#include "support/seed_orders.hpp"

namespace cargomon::testing {
namespace {

namespace json = boost::json;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CARGOMON_FIXTURES_DIR) + "/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ApiFlow : public ServerTest {};

TEST_F(ApiFlow, SeedFlowGivesTheExactExpectedNumbers) {
  for (const char* order : kSeedOrders) {
    const auto res = client().post_json("/registrar_pedido_entregado", order, admin_token());
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json().at("message"), "Pedido registrado exitosamente");
  }
  const auto metrics = client().get("/metrics?fecha=2024-09-12", admin_token());
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(metrics.body.substr(0, metrics.body.find(",\"fecha\"")),
            R"({"top_3_productos":[["Moneda",2],["Tijeras pequeñas",1],["Tarjeta SIM",1]],)"
            R"("precio_promedio_por_pedido":7.17,"acumulado_ventas_dia":21.5)");
  const auto m = metrics.json();
  EXPECT_EQ(m.at("total_pedidos"), 3);
  EXPECT_EQ(m.at("unidades"), 4);
  EXPECT_EQ(m.at("fecha"), "2024-09-12");
  EXPECT_EQ(m.at("zona_horaria"), "America/Bogota");
  EXPECT_EQ(m.at("ventas_por_hora").as_array()[3].at("pedidos"), 2);

  const auto list = client().get("/pedidos?fecha=2024-09-12", admin_token());
  ASSERT_EQ(list.status, 200);
  const auto listed = list.json();
  const auto& pedidos = listed.at("pedidos").as_array();
  ASSERT_EQ(pedidos.size(), 3u);
  EXPECT_EQ(pedidos[0].at("pedido_id"), "acd5357d-48a0-4e5c-9da0-217486471780");  // newest first
  EXPECT_EQ(pedidos[2].at("repartidor").at("IdRepartidor"), "101");  // sent as a string
  EXPECT_EQ(pedidos[1].at("repartidor").at("IdRepartidor"), 102);    // sent as a number
  EXPECT_EQ(pedidos[1].at("timestamp"), "2024-09-12T03:50:58.363972-05:00");
  EXPECT_TRUE(listed.at("next_cursor").is_null());

  const auto one = client().get("/pedidos/4205dd65-056f-462e-8e1f-c801a5e78536", admin_token());
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json().at("total"), 15);
  EXPECT_EQ(client().get("/pedidos/nope", admin_token()).status, 404);
}

TEST_F(ApiFlow, TheSeedLambdaEventBodyConflictsWithTheSeedTableAndCountsToday) {
  // The seed table holds pedido 12345; the seed's Lambda test event sends
  // 12345 again with other content: the original silently overwrote it.
  ASSERT_EQ(client().post_json("/registrar_pedido_entregado", kSeedOrders[0], admin_token()).status,
            200);
  const auto event = json::parse(fixture("seed-events/registrar_pedido_entregado.json"));
  std::string body(event.at("body").as_string());
  const auto conflict = client().post_json("/registrar_pedido_entregado", body, admin_token());
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_NE(conflict.detail().find("12345"), std::string::npos);
  EXPECT_EQ(client().get("/pedidos/12345", admin_token()).json().at("repartidor").at("Nombre"),
            "Probando probando2");

  // With a fresh id it is stored; without a timestamp it happened now, today.
  body.replace(body.find("12345"), 5, "67890");
  const auto before = client().get("/metrics", admin_token()).json();
  const auto res = client().post_json("/registrar_pedido_entregado", body, admin_token());
  ASSERT_EQ(res.status, 200) << res.body;
  const auto after = client().get("/metrics", admin_token()).json();
  EXPECT_EQ(after.at("total_pedidos").as_int64(), before.at("total_pedidos").as_int64() + 1);
  EXPECT_EQ(after.at("fecha"), res.json().at("pedido").at("fecha"));
}

TEST_F(ApiFlow, ReplayIsIdempotentAndDifferentContentConflicts) {
  const std::string order =
      R"({"pedido_id": "idem-1", "repartidor": {"IdRepartidor": 7, "Nombre": "Ana Fernández"},
          "productos": [{"IdProducto": "pk0003", "producto": "Estuche para gafas", "precio": 12.5}],
          "timestamp": "2024-10-01 10:00:00"})";
  const auto first = client().post_json("/registrar_pedido_entregado", order, admin_token());
  const auto again = client().post_json("/registrar_pedido_entregado", order, admin_token());
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(first.body, again.body);
  EXPECT_EQ(client().get("/metrics?fecha=2024-10-01", admin_token()).json().at("total_pedidos"), 1);

  std::string changed = order;
  changed.replace(changed.find("12.5"), 4, "12.6");
  const auto conflict = client().post_json("/registrar_pedido_entregado", changed, admin_token());
  EXPECT_EQ(conflict.status, 409);
  EXPECT_NE(conflict.detail().find("idem-1"), std::string::npos);
  const auto metrics = client().get("/metrics?fecha=2024-10-01", admin_token()).json();
  EXPECT_EQ(metrics.at("total_pedidos"), 1);
  EXPECT_EQ(metrics.at("acumulado_ventas_dia"), 12.5);
}

TEST_F(ApiFlow, PaginationCoversEveryOrderOnceWithFilters) {
  for (int i = 0; i < 45; ++i) {
    const std::string order =
        R"({"pedido_id": "page-)" + std::to_string(i) + R"(", "repartidor": {"IdRepartidor": )" +
        std::to_string(i % 3) +
        R"(, "Nombre": "C"}, "productos": [{"IdProducto": "p", "producto": "x", "precio": 1}],
          "timestamp": "2024-11-0)" +
        std::to_string(1 + i % 2) + R"( 10:)" + (i < 10 ? "0" : "") + std::to_string(i) +
        R"(:00"})";
    ASSERT_EQ(client().post_json("/registrar_pedido_entregado", order, admin_token()).status, 200);
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    const auto res = client().get(
        "/pedidos?limit=10&fecha=2024-11-01" + (cursor.empty() ? "" : "&cursor=" + cursor),
        admin_token());
    ASSERT_EQ(res.status, 200) << res.body;
    const auto page = res.json();
    for (const auto& order : page.at("pedidos").as_array()) {
      EXPECT_TRUE(seen.insert(std::string(order.at("pedido_id").as_string())).second);
      EXPECT_EQ(order.at("fecha"), "2024-11-01");
    }
    cursor =
        page.at("next_cursor").is_null() ? "" : std::string(page.at("next_cursor").as_string());
    ++pages;
  } while (!cursor.empty());
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_EQ(pages, 3);

  const auto by_courier = client().get("/pedidos?limit=1000&repartidor=2", admin_token()).json();
  EXPECT_EQ(by_courier.at("pedidos").as_array().size(), 15u);
  const auto range =
      client()
          .get("/pedidos?desde=2024-11-02T10:00:00&hasta=2024-11-02T10:10:00", admin_token())
          .json();
  EXPECT_EQ(range.at("pedidos").as_array().size(), 5u);  // minutes 1,3,5,7,9
}

// Today's date in Bogotá (UTC-5 all year: no daylight saving since 1993).
std::string today_in_bogota() {
  const auto now = std::chrono::system_clock::now() - std::chrono::hours(5);
  const auto today = std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(today.year()),
                static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
  return text;
}

TEST_F(ApiFlow, MetricsDefaultToTodayInBogota) {
  // The server reads its own clock: only an answer given while the date
  // stood still proves which day it chose. Across Bogotá's midnight the
  // date changes at most once, so the second try is within one day.
  // (api_test pins the day boundary itself with a fake clock.)
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto before = today_in_bogota();
    const auto m = client().get("/metrics", admin_token()).json();
    if (today_in_bogota() != before) continue;
    EXPECT_EQ(m.at("fecha"), before.c_str());
    return;
  }
  FAIL() << "the date in Bogotá changed during every request";
}

TEST_F(ApiFlow, HealthReadinessAndOpenApiAreServed) {
  EXPECT_EQ(client().get("/healthz").status, 200);
  EXPECT_EQ(client().get("/readyz").status, 200);
  const auto openapi = client().get("/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  EXPECT_TRUE(openapi.json().at("paths").as_object().contains("/registrar_pedido_entregado"));
  // Byte for byte the published document (it is embedded in pieces).
  std::ifstream published(CARGOMON_OPENAPI_JSON, std::ios::binary);
  std::stringstream document;
  document << published.rdbuf();
  EXPECT_EQ(openapi.body, document.str());
}

TEST_F(ApiFlow, AcknowledgedOrdersSurviveARestart) {
  const auto before = client().get("/metrics?fecha=2024-09-12", admin_token()).body;
  const auto orders_before = client().get("/pedidos?limit=1000", admin_token()).json();
  EXPECT_EQ(server().stop(), 0) << server().output();
  start();
  EXPECT_EQ(client().get("/metrics?fecha=2024-09-12", admin_token()).body, before);
  EXPECT_EQ(client().get("/pedidos?limit=1000", admin_token()).json(), orders_before);
}

TEST_F(ApiFlow, OrdersAcknowledgedBeforeAKillAreAllThere) {
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "kill-" + std::to_string(i);
    const auto res = client().post_json(
        "/registrar_pedido_entregado",
        R"({"pedido_id": ")" + id +
            R"(", "repartidor": {"IdRepartidor": 1, "Nombre": "A"}, "productos": [{"IdProducto": "p", "producto": "x", "precio": 2}]})",
        admin_token());
    if (res.status == 200) acknowledged.push_back(id);
  }
  server().kill();
  start();
  for (const auto& id : acknowledged) {
    EXPECT_EQ(client().get("/pedidos/" + id, admin_token()).status, 200) << id;
  }
}

}  // namespace
}  // namespace cargomon::testing
