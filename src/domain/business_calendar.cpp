#include "domain/business_calendar.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>
#include <stdexcept>

namespace cargomon {
namespace {

using std::chrono::microseconds;

bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const char c = text[pos + k];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

std::optional<BusinessDay> read_date(std::string_view text, std::size_t& pos) {
  int y = 0, m = 0, d = 0;
  if (!read_digits(text, pos, 4, y) || !expect(text, pos, '-') || !read_digits(text, pos, 2, m) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, d)) {
    return std::nullopt;
  }
  const BusinessDay day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!day.ok()) return std::nullopt;
  return day;
}

date::local_time<microseconds> to_date_local(BusinessDay day, microseconds time_of_day) {
  const auto days = std::chrono::sys_days{day}.time_since_epoch();
  return date::local_time<microseconds>{days + time_of_day};
}

}  // namespace

std::optional<BusinessDay> parse_business_day(std::string_view text) {
  std::size_t pos = 0;
  auto day = read_date(text, pos);
  if (!day || pos != text.size()) return std::nullopt;
  return day;
}

std::string format_business_day(BusinessDay day) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return buf;
}

BusinessCalendar::BusinessCalendar(std::string_view zone_name) : zone_name_(zone_name) {
  try {
    zone_ = date::locate_zone(zone_name_);
  } catch (const std::exception&) {
    throw std::runtime_error("unknown time zone '" + zone_name_ + "'");
  }
}

BusinessDay BusinessCalendar::day_of(Timestamp t) const {
  const auto local = zone_->to_local(t);
  const auto days = date::floor<date::days>(local).time_since_epoch();
  return BusinessDay{std::chrono::sys_days{days}};
}

int BusinessCalendar::hour_of(Timestamp t) const {
  const auto local = zone_->to_local(t);
  const auto since_midnight = local - date::floor<date::days>(local);
  return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(since_midnight).count());
}

std::chrono::seconds BusinessCalendar::time_of_day(Timestamp t) const {
  const auto local = zone_->to_local(t);
  return std::chrono::duration_cast<std::chrono::seconds>(local - date::floor<date::days>(local));
}

Timestamp BusinessCalendar::start_of(BusinessDay day) const {
  return zone_->to_sys(to_date_local(day, microseconds{0}), date::choose::earliest);
}

std::string BusinessCalendar::format(Timestamp t) const {
  const auto info = zone_->get_info(t);
  const auto local = t + info.offset;
  const auto days = std::chrono::floor<std::chrono::days>(local);
  const BusinessDay ymd{days};
  const auto tod = local - days;
  const auto total_us = tod.count();
  const auto secs = total_us / 1'000'000;
  const auto micros = total_us % 1'000'000;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  if (micros != 0) {
    n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%06lld",
                       static_cast<long long>(micros));
  }
  const auto offset_min = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
  if (offset_min == 0) {
    std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "Z");
  } else {
    const long long a = offset_min < 0 ? -offset_min : offset_min;
    std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "%c%02lld:%02lld",
                  offset_min < 0 ? '-' : '+', a / 60, a % 60);
  }
  return buf;
}

std::optional<Timestamp> BusinessCalendar::parse_timestamp(std::string_view text) const {
  std::size_t pos = 0;
  const auto day = read_date(text, pos);
  if (!day) return std::nullopt;
  // The written date may lie a day outside the range the instant must be in
  // (1970-01-01T00:00Z+01:00 is 1969-12-31T23:00Z, refused below; Bogotá
  // writes 1970-01-01T00:00Z as 1969-12-31T19:00-05:00, accepted).
  const int year = static_cast<int>(day->year());
  if (year < 1969 || year > 2200) return std::nullopt;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ')) return std::nullopt;
  ++pos;
  int hh = 0, mm = 0, ss = 0;
  if (!read_digits(text, pos, 2, hh) || !expect(text, pos, ':') || !read_digits(text, pos, 2, mm)) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!read_digits(text, pos, 2, ss)) return std::nullopt;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      std::size_t digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 6) micros = micros * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0 || digits > 9) return std::nullopt;
      for (std::size_t k = digits; k < 6; ++k) micros *= 10;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  const microseconds time_of_day{((hh * 60LL + mm) * 60 + ss) * 1'000'000 + micros};

  // Bounded by the instant, not by how it is written, so that every accepted
  // instant's own format() (in any zone) is accepted too.
  const auto in_range = [](Timestamp t) -> std::optional<Timestamp> {
    constexpr std::chrono::sys_days first{std::chrono::year{1970} / std::chrono::January / 1};
    constexpr std::chrono::sys_days end{std::chrono::year{2200} / std::chrono::January / 1};
    if (t < first || t >= end) return std::nullopt;
    return t;
  };
  if (pos == text.size()) {
    // No offset: wall-clock time in the business timezone. In a DST gap or
    // overlap the earlier instant is taken; Bogotá has neither.
    return in_range(zone_->to_sys(to_date_local(*day, time_of_day), date::choose::earliest));
  }
  std::chrono::minutes offset{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const bool negative = text[pos] == '-';
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(text, pos, 2, oh)) return std::nullopt;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (!read_digits(text, pos, 2, om)) return std::nullopt;
    if (oh > 18 || om > 59) return std::nullopt;
    offset = std::chrono::minutes{(negative ? -1 : 1) * (oh * 60 + om)};
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const auto utc_days = std::chrono::sys_days{*day};
  return in_range(Timestamp{utc_days.time_since_epoch() + time_of_day - offset});
}

}  // namespace cargomon
