#include "sim/order_generator.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "api/json.hpp"
#include "api/order_json.hpp"

namespace cargomon::sim {
namespace {

class OrderGeneratorTest : public ::testing::Test {
 protected:
  BusinessCalendar calendar{"America/Bogota"};
  Catalog catalog = default_catalog();
  FakeClock clock{*calendar.parse_timestamp("2024-09-12 03:50:58.363972")};

  Order decode(const GeneratedOrder& generated) {
    auto parsed = api::parse_json(generated.body);
    EXPECT_TRUE(std::holds_alternative<api::JsonNode>(parsed)) << generated.body;
    if (!std::holds_alternative<api::JsonNode>(parsed)) return {};
    auto decoded = api::decode_order(std::get<api::JsonNode>(parsed), calendar, clock.now());
    EXPECT_TRUE(std::holds_alternative<Order>(decoded)) << generated.body;
    return std::holds_alternative<Order>(decoded) ? std::get<Order>(decoded) : Order{};
  }
};

TEST_F(OrderGeneratorTest, EveryOrderIsOneTheApiAcceptsWithTheSeedsShape) {
  OrderGenerator generator(catalog, "America/Bogota", clock, 1, 2);
  const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::size_t> line_counts, couriers;
  std::set<std::string> ids;
  for (int i = 0; i < 2'000; ++i) {
    const auto generated = generator.next();
    const auto order = decode(generated);
    ASSERT_EQ(order.order_id, generated.order_id);
    ASSERT_TRUE(std::regex_match(generated.order_id, uuid_v4)) << generated.order_id;
    ids.insert(generated.order_id);
    ASSERT_EQ(order.lines.size(), generated.lines);
    ASSERT_GE(order.lines.size(), 1u);
    ASSERT_LE(order.lines.size(), 10u);
    line_counts.insert(order.lines.size());
    ASSERT_EQ(order.total(), generated.total);
    ASSERT_EQ(order.courier, catalog.couriers[generated.courier]);
    couriers.insert(generated.courier);
    for (const auto& line : order.lines) {
      const auto it =
          std::find_if(catalog.products.begin(), catalog.products.end(),
                       [&](const CatalogProduct& p) { return p.id == line.product_id; });
      ASSERT_NE(it, catalog.products.end());
      ASSERT_EQ(line.product_name, it->name);
      ASSERT_EQ(line.unit_price, it->price);
      ASSERT_EQ(line.quantity, 1);  // repeated products are repeated lines, as in the seed
    }
    ASSERT_EQ(order.reported_at, clock.now());
  }
  EXPECT_EQ(ids.size(), 2'000u);
  EXPECT_EQ(line_counts.size(), 10u);  // every size from 1 to 10 occurs
  EXPECT_EQ(couriers.size(), catalog.couriers.size());
}

TEST_F(OrderGeneratorTest, TimestampIsLocalTimeWrittenLikePythonsStrOfDatetime) {
  OrderGenerator generator(catalog, "America/Bogota", clock, 1, 2);
  EXPECT_NE(generator.next().body.find(R"("timestamp":"2024-09-12 03:50:58.363972")"),
            std::string::npos);
  clock.set(*calendar.parse_timestamp("2024-09-13T05:00:00Z"));  // midnight in Bogotá
  EXPECT_NE(generator.next().body.find(R"("timestamp":"2024-09-13 00:00:00")"), std::string::npos);
  clock.advance(std::chrono::microseconds(1));
  EXPECT_NE(generator.next().body.find(R"("timestamp":"2024-09-13 00:00:00.000001")"),
            std::string::npos);
}

TEST(LocalTimeFormatter, FollowsDaylightSavingChanges) {
  LocalTimeFormatter madrid("Europe/Madrid");
  const BusinessCalendar utc("UTC");
  // Clocks went from 03:00 CEST back to 02:00 CET at 01:00 UTC on 2024-10-27.
  EXPECT_EQ(madrid.format(*utc.parse_timestamp("2024-10-27T00:59:59.5Z")),
            "2024-10-27 02:59:59.500000");
  EXPECT_EQ(madrid.format(*utc.parse_timestamp("2024-10-27T01:00:00Z")), "2024-10-27 02:00:00");
  EXPECT_THROW(LocalTimeFormatter("Nowhere/Atlantis"), std::runtime_error);
}

TEST_F(OrderGeneratorTest, ChoicesRepeatWithTheSeedAndIdsFollowTheirOwnSeed) {
  OrderGenerator a(catalog, "America/Bogota", clock, 42, 1);
  OrderGenerator b(catalog, "America/Bogota", clock, 42, 2);
  OrderGenerator c(catalog, "America/Bogota", clock, 43, 1);
  bool c_differs = false;
  for (int i = 0; i < 50; ++i) {
    auto x = a.next(), y = b.next(), z = c.next();
    EXPECT_NE(x.order_id, y.order_id);
    EXPECT_EQ(x.courier, y.courier);
    EXPECT_EQ(x.total, y.total);
    x.body.replace(x.body.find(x.order_id), x.order_id.size(), y.order_id);
    EXPECT_EQ(x.body, y.body);
    c_differs |= z.total != x.total;
  }
  EXPECT_TRUE(c_differs);
}

TEST_F(OrderGeneratorTest, CatalogTextIsEscapedInTheBody) {
  Catalog odd;
  odd.couriers = {Courier{CourierId{"R\"1", false}, "Ana \"La Rápida\""}};
  odd.products = {CatalogProduct{"x\\1", "Tapa \"grande\"", Money::from_cents(5)}};
  OrderGenerator generator(odd, "America/Bogota", clock, 1, 1);
  const auto order = decode(generator.next());
  EXPECT_EQ(order.courier.id, (CourierId{"R\"1", false}));
  EXPECT_EQ(order.courier.name, "Ana \"La Rápida\"");
  EXPECT_EQ(order.lines.front().product_id, "x\\1");
  EXPECT_EQ(order.lines.front().unit_price, Money::from_cents(5));
}

}  // namespace
}  // namespace cargomon::sim
