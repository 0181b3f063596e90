#pragma once
// Business days and local times in the business timezone (America/Bogota by
// default). An order belongs to the business day of its timestamp; "today"
// means today here, not "ever" as in the original system.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "domain/clock.hpp"

namespace date {
class time_zone;
}

namespace cargomon {

using BusinessDay = std::chrono::year_month_day;

// "YYYY-MM-DD" for a valid calendar date, otherwise nullopt.
std::optional<BusinessDay> parse_business_day(std::string_view text);
std::string format_business_day(BusinessDay day);

// Immutable after construction; safe to share across threads.
class BusinessCalendar {
 public:
  // Throws std::runtime_error when the tz database does not know `zone_name`.
  explicit BusinessCalendar(std::string_view zone_name);

  const std::string& zone_name() const { return zone_name_; }

  BusinessDay day_of(Timestamp t) const;
  int hour_of(Timestamp t) const;  // 0..23, local wall-clock hour
  // Local wall-clock time since midnight, whole seconds: hour_of() is its hours.
  std::chrono::seconds time_of_day(Timestamp t) const;
  Timestamp start_of(BusinessDay day) const;

  // ISO 8601 with the zone's offset: 2024-09-12T03:50:58.363972-05:00.
  // Microseconds are printed only when non-zero.
  std::string format(Timestamp t) const;

  // Accepts Python's str(datetime) form "YYYY-MM-DD HH:MM:SS[.ffffff]" and ISO
  // 8601 with 'T' (seconds optional), each with or without "Z"/"±HH:MM"/"±HHMM".
  // Without an offset the time is local to this calendar's zone. Fractions
  // beyond microseconds are truncated. Only instants from 1970-01-01T00:00Z
  // to before 2200-01-01T00:00Z, however written: what format() writes for
  // any of them parses back.
  std::optional<Timestamp> parse_timestamp(std::string_view text) const;

 private:
  std::string zone_name_;
  const date::time_zone* zone_;
};

}  // namespace cargomon
