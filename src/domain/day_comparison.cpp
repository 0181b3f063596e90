#include "domain/day_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace cargomon {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kSecondsPerHour = 3600;
// GCC's and Clang's 128-bit integer (__extension__: not ISO C++).
__extension__ using Wide = __int128;

// round(value * numerator / denominator), half away from zero, without
// overflow for any count of cents (128-bit intermediate).
std::int64_t scaled(std::int64_t value, std::int64_t numerator, std::int64_t denominator) {
  const Wide product = static_cast<Wide>(value) * numerator;
  const Wide half = denominator / 2;
  const Wide rounded =
      product >= 0 ? (product + half) / denominator : -((-product + half) / denominator);
  return static_cast<std::int64_t>(rounded);
}

Figures whole_day(const DayMetrics& day) { return {day.orders, day.units, day.sales}; }

ReferenceComparison compare_with(const Figures& current, const DayMetrics& reference,
                                 seconds time_of_day) {
  ReferenceComparison comparison;
  comparison.day = reference.day;
  comparison.figures = figures_until(reference, time_of_day);
  comparison.whole_day = whole_day(reference);
  comparison.hours = reference.hours;
  comparison.orders_change = percent_change(current.orders, comparison.figures.orders);
  comparison.sales_change = percent_change(current.sales.cents(), comparison.figures.sales.cents());
  if (current.orders > 0 && comparison.figures.orders > 0) {
    comparison.average_order_value_change = percent_change(
        current.average_order_value().cents(), comparison.figures.average_order_value().cents());
  }
  return comparison;
}

std::optional<Projection> project(const Figures& current, const ReferenceComparison& reference) {
  if (reference.figures.sales.cents() <= 0 || reference.figures.orders <= 0) return std::nullopt;
  Projection projection;
  projection.shaped_by = reference.day;
  projection.orders = scaled(current.orders, reference.whole_day.orders, reference.figures.orders);
  projection.sales = Money::from_cents(scaled(
      current.sales.cents(), reference.whole_day.sales.cents(), reference.figures.sales.cents()));
  return projection;
}

}  // namespace

Figures& Figures::operator+=(const Figures& other) {
  orders += other.orders;
  units += other.units;
  sales += other.sales;
  return *this;
}

Figures figures_until(const DayMetrics& day, seconds time_of_day) {
  if (time_of_day >= std::chrono::hours(24)) return whole_day(day);
  Figures figures;
  const auto elapsed = std::max<std::int64_t>(0, time_of_day.count());
  const auto hour = static_cast<std::size_t>(elapsed / kSecondsPerHour);
  for (std::size_t h = 0; h < hour; ++h) {
    figures.orders += day.hours[h].orders;
    figures.sales += day.hours[h].sales;
  }
  const auto into_hour = elapsed % kSecondsPerHour;
  figures.orders += scaled(day.hours[hour].orders, into_hour, kSecondsPerHour);
  figures.sales +=
      Money::from_cents(scaled(day.hours[hour].sales.cents(), into_hour, kSecondsPerHour));
  return figures;
}

std::optional<double> percent_change(std::int64_t current, std::int64_t reference) {
  if (reference == 0) return std::nullopt;
  const double change = (static_cast<double>(current) - static_cast<double>(reference)) /
                        static_cast<double>(reference) * 100.0;
  return std::round(change * 10.0) / 10.0;
}

DayComparison compare_day(const DayMetrics& day, const DayMetrics& day_before,
                          const DayMetrics& week_before, seconds time_of_day) {
  DayComparison comparison;
  comparison.time_of_day = std::min<seconds>(time_of_day, std::chrono::hours(24));
  const auto current = whole_day(day);
  comparison.day_before = compare_with(current, day_before, comparison.time_of_day);
  comparison.week_before = compare_with(current, week_before, comparison.time_of_day);
  if (comparison.time_of_day < std::chrono::hours(24)) {
    comparison.projection = project(current, comparison.week_before);
    if (!comparison.projection) comparison.projection = project(current, comparison.day_before);
  }
  return comparison;
}

BusinessDay days_before(BusinessDay day, int days) {
  return BusinessDay{std::chrono::sys_days(day) - std::chrono::days(days)};
}

RangeFigures summarize_range(BusinessDay first, BusinessDay last,
                             const std::vector<DayFigures>& stored) {
  RangeFigures range;
  const std::chrono::sys_days from(first);
  const std::chrono::sys_days to(last);
  std::map<std::chrono::sys_days, Figures> by_day;
  for (const auto& entry : stored) {
    const std::chrono::sys_days day(entry.day);
    if (day >= from && day <= to) by_day[day] += entry.figures;
  }
  const auto add_to = [](std::vector<PeriodFigures>& periods, bool starts_new, BusinessDay day,
                         const Figures& figures) {
    if (periods.empty() || starts_new) periods.push_back({day, day, {}});
    periods.back().last = day;
    periods.back().figures += figures;
  };
  for (auto day = from; day <= to; day += std::chrono::days(1)) {
    const auto it = by_day.find(day);
    const Figures figures = it == by_day.end() ? Figures{} : it->second;
    const BusinessDay date(day);
    range.days.push_back({date, figures});
    add_to(range.weeks, std::chrono::weekday(day) == std::chrono::Monday, date, figures);
    add_to(range.months, date.day() == std::chrono::day(1), date, figures);
    range.total += figures;
  }
  return range;
}

}  // namespace cargomon
