// GET /pedidos pages: bounded by bytes as well as by `limit`.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "api/bounded_executor.hpp"
#include "api/handlers/handlers.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon::api {
namespace {

class OrdersHandler : public ::testing::Test {
 protected:
  // An order as large as the order limits allow: 1,000 lines of 200-character names.
  void add_large_order(const std::string& id, int minute) {
    Order order;
    order.order_id = id;
    order.courier = {{"7", true}, "Ana"};
    for (std::size_t i = 0; i < order_limits::max_lines; ++i) {
      order.lines.push_back({"p" + std::to_string(i), std::string(order_limits::max_name, 'n'),
                             Money::from_cents(100), 1});
    }
    order.received_at = clock.now() + std::chrono::minutes(minute);
    memory.register_order(
        order, [](const RegisterResult& r) { ASSERT_EQ(r.status, RegisterStatus::stored); });
  }

  BusinessCalendar calendar{"America/Bogota"};
  FakeClock clock{Timestamp{std::chrono::hours(480000)}};
  MemoryStore memory{calendar};
  auth::TokenService tokens{std::string(32, 's'), std::chrono::minutes(30), clock};
  auth::LoginThrottle throttle{clock};
  InlineExecutor inline_work;
  Services services{calendar, clock,       memory,      memory,  tokens,
                    throttle, inline_work, inline_work, nullptr, {}};
};

TEST_F(OrdersHandler, APageOfLargeOrdersStopsAtItsByteBoundAndTheCursorGoesOn) {
  constexpr int kOrders = 20;  // about 5 MB of JSON in all
  for (int i = 0; i < kOrders; ++i) add_large_order("o" + std::to_string(i), i);

  std::set<std::string> seen;
  QueryParams params{{"limit", "1000"}};
  int pages = 0;
  for (;;) {
    const auto response = get_orders(services, params);
    ASSERT_EQ(response.status, 200) << response.body;
    ++pages;
    // 4 MiB, plus the order that passed it (about 270 KB).
    EXPECT_LT(response.body.size(), (std::size_t{4} << 20) + (std::size_t{512} << 10));
    const auto page = boost::json::parse(response.body).as_object();
    for (const auto& order : page.at("pedidos").as_array()) {
      EXPECT_TRUE(seen.insert(std::string(order.at("pedido_id").as_string())).second);
    }
    if (page.at("next_cursor").is_null()) break;
    params["cursor"] = std::string(page.at("next_cursor").as_string());
    ASSERT_LT(pages, kOrders) << "the cursor does not move on";
  }
  EXPECT_EQ(seen.size(), std::size_t{kOrders});
  EXPECT_EQ(pages, 2);
}

TEST_F(OrdersHandler, SmallOrdersFillThePageToItsLimitAcrossStoreReads) {
  for (int i = 0; i < 120; ++i) {
    Order order;
    order.order_id = "s" + std::to_string(i);
    order.courier = {{"7", true}, "Ana"};
    order.lines = {{"p", "Moneda", Money::from_cents(100), 1}};
    order.received_at = clock.now() + std::chrono::seconds(i);
    memory.register_order(order, [](const RegisterResult&) {});
  }
  const auto response = get_orders(services, {{"limit", "110"}});
  const auto page = boost::json::parse(response.body).as_object();
  ASSERT_EQ(page.at("pedidos").as_array().size(), 110u);
  EXPECT_EQ(page.at("pedidos").as_array()[0].at("pedido_id").as_string(), "s119");
  const auto rest = get_orders(
      services, {{"limit", "110"}, {"cursor", std::string(page.at("next_cursor").as_string())}});
  const auto second = boost::json::parse(rest.body).as_object();
  ASSERT_EQ(second.at("pedidos").as_array().size(), 10u);
  EXPECT_EQ(second.at("pedidos").as_array()[9].at("pedido_id").as_string(), "s0");
  EXPECT_TRUE(second.at("next_cursor").is_null());
}

}  // namespace
}  // namespace cargomon::api
