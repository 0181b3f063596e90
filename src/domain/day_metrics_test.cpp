#include "domain/day_metrics.hpp"

#include <gtest/gtest.h>

namespace cargomon {
namespace {

class DayMetricsTest : public ::testing::Test {
 protected:
  BusinessCalendar bogota{"America/Bogota"};

  Order order(std::string id, std::string courier_id, std::string local_time,
              std::vector<OrderLine> lines, std::int64_t sequence) {
    Order o;
    o.order_id = std::move(id);
    o.courier = {{std::move(courier_id), true}, "Courier"};
    o.lines = std::move(lines);
    o.reported_at = bogota.parse_timestamp(local_time);
    o.received_at = *o.reported_at;
    o.sequence = sequence;
    return o;
  }
};

OrderLine line(std::string name, std::int64_t cents, std::int32_t quantity = 1) {
  return {"id-" + name, std::move(name), Money::from_cents(cents), quantity};
}

TEST_F(DayMetricsTest, ChangeGroupsOrdersByBusinessDayAndHour) {
  DayTotalsChange change;
  change.add(order("a", "1", "2024-09-12 23:59:59", {line("Moneda", 100)}, 1), bogota);
  change.add(order("b", "1", "2024-09-13 00:00:00", {line("Moneda", 100, 3)}, 2), bogota);
  ASSERT_EQ(change.days().size(), 2u);
  const auto& first = change.days().at("2024-09-12");
  EXPECT_EQ(first.orders, 1);
  EXPECT_EQ(first.hours.at(23).orders, 1);
  const auto& second = change.days().at("2024-09-13");
  EXPECT_EQ(second.units, 3);
  EXPECT_EQ(second.sales.cents(), 300);
  EXPECT_EQ(second.hours.at(0).sales.cents(), 300);
  EXPECT_EQ(second.last_order->sequence, 2);
}

TEST_F(DayMetricsTest, ChangeSumsProductsByNameAndCouriersById) {
  DayTotalsChange change;
  change.add(order("a", "7", "2024-09-12 10:00:00", {line("Moneda", 100), line("SIM", 550)}, 1),
             bogota);
  change.add(order("b", "7", "2024-09-12 11:00:00", {line("Moneda", 100)}, 2), bogota);
  const auto& day = change.days().at("2024-09-12");
  EXPECT_EQ(day.products.at("Moneda").units, 2);
  EXPECT_EQ(day.products.at("Moneda").sales.cents(), 200);
  EXPECT_EQ(day.couriers.at("7").orders, 2);
  EXPECT_EQ(day.couriers.at("7").sales.cents(), 750);
  EXPECT_EQ(day.last_order->sequence, 2);
}

TEST(DayMetricsRank, MostUnitsFirstThenSalesThenName) {
  DayMetrics m;
  m.products = {{"Zeta", 7, Money::from_cents(700)},
                {"Alfa", 7, Money::from_cents(700)},
                {"Moneda", 9, Money::from_cents(900)},
                {"Caro", 7, Money::from_cents(7000)},
                {"Poco", 1, Money::from_cents(100)}};
  m.rank();
  std::vector<std::string> names;
  for (const auto& p : m.products) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Moneda", "Caro", "Alfa", "Zeta", "Poco"}));
}

TEST(DayMetricsRank, CouriersBySalesThenId) {
  DayMetrics m;
  m.couriers = {{{{"b", false}, "B"}, 1, 1, Money::from_cents(100)},
                {{{"a", false}, "A"}, 1, 1, Money::from_cents(100)},
                {{{"c", false}, "C"}, 1, 1, Money::from_cents(500)}};
  m.rank();
  EXPECT_EQ(m.couriers[0].courier.id.text, "c");
  EXPECT_EQ(m.couriers[1].courier.id.text, "a");
}

TEST(DayMetrics, AverageOrderValueIsRoundedToTheCent) {
  DayMetrics m;
  EXPECT_EQ(m.average_order_value().cents(), 0);
  m.orders = 13;
  m.sales = Money::from_cents(26880);
  EXPECT_EQ(m.average_order_value().to_decimal(), "20.68");
}

}  // namespace
}  // namespace cargomon
