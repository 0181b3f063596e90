#pragma once
// What /metrics and the `metrics` event carry: a day's ranked figures and how
// they compare with the day before and the same weekday a week before at the
// same local time (domain/day_comparison.hpp).
//
// The days compared with are read from the store at most every
// kReferenceRefresh: a metrics event goes to every screen several times a
// second, and the past changes only when an order arrives late. The day
// itself is read every time.
//
// Thread safety: any thread; reads of the store happen outside the lock.

#include <chrono>
#include <map>
#include <mutex>

#include "domain/business_calendar.hpp"
#include "domain/clock.hpp"
#include "domain/day_comparison.hpp"
#include "storage/store.hpp"

namespace cargomon::api {

struct ComparedDay {
  DayMetrics metrics;  // ranked: the first `top` of each list
  DayComparison comparison;
};

class MetricsReader {
 public:
  static constexpr std::chrono::seconds kReferenceRefresh{30};

  MetricsReader(OrderStore& store, const BusinessCalendar& calendar, const Clock& clock)
      : store_(store), calendar_(calendar), clock_(clock) {}

  // Today, by the business calendar, compared up to now; a past day compared
  // whole; a day still to come compared at its start. Throws StoreUnavailable.
  ComparedDay read(BusinessDay day, MetricsTop top);

  // The local time `day` is compared up to at `now`.
  std::chrono::seconds compared_until(BusinessDay day, Timestamp now) const;

 private:
  struct References {
    DayMetrics day_before;
    DayMetrics week_before;
    Timestamp read_at;
  };
  References references(BusinessDay day, Timestamp now);

  OrderStore& store_;
  const BusinessCalendar& calendar_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::chrono::sys_days, References> cache_;  // at most kCachedDays entries
};

}  // namespace cargomon::api
