#pragma once
// Whether a day goes well: its figures so far against the day before and the
// same weekday a week before at the same local time, a projection of its
// close, and totals over ranges of days. All from the running per-day and
// per-hour totals (DayMetrics), never from orders.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/day_metrics.hpp"

namespace cargomon {

// Orders, units and sales of some span of time.
struct Figures {
  std::int64_t orders = 0;
  std::int64_t units = 0;
  Money sales;

  Money average_order_value() const { return sales.divided_by(orders); }
  Figures& operator+=(const Figures& other);
};

// A day's figures up to `time_of_day` (local wall-clock time since midnight;
// 24 h or more: the whole day). Only hourly totals are kept, so the hour in
// progress counts for its elapsed fraction, rounded to a whole order and to
// the cent: the best estimate of "by this time" they allow. Units are not
// kept per hour and are left at 0.
Figures figures_until(const DayMetrics& day, std::chrono::seconds time_of_day);

// (current - reference) / reference in percent, to one decimal; nullopt when
// the reference is 0 (no percentage of nothing).
std::optional<double> percent_change(std::int64_t current, std::int64_t reference);

struct ReferenceComparison {
  BusinessDay day;                      // the day compared with
  Figures figures;                      // its figures up to the same local time
  Figures whole_day;                    // its figures at its close
  std::array<HourTotals, 24> hours{};   // its hourly totals, for charts of both days
  std::optional<double> orders_change;  // percent_change of today against it
  std::optional<double> sales_change;
  std::optional<double> average_order_value_change;
};

// The close a day is heading for: its figures so far scaled by the shape of
// a reference day (whole day / same time), so a morning of a day whose
// afternoons are busy is not projected as a flat line.
struct Projection {
  std::int64_t orders = 0;
  Money sales;
  BusinessDay shaped_by;  // the reference day whose shape was used
};

struct DayComparison {
  std::chrono::seconds time_of_day;  // the local time compared up to (24 h: whole days)
  ReferenceComparison day_before;
  ReferenceComparison week_before;  // same weekday, seven days before
  // Only while the day is in progress; shaped by the week before, or by the
  // day before when the week before had nothing by this time; nullopt when
  // neither had.
  std::optional<Projection> projection;
};

// `day` as it stands, compared at `time_of_day` (24 h for a day that is over)
// with `day_before` and `week_before` (their DayMetrics: the rankings are not
// used).
DayComparison compare_day(const DayMetrics& day, const DayMetrics& day_before,
                          const DayMetrics& week_before, std::chrono::seconds time_of_day);

BusinessDay days_before(BusinessDay day, int days);

// Totals of a range of days, by day, ISO week (Monday first) and month, each
// clipped to the range.
struct DayFigures {
  BusinessDay day;
  Figures figures;
};

struct PeriodFigures {
  BusinessDay first;  // the period's first day within the range
  BusinessDay last;   // and its last
  Figures figures;
};

struct RangeFigures {
  std::vector<DayFigures> days;  // every day of the range, oldest first, zeros included
  std::vector<PeriodFigures> weeks;
  std::vector<PeriodFigures> months;
  Figures total;
};

// The longest range asked at once: a year and a day (leap years).
constexpr int kMaxRangeDays = 366;

// `stored`: the days of [first, last] that have orders, in any order (days
// outside the range are ignored). Requires first <= last.
RangeFigures summarize_range(BusinessDay first, BusinessDay last,
                             const std::vector<DayFigures>& stored);

}  // namespace cargomon
