#include "api/metrics_reader.hpp"

#include <algorithm>

namespace cargomon::api {
namespace {

// Today, and a few past days a person is looking at: the cache's bound.
constexpr std::size_t kCachedDays = 8;

}  // namespace

std::chrono::seconds MetricsReader::compared_until(BusinessDay day, Timestamp now) const {
  const auto next = BusinessDay{std::chrono::sys_days(day) + std::chrono::days(1)};
  if (now >= calendar_.start_of(next)) return std::chrono::hours(24);
  if (now < calendar_.start_of(day)) return std::chrono::seconds(0);
  return calendar_.time_of_day(now);
}

MetricsReader::References MetricsReader::references(BusinessDay day, Timestamp now) {
  const std::chrono::sys_days key(day);
  {
    const std::lock_guard lock(mutex_);
    const auto it = cache_.find(key);
    if (it != cache_.end() && now - it->second.read_at < kReferenceRefresh &&
        now >= it->second.read_at) {
      return it->second;
    }
  }
  // Only their totals and hours are used: no rankings read.
  References fresh{store_.ranked_day_metrics(days_before(day, 1), {}),
                   store_.ranked_day_metrics(days_before(day, 7), {}), now};
  const std::lock_guard lock(mutex_);
  cache_.insert_or_assign(key, fresh);
  while (cache_.size() > kCachedDays) {
    const auto oldest = std::min_element(
        cache_.begin(), cache_.end(),
        [](const auto& a, const auto& b) { return a.second.read_at < b.second.read_at; });
    cache_.erase(oldest);
  }
  return fresh;
}

ComparedDay MetricsReader::read(BusinessDay day, MetricsTop top) {
  const auto now = clock_.now();
  ComparedDay compared;
  compared.metrics = store_.ranked_day_metrics(day, top);
  const auto past = references(day, now);
  compared.comparison =
      compare_day(compared.metrics, past.day_before, past.week_before, compared_until(day, now));
  return compared;
}

}  // namespace cargomon::api
