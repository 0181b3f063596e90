// GET /metrics without a fecha: the business day of the injected clock's
// "now", so the day boundary is pinned without reading the wall clock.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/bounded_executor.hpp"
#include "api/handlers/handlers.hpp"
#include "api/order_json.hpp"
#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon::api {
namespace {

using namespace std::chrono_literals;

// Remembers which day's figures were asked for (a memory store below).
class RecordingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  DayMetrics day_metrics(BusinessDay day) override {
    asked = day;
    return ForwardingStore::day_metrics(day);
  }
  DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) override {
    asked = day;
    return ForwardingStore::ranked_day_metrics(day, top);
  }

  std::optional<BusinessDay> asked;
};

class MetricsHandler : public ::testing::Test {
 protected:
  std::string default_day_at(Timestamp now) {
    clock.set(now);
    orders.asked.reset();
    const auto response = get_metrics(services, {});
    EXPECT_EQ(response.status, 200);
    std::string fecha(boost::json::parse(response.body).at("fecha").as_string());
    EXPECT_TRUE(orders.asked && format_business_day(*orders.asked) == fecha) << fecha;
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

}  // namespace
}  // namespace cargomon::api
