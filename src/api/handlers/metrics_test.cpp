// GET /metrics without a fecha: the business day of the injected clock's
// "now", so the day boundary is pinned without reading the wall clock.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "api/bounded_executor.hpp"
#include "api/handlers/handlers.hpp"
#include "api/metrics_reader.hpp"
#include "api/order_json.hpp"
#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon::api {
namespace {

using namespace std::chrono_literals;

// Remembers which days' figures were asked for, in order (a memory store below).
class RecordingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  DayMetrics day_metrics(BusinessDay day) override {
    asked.push_back(day);
    return ForwardingStore::day_metrics(day);
  }
  DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) override {
    asked.push_back(day);
    return ForwardingStore::ranked_day_metrics(day, top);
  }

  std::vector<BusinessDay> asked;
};

class MetricsHandler : public ::testing::Test {
 protected:
  std::string default_day_at(Timestamp now) {
    clock.set(now);
    orders.asked.clear();
    const auto response = get_metrics(services, {});
    EXPECT_EQ(response.status, 200);
    std::string fecha(boost::json::parse(response.body).at("fecha").as_string());
    // The day first, then the days it is compared with.
    EXPECT_TRUE(!orders.asked.empty() && format_business_day(orders.asked.front()) == fecha)
        << fecha;
    return fecha;
  }

  static Timestamp utc(std::chrono::sys_days day, std::chrono::microseconds time_of_day) {
    return Timestamp{day.time_since_epoch()} + time_of_day;
  }

  BusinessCalendar calendar{"America/Bogota"};
  FakeClock clock{Timestamp{}};
  MemoryStore memory{calendar};
  RecordingStore orders{memory};
  auth::TokenService tokens{std::string(32, 's'), std::chrono::minutes(30), clock};
  auth::LoginThrottle throttle{clock};
  InlineExecutor inline_work;
  Services services{calendar, clock,       orders,      orders,  tokens,
                    throttle, inline_work, inline_work, nullptr, {}};
};

TEST_F(MetricsHandler, TodayIsTheDayInBogotaNotInUtc) {
  using std::chrono::September;
  const auto sept_13 = std::chrono::sys_days{2024y / September / 13};
  // 04:59:59.999999 UTC is still 23:59:59.999999 of the 12th in Bogotá (UTC-5).
  EXPECT_EQ(default_day_at(utc(sept_13, 5h - 1us)), "2024-09-12");
  EXPECT_EQ(default_day_at(utc(sept_13, 5h)), "2024-09-13");
  EXPECT_EQ(default_day_at(utc(sept_13, 0h)), "2024-09-12");
  EXPECT_EQ(default_day_at(utc(sept_13, 23h + 59min)), "2024-09-13");
}

TEST_F(MetricsHandler, AGivenFechaWinsOverTheClock) {
  clock.set(Timestamp{std::chrono::sys_days{std::chrono::year{2030} / 1 / 1}.time_since_epoch()});
  const auto response = get_metrics(services, {{"fecha", "2024-09-12"}});
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(boost::json::parse(response.body).at("fecha"), "2024-09-12");
}

class MetricsRankings : public MetricsHandler {
 protected:
  // One order a product, the couriers taking turns, at 10:00 in Bogotá.
  void add_orders(int products, int couriers) {
    using std::chrono::September;
    const auto at = utc(std::chrono::sys_days{2024y / September / 12}, 15h);
    for (int i = 0; i < products; ++i) {
      Order order;
      order.order_id = "o" + std::to_string(i);
      const auto courier = std::to_string(i % couriers);
      order.courier = {{courier, true}, "Repartidor de nombre completo " + courier};
      // Different unit counts so that the ranking is not decided by name alone.
      order.lines = {{"p" + std::to_string(i), "Producto del catálogo número " + std::to_string(i),
                      Money::from_cents(125'000'00 + i), 1 + i % 7}};
      order.received_at = at;
      memory.register_order(
          order, [](const RegisterResult& r) { ASSERT_EQ(r.status, RegisterStatus::stored); });
    }
  }

