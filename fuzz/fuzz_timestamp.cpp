// Timestamps: BusinessCalendar::parse_timestamp, the parser of an order's
// "timestamp" and of GET /pedidos?desde=…&hasta=…, in the business timezone
// (Bogotá, no DST) and in one with DST gaps and overlaps (Madrid), chosen by
// the first byte.
//
// Checks: a parsed instant lies in the documented range (1970-01-01T00:00Z
// to before 2200-01-01T00:00Z), and the calendar's own ISO 8601 form of it
// (what every answer carries) parses back to the same instant.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/business_calendar.hpp"
#include "fuzz_check.hpp"

namespace {

using cargomon::BusinessCalendar;
using cargomon::Timestamp;
using cargomon::fuzz::check;

const BusinessCalendar& calendar(std::uint8_t selector) {
  static const BusinessCalendar bogota("America/Bogota");
  static const BusinessCalendar madrid("Europe/Madrid");
  return selector % 2 == 0 ? bogota : madrid;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const BusinessCalendar& zone = calendar(data[0]);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto parsed = zone.parse_timestamp(text);
  if (!parsed) return 0;

  using std::chrono::sys_days;
  using namespace std::chrono_literals;
  check(*parsed >= sys_days{1970y / 1 / 1} && *parsed < sys_days{2200y / 1 / 1},
        "a parsed instant lies in [1970-01-01T00:00Z, 2200-01-01T00:00Z)");

  const std::string formatted = zone.format(*parsed);
  const auto again = zone.parse_timestamp(formatted);
  check(again.has_value(), "the calendar parses its own format");
  check(*again == *parsed, "format then parse gives the same instant");
  (void)zone.day_of(*parsed);
  (void)zone.hour_of(*parsed);
  return 0;
}
