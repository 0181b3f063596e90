#include "domain/day_comparison.hpp"

#include <gtest/gtest.h>

namespace cargomon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

BusinessDay day(const char* text) { return *parse_business_day(text); }

// A day with `orders` orders of `pesos` pesos each in every listed hour.
DayMetrics day_with(const char* date, std::initializer_list<std::pair<int, std::int64_t>> hours_,
                    std::int64_t pesos = 10) {
  DayMetrics metrics;
  metrics.day = day(date);
  for (const auto& [hour, orders] : hours_) {
    metrics.hours[static_cast<std::size_t>(hour)] = {orders,
                                                     Money::from_cents(orders * pesos * 100)};
    metrics.orders += orders;
    metrics.units += orders * 2;
    metrics.sales += Money::from_cents(orders * pesos * 100);
  }
  return metrics;
}

TEST(FiguresUntil, CountsCompleteHoursAndTheElapsedFractionOfTheCurrentOne) {
  const auto metrics = day_with("2026-12-01", {{8, 10}, {9, 20}, {10, 40}});
  EXPECT_EQ(figures_until(metrics, hours(9)).orders, 10);  // 09:00: hour 9 has not begun
  const auto at_half_past_nine = figures_until(metrics, hours(9) + minutes(30));
  EXPECT_EQ(at_half_past_nine.orders, 20);  // 10 + half of 20
  EXPECT_EQ(at_half_past_nine.sales, Money::from_cents(20'000));
  EXPECT_EQ(figures_until(metrics, hours(11)).orders, 70);
  EXPECT_EQ(figures_until(metrics, hours(24)).units, 140);  // the whole day, units included
  EXPECT_EQ(figures_until(metrics, seconds(0)).orders, 0);
}

TEST(FiguresUntil, RoundsTheFractionHalfUpToAWholeOrderAndTheCent) {
  DayMetrics metrics;
  metrics.hours[0] = {3, Money::from_cents(101)};
  // A sixth of the hour: 0.5 orders and 16.83 cents.
  const auto figures = figures_until(metrics, minutes(10));
  EXPECT_EQ(figures.orders, 1);
  EXPECT_EQ(figures.sales, Money::from_cents(17));
}

TEST(PercentChange, IsRoundedToOneDecimalAndAbsentAgainstNothing) {
  EXPECT_EQ(percent_change(112, 100), 12.0);
  EXPECT_EQ(percent_change(1, 3), -66.7);
  EXPECT_EQ(percent_change(0, 5), -100.0);
  EXPECT_FALSE(percent_change(5, 0).has_value());
}

TEST(CompareDay, ComparesTodaySoFarWithTheDayBeforeAndTheWeekBeforeAtTheSameTime) {
  // Tuesday 10:30: 30 orders so far.
  const auto today = day_with("2026-12-01", {{8, 10}, {9, 15}, {10, 5}}, 12);
  const auto monday = day_with("2026-11-30", {{8, 10}, {9, 10}, {10, 20}, {15, 60}}, 10);
  const auto last_tuesday = day_with("2026-11-24", {{8, 5}, {9, 10}, {10, 10}, {16, 75}}, 10);
  const auto comparison = compare_day(today, monday, last_tuesday, hours(10) + minutes(30));

  EXPECT_EQ(comparison.day_before.day, day("2026-11-30"));
  EXPECT_EQ(comparison.day_before.figures.orders, 30);  // 10 + 10 + half of 20
  EXPECT_EQ(comparison.day_before.orders_change, 0.0);
  EXPECT_EQ(comparison.day_before.sales_change, 20.0);  // 12 pesos an order against 10
  EXPECT_EQ(comparison.day_before.average_order_value_change, 20.0);
  EXPECT_EQ(comparison.day_before.whole_day.orders, 100);

  EXPECT_EQ(comparison.week_before.figures.orders, 20);  // 5 + 10 + half of 10
  EXPECT_EQ(comparison.week_before.orders_change, 50.0);
  EXPECT_EQ(comparison.week_before.sales_change, 80.0);  // 360 pesos against 200

  // Last Tuesday had done a fifth of its day by 10:30 (20 of 100 orders).
  ASSERT_TRUE(comparison.projection.has_value());
  EXPECT_EQ(comparison.projection->shaped_by, day("2026-11-24"));
  EXPECT_EQ(comparison.projection->orders, 150);
  EXPECT_EQ(comparison.projection->sales, Money::from_cents(360 * 100 * 1000 / 200));
}

TEST(CompareDay, ShapesTheProjectionByTheDayBeforeWhenTheWeekBeforeHadNothingYet) {
  const auto today = day_with("2026-12-01", {{8, 10}});
  const auto monday = day_with("2026-11-30", {{8, 10}, {12, 30}});
  const auto last_tuesday = day_with("2026-11-24", {{14, 10}});
  const auto comparison = compare_day(today, monday, last_tuesday, hours(9));
  ASSERT_TRUE(comparison.projection.has_value());
  EXPECT_EQ(comparison.projection->shaped_by, day("2026-11-30"));
  EXPECT_EQ(comparison.projection->orders, 40);
  EXPECT_FALSE(comparison.week_before.orders_change.has_value());  // nothing to compare with
}

TEST(CompareDay, ProjectsNothingWithoutAReferenceNorForADayThatIsOver) {
  const auto today = day_with("2026-12-01", {{8, 10}});
  const DayMetrics empty{};
  EXPECT_FALSE(compare_day(today, empty, empty, hours(9)).projection.has_value());
  const auto monday = day_with("2026-11-30", {{8, 10}});
  const auto over = compare_day(today, monday, monday, hours(24));
  EXPECT_FALSE(over.projection.has_value());
  EXPECT_EQ(over.day_before.figures.units, 20);  // whole days are compared whole
}

TEST(SummarizeRange, ListsEveryDayAndGroupsByIsoWeekAndMonthClippedToTheRange) {
  // Friday 2026-11-27 to Wednesday 2026-12-02.
  const std::vector<DayFigures> stored{
      {day("2026-11-28"), {2, 3, Money::from_cents(500)}},
      {day("2026-11-30"), {1, 1, Money::from_cents(100)}},
      {day("2026-12-02"), {4, 4, Money::from_cents(1000)}},
      {day("2026-12-05"), {9, 9, Money::from_cents(9900)}},  // outside: ignored
  };
  const auto range = summarize_range(day("2026-11-27"), day("2026-12-02"), stored);
  ASSERT_EQ(range.days.size(), 6U);
  EXPECT_EQ(range.days[0].figures.orders, 0);
  EXPECT_EQ(range.days[1].figures.orders, 2);
  ASSERT_EQ(range.weeks.size(), 2U);  // Monday 2026-11-30 starts the second
  EXPECT_EQ(range.weeks[0].first, day("2026-11-27"));
  EXPECT_EQ(range.weeks[0].last, day("2026-11-29"));
  EXPECT_EQ(range.weeks[0].figures.orders, 2);
  EXPECT_EQ(range.weeks[1].first, day("2026-11-30"));
  EXPECT_EQ(range.weeks[1].figures.sales, Money::from_cents(1100));
  ASSERT_EQ(range.months.size(), 2U);
  EXPECT_EQ(range.months[0].last, day("2026-11-30"));
  EXPECT_EQ(range.months[1].first, day("2026-12-01"));
  EXPECT_EQ(range.months[1].figures.orders, 4);
  EXPECT_EQ(range.total.orders, 7);
  EXPECT_EQ(range.total.units, 8);
  EXPECT_EQ(range.total.average_order_value(), Money::from_cents(229));  // 16 / 7 pesos
}

TEST(DaysBefore, CrossesMonthsAndYears) {
  EXPECT_EQ(days_before(day("2026-01-03"), 7), day("2025-12-27"));
  EXPECT_EQ(days_before(day("2024-03-01"), 1), day("2024-02-29"));
}

}  // namespace
}  // namespace cargomon
