#include "domain/order.hpp"

#include <gtest/gtest.h>

namespace cargomon {
namespace {

Order sample() {
  Order order;
  order.order_id = "4205dd65";
  order.courier = {{"102", true}, "Carlos García"};
  order.lines = {{"pk0001", "Moneda", Money::from_cents(100), 1},
                 {"pk0007", "Tijeras pequeñas", Money::from_cents(1400), 2}};
  return order;
}

TEST(Order, TotalAndUnitsCountQuantities) {
  const auto order = sample();
  EXPECT_EQ(order.total().cents(), 2900);
  EXPECT_EQ(order.units(), 3);
}

TEST(Order, OccurredAtFallsBackToReceivedTime) {
  auto order = sample();
  order.received_at = Timestamp{std::chrono::seconds{100}};
  EXPECT_EQ(order.occurred_at(), order.received_at);
  order.reported_at = Timestamp{std::chrono::seconds{50}};
  EXPECT_EQ(order.occurred_at(), *order.reported_at);
}

TEST(Order, SameContentIgnoresServerAssignedFields) {
  auto a = sample();
  auto b = sample();
  b.sequence = 7;
  b.received_at = Timestamp{std::chrono::seconds{999}};
  EXPECT_TRUE(a.same_content(b));
}

TEST(Order, DifferentContentIsDetected) {
  const auto a = sample();
  auto b = sample();
  b.lines[1].unit_price = Money::from_cents(1401);
  EXPECT_FALSE(a.same_content(b));
  b = sample();
  b.courier.id.is_number = false;  // "102" is not 102
  EXPECT_FALSE(a.same_content(b));
  b = sample();
  b.reported_at = Timestamp{};
  EXPECT_FALSE(a.same_content(b));
}

TEST(OrderRules, TextMustBeNonEmptyBoundedAndPrintable) {
  EXPECT_FALSE(check_text("Moneda", 200));
  EXPECT_FALSE(check_text("Tijeras pequeñas", 16));  // counted in characters, not bytes
  EXPECT_EQ(check_text("", 10), "must not be empty");
  EXPECT_EQ(check_text("   ", 10), "must not be blank");
  EXPECT_EQ(check_text("abcdefghijk", 10), "must be at most 10 characters");
  EXPECT_EQ(check_text("a\nb", 10), "must not contain control characters");
}

TEST(OrderRules, QuantityIsBounded) {
  EXPECT_FALSE(check_quantity(1));
  EXPECT_FALSE(check_quantity(10'000));
  EXPECT_TRUE(check_quantity(0));
  EXPECT_TRUE(check_quantity(10'001));
}

TEST(OrderRules, TotalIsBounded) {
  auto order = sample();
  order.lines = {{"p", "x", order_limits::max_unit_price, 10'000}};
  EXPECT_TRUE(check_total(order));
  order.lines = {{"p", "x", order_limits::max_unit_price, 100}};
  EXPECT_FALSE(check_total(order));
}

TEST(OrderRules, ReportedTimeMayNotBeFarInTheFuture) {
  const Timestamp now{std::chrono::hours{1000}};
  EXPECT_FALSE(check_reported_time(now + std::chrono::hours(23), now));
  EXPECT_TRUE(check_reported_time(now + std::chrono::hours(25), now));
  EXPECT_FALSE(check_reported_time(now - std::chrono::hours(24 * 365), now));
}

}  // namespace
}  // namespace cargomon