  boost::json::object get(const std::string& path, const QueryParams& params) {
    const auto response = path == "/metrics"             ? get_metrics(services, params)
                          : path == "/metrics/productos" ? get_product_ranking(services, params)
                                                         : get_courier_ranking(services, params);
    EXPECT_EQ(response.status, 200) << response.body;
    body_bytes = response.body.size();
    return boost::json::parse(response.body).as_object();
  }

  std::size_t body_bytes = 0;
};

TEST_F(MetricsRankings, ARealCatalogueGivesASnapshotOfAFewTensOfKilobytes) {
  add_orders(5'000, 500);
  const auto metrics = get("/metrics", {{"fecha", "2024-09-12"}});
  EXPECT_LT(body_bytes, std::size_t{24} << 10);
  EXPECT_EQ(metrics.at("productos").as_array().size(), kSnapshotTop.products);
  EXPECT_EQ(metrics.at("repartidores").as_array().size(), kSnapshotTop.couriers);
  const auto& other_products = metrics.at("otros_productos").as_object();
  EXPECT_EQ(other_products.at("productos").as_int64(), 5'000 - 20);
  const auto& other_couriers = metrics.at("otros_repartidores").as_object();
  EXPECT_EQ(other_couriers.at("repartidores").as_int64(), 500 - 50);
  // What the lists show and what they leave out add up to the day.
  std::int64_t units = other_products.at("unidades").as_int64();
  for (const auto& p : metrics.at("productos").as_array()) units += p.at("unidades").as_int64();
  EXPECT_EQ(units, metrics.at("unidades").as_int64());
  std::int64_t orders = other_couriers.at("pedidos").as_int64();
  for (const auto& c : metrics.at("repartidores").as_array()) orders += c.at("pedidos").as_int64();
  EXPECT_EQ(orders, 5'000);
}

TEST_F(MetricsRankings, TheCompleteRankingsComePageByPageInRankOrder) {
  add_orders(250, 120);
  auto expected = memory.day_metrics(*parse_business_day("2024-09-12"));
  std::vector<std::string> names;
  QueryParams params{{"fecha", "2024-09-12"}, {"limit", "100"}};
  for (int page = 0;; ++page) {
    ASSERT_LT(page, 5) << "next_cursor does not move on";
    const auto body = get("/metrics/productos", params);
    EXPECT_EQ(body.at("total").as_int64(), 250);
    for (const auto& p : body.at("productos").as_array()) {
      names.emplace_back(p.at("producto").as_string());
    }
    if (body.at("next_cursor").is_null()) break;
    params["cursor"] = std::string(body.at("next_cursor").as_string());
  }
  ASSERT_EQ(names.size(), expected.products.size());
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], expected.products[i].name);

  const auto couriers = get("/metrics/repartidores", {{"fecha", "2024-09-12"}, {"limit", "1000"}});
  EXPECT_EQ(couriers.at("repartidores").as_array().size(), 120u);
  EXPECT_TRUE(couriers.at("next_cursor").is_null());
}

TEST_F(MetricsRankings, BadPageParametersAreRefused) {
  EXPECT_EQ(get_product_ranking(services, {{"limit", "0"}}).status, 400);
  EXPECT_EQ(get_product_ranking(services, {{"limit", "1001"}}).status, 400);
  EXPECT_EQ(get_courier_ranking(services, {{"cursor", "x"}}).status, 400);
  EXPECT_EQ(get_courier_ranking(services, {{"cursor", "-1"}}).status, 400);
  EXPECT_EQ(get_courier_ranking(services, {{"fecha", "2024-13-01"}}).status, 400);
}

// Orders at local times of three days: the day, the day before and the same
// weekday a week before, each order of one product at `pesos`.
class MetricsComparison : public MetricsHandler {
 protected:
  void add(const std::string& local_time, std::int64_t pesos) {
    Order order;
    order.order_id = "o" + std::to_string(next_id++);
    order.courier = {{"7", true}, "Ana María Rodríguez"};
    order.lines = {{"p", "Tarjeta SIM", Money::from_cents(pesos * 100), 1}};
    order.reported_at = calendar.parse_timestamp(local_time);
    order.received_at = *calendar.parse_timestamp(local_time);
    memory.register_order(
        order, [](const RegisterResult& r) { ASSERT_EQ(r.status, RegisterStatus::stored); });
  }

  boost::json::object metrics(const QueryParams& params = {}) {
    const auto response = get_metrics(services, params);
    EXPECT_EQ(response.status, 200) << response.body;
    return boost::json::parse(response.body).as_object();
  }

  boost::json::object range(const QueryParams& params) {
    const auto response = get_metrics_range(services, params);
    EXPECT_EQ(response.status, 200) << response.body;
    return boost::json::parse(response.body).as_object();
  }

  int next_id = 0;
};

TEST_F(MetricsComparison, TodaySoFarIsComparedWithYesterdayAndLastWeekAtTheSameTime) {
  // Thursday 2026-12-03 at 10:30 in Bogotá.
  clock.set(*calendar.parse_timestamp("2026-12-03 10:30:00"));
  add("2026-12-03 08:15:00", 100);
  add("2026-12-03 10:05:00", 100);
  add("2026-12-03 10:20:00", 100);
  // Yesterday: 2 orders by 10:00, 2 between 10:00 and 11:00 (half of them by
  // 10:30), 4 in the afternoon.
  for (const char* at : {"2026-12-02 08:00:00", "2026-12-02 09:00:00", "2026-12-02 10:10:00",
                         "2026-12-02 10:50:00", "2026-12-02 15:00:00", "2026-12-02 15:10:00",
                         "2026-12-02 16:00:00", "2026-12-02 17:00:00"}) {
    add(at, 50);
  }
  // Last Thursday: one order by 10:30, three more later.
  for (const char* at : {"2026-11-26 09:00:00", "2026-11-26 12:00:00", "2026-11-26 13:00:00",
                         "2026-11-26 18:00:00"}) {
    add(at, 100);
  }
  add("2026-11-27 09:00:00", 999);  // neither: ignored

  const auto body = metrics();
  const auto& comparison = body.at("comparacion").as_object();
  EXPECT_EQ(comparison.at("hasta_hora"), "10:30");
  const auto& yesterday = comparison.at("dia_anterior").as_object();
  EXPECT_EQ(yesterday.at("fecha"), "2026-12-02");
  EXPECT_EQ(yesterday.at("pedidos").as_int64(), 3);  // 2 + half of 2
  EXPECT_EQ(yesterday.at("ventas").as_int64(), 150);
  EXPECT_EQ(yesterday.at("variacion_pedidos").as_double(), 0.0);
  EXPECT_EQ(yesterday.at("variacion_ventas").as_double(), 100.0);  // 300 against 150
  EXPECT_EQ(yesterday.at("variacion_precio_promedio").as_double(), 100.0);
  EXPECT_EQ(yesterday.at("dia_completo").at("pedidos").as_int64(), 8);
  EXPECT_EQ(yesterday.at("ventas_por_hora").as_array().at(15).at("pedidos").as_int64(), 2);
  const auto& last_week = comparison.at("semana_anterior").as_object();
  EXPECT_EQ(last_week.at("fecha"), "2026-11-26");
  EXPECT_EQ(last_week.at("pedidos").as_int64(), 1);
  EXPECT_EQ(last_week.at("variacion_pedidos").as_double(), 200.0);
  // Last Thursday had done a quarter of its day by 10:30: 3 orders become 12.
  const auto& projection = comparison.at("proyeccion_cierre").as_object();
  EXPECT_EQ(projection.at("pedidos").as_int64(), 12);
  EXPECT_EQ(projection.at("ventas").as_int64(), 1200);
  EXPECT_EQ(projection.at("segun"), "2026-11-26");
}

TEST_F(MetricsComparison, APastDayIsComparedWholeAndProjectsNothing) {
  clock.set(*calendar.parse_timestamp("2026-12-03 10:30:00"));
  add("2026-12-02 18:00:00", 100);
  add("2026-12-01 08:00:00", 80);
  const auto comparison = metrics({{"fecha", "2026-12-02"}}).at("comparacion").as_object();
  EXPECT_EQ(comparison.at("hasta_hora"), "24:00");
  EXPECT_EQ(comparison.at("dia_anterior").at("variacion_ventas").as_double(), 25.0);
  EXPECT_TRUE(comparison.at("semana_anterior").at("variacion_ventas").is_null());  // nothing then
  EXPECT_TRUE(comparison.at("proyeccion_cierre").is_null());
}

TEST_F(MetricsComparison, TheDaysComparedWithAreReadAgainOnlyAfterAWhile) {
  MetricsReader reader(orders, calendar, clock);
  services.metrics_reader = &reader;
  clock.set(*calendar.parse_timestamp("2026-12-03 10:30:00"));
  const auto reads_of = [&](const char* day) {
    return std::count(orders.asked.begin(), orders.asked.end(), *parse_business_day(day));
  };
  metrics();
  add("2026-12-02 09:00:00", 100);  // a late order for yesterday
  clock.set(*calendar.parse_timestamp("2026-12-03 10:30:29"));
  const auto cached = metrics();
  EXPECT_EQ(reads_of("2026-12-02"), 1);
  EXPECT_EQ(reads_of("2026-12-03"), 2);  // the day itself, every time
  EXPECT_EQ(cached.at("comparacion").at("dia_anterior").at("pedidos").as_int64(), 0);
  clock.set(*calendar.parse_timestamp("2026-12-03 10:30:30"));
  const auto fresh = metrics();
  EXPECT_EQ(reads_of("2026-12-02"), 2);
  EXPECT_EQ(fresh.at("comparacion").at("dia_anterior").at("pedidos").as_int64(), 1);
}

TEST_F(MetricsComparison, ARangeGivesEveryDayWeekAndMonthWithTheirTotals) {
  add("2026-11-28 09:00:00", 100);
  add("2026-11-28 10:00:00", 50);
  add("2026-12-01 09:00:00", 30);
  add("2026-12-10 09:00:00", 999);  // after the range
  const auto body = range({{"desde", "2026-11-27"}, {"hasta", "2026-12-02"}});
  EXPECT_EQ(body.at("desde"), "2026-11-27");
  EXPECT_EQ(body.at("total").at("pedidos").as_int64(), 3);
  EXPECT_EQ(body.at("total").at("ventas").as_int64(), 180);
  EXPECT_EQ(body.at("total").at("precio_promedio_por_pedido").as_int64(), 60);
  const auto& days = body.at("dias").as_array();
  ASSERT_EQ(days.size(), 6u);
  EXPECT_EQ(days.at(1).at("fecha"), "2026-11-28");
  EXPECT_EQ(days.at(1).at("pedidos").as_int64(), 2);
  EXPECT_EQ(days.at(0).at("pedidos").as_int64(), 0);
  const auto& weeks = body.at("semanas").as_array();
  ASSERT_EQ(weeks.size(), 2u);
  EXPECT_EQ(weeks.at(1).at("desde"), "2026-11-30");
  EXPECT_EQ(weeks.at(1).at("ventas").as_int64(), 30);
  const auto& months = body.at("meses").as_array();
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months.at(0).at("hasta"), "2026-11-30");
  EXPECT_EQ(months.at(0).at("unidades").as_int64(), 2);
}

TEST_F(MetricsComparison, BadRangesAreRefusedWithWhatIsWrong) {
  const auto refused = [&](const QueryParams& params, const std::string& says) {
    const auto response = get_metrics_range(services, params);
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.body.find(says), std::string::npos) << response.body;
  };
  refused({}, "desde and hasta must be dates");
  refused({{"desde", "2026-12-01"}}, "desde and hasta must be dates");
  refused({{"desde", "2026-02-30"}, {"hasta", "2026-03-01"}}, "must be dates");
  refused({{"desde", "2026-12-02"}, {"hasta", "2026-12-01"}}, "desde must not be after hasta");
  refused({{"desde", "2025-01-01"}, {"hasta", "2026-01-02"}}, "at most 366 days");
  EXPECT_EQ(get_metrics_range(services, {{"desde", "2024-01-01"}, {"hasta", "2024-12-31"}}).status,
            200);  // a leap year whole
}

}  // namespace
}  // namespace cargomon::api
