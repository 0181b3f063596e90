#include "domain/business_calendar.hpp"

#include <gtest/gtest.h>

namespace cargomon {
namespace {

using namespace std::chrono;

Timestamp utc(int y, int mo, int d, int h, int mi, int s, int us = 0) {
  return Timestamp{
      sys_days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}}
          .time_since_epoch() +
      hours{h} + minutes{mi} + seconds{s} + microseconds{us}};
}

class BusinessCalendarTest : public ::testing::Test {
 protected:
  BusinessCalendar bogota{"America/Bogota"};
};

TEST_F(BusinessCalendarTest, ParsesPythonStrDatetimeAsLocalTime) {
  // Bogotá is UTC-5 all year.
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12 03:50:58.363972"),
            utc(2024, 9, 12, 8, 50, 58, 363972));
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12 03:50:58"), utc(2024, 9, 12, 8, 50, 58));
}

TEST_F(BusinessCalendarTest, ParsesIsoWithAndWithoutOffset) {
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12T01:45:00"), utc(2024, 9, 12, 6, 45, 0));
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12T01:45"), utc(2024, 9, 12, 6, 45, 0));
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12T01:45:00Z"), utc(2024, 9, 12, 1, 45, 0));
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12T01:45:00.5+02:00"),
            utc(2024, 9, 11, 23, 45, 0, 500000));
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12T01:45:00-0500"), utc(2024, 9, 12, 6, 45, 0));
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12 01:45:00+00:00"), utc(2024, 9, 12, 1, 45, 0));
  EXPECT_EQ(bogota.parse_timestamp("2024-09-12T01:45:00.123456789Z"),
            utc(2024, 9, 12, 1, 45, 0, 123456));
}

TEST_F(BusinessCalendarTest, RejectsMalformedTimestamps) {
  for (const char* bad :
       {"", "2024-09-12", "2024-13-01 00:00:00", "2024-02-30 00:00:00", "2024-09-12 24:00:00",
        "2024-09-12 23:60:00", "2024-09-12 23:59:60", "2024-09-12X01:00:00", "12/09/2024 01:00",
        "2024-09-12T01:00:00+25:00", "2024-09-12T01:00:00 ", "2024-09-12T01:00:00.",
        "1900-01-01 00:00:00", "2024-9-12 01:00:00", "2024-09-12T01:00:00ZZ", "now"}) {
    EXPECT_FALSE(bogota.parse_timestamp(bad).has_value()) << bad;
  }
}

TEST_F(BusinessCalendarTest, DayBoundariesAreMidnightInBogota) {
  const auto last_second = *bogota.parse_timestamp("2024-09-12 23:59:59");
  const auto midnight = *bogota.parse_timestamp("2024-09-13 00:00:00");
  EXPECT_EQ(format_business_day(bogota.day_of(last_second)), "2024-09-12");
  EXPECT_EQ(format_business_day(bogota.day_of(midnight)), "2024-09-13");
  EXPECT_EQ(bogota.hour_of(last_second), 23);
  EXPECT_EQ(bogota.hour_of(midnight), 0);
  EXPECT_EQ(bogota.start_of(*parse_business_day("2024-09-13")), midnight);
}

TEST_F(BusinessCalendarTest, UtcTimeEarlyInTheMorningBelongsToThePreviousBogotaDay) {
  const auto t = *bogota.parse_timestamp("2024-09-13T03:00:00Z");
  EXPECT_EQ(format_business_day(bogota.day_of(t)), "2024-09-12");
  EXPECT_EQ(bogota.hour_of(t), 22);
}

TEST_F(BusinessCalendarTest, TimeOfDayIsLocalWallClockTime) {
  using std::chrono::seconds;
  EXPECT_EQ(bogota.time_of_day(*bogota.parse_timestamp("2024-09-13T03:00:00.9Z")),
            seconds(22 * 3600));
  EXPECT_EQ(bogota.time_of_day(*bogota.parse_timestamp("2024-09-12 10:42:07")),
            seconds(10 * 3600 + 42 * 60 + 7));
  // A zone whose offset is not whole hours: minutes count from local midnight.
  const BusinessCalendar kolkata("Asia/Kolkata");
  EXPECT_EQ(kolkata.time_of_day(*kolkata.parse_timestamp("2024-09-12T00:00:00Z")),
            seconds(5 * 3600 + 30 * 60));
}

TEST_F(BusinessCalendarTest, FormatsWithTheZoneOffset) {
  EXPECT_EQ(bogota.format(utc(2024, 9, 12, 8, 50, 58, 363972)), "2024-09-12T03:50:58.363972-05:00");
  EXPECT_EQ(bogota.format(utc(2024, 9, 12, 5, 0, 0)), "2024-09-12T00:00:00-05:00");
  EXPECT_EQ(BusinessCalendar("UTC").format(utc(2024, 9, 12, 5, 0, 0)), "2024-09-12T05:00:00Z");
}

TEST_F(BusinessCalendarTest, FormatThenParseRoundTrips) {
  const auto t = utc(2025, 1, 31, 23, 59, 59, 1);
  EXPECT_EQ(bogota.parse_timestamp(bogota.format(t)), t);
}

TEST(BusinessCalendar, UnknownZoneIsAnError) {
  EXPECT_THROW(BusinessCalendar("Mars/Olympus_Mons"), std::runtime_error);
}

TEST(BusinessCalendar, DstZonesUseLocalMidnight) {
  BusinessCalendar madrid("Europe/Madrid");
  // Summer: UTC+2.
  EXPECT_EQ(madrid.start_of(*parse_business_day("2024-07-01")), utc(2024, 6, 30, 22, 0, 0));
  // Winter: UTC+1.
  EXPECT_EQ(madrid.start_of(*parse_business_day("2024-01-01")), utc(2023, 12, 31, 23, 0, 0));
}

TEST(BusinessDayText, ParsesOnlyValidDates) {
  EXPECT_TRUE(parse_business_day("2024-02-29").has_value());
  EXPECT_FALSE(parse_business_day("2023-02-29").has_value());
  EXPECT_FALSE(parse_business_day("2024-1-01").has_value());
  EXPECT_FALSE(parse_business_day("2024-01-01x").has_value());
  EXPECT_EQ(format_business_day(*parse_business_day("2024-02-29")), "2024-02-29");
}

// Found by fuzz/fuzz_timestamp: 1970-01-01T00:00:00Z was accepted, but its
// own form in Bogotá (1969-12-31T19:00:00-05:00) was refused. The range is
// one of instants, whatever date they are written with.
TEST(BusinessCalendar, AcceptsEveryInstantInRangeHoweverWrittenAndParsesItsOwnFormat) {
  const BusinessCalendar bogota("America/Bogota");
  const auto epoch = bogota.parse_timestamp("1970-01-01T00:00:00Z");
  ASSERT_TRUE(epoch.has_value());
  EXPECT_EQ(bogota.format(*epoch), "1969-12-31T19:00:00-05:00");
  EXPECT_EQ(bogota.parse_timestamp(bogota.format(*epoch)), epoch);
  EXPECT_FALSE(bogota.parse_timestamp("1970-01-01T00:00:00+01:00"));  // 1969-12-31T23:00Z
  EXPECT_FALSE(bogota.parse_timestamp("1969-12-31T23:59:59.999999Z"));
  EXPECT_TRUE(bogota.parse_timestamp("2199-12-31T23:59:59.999999Z"));
  EXPECT_TRUE(bogota.parse_timestamp("2200-01-01T00:30:00+01:00"));   // 2199-12-31T23:30Z
  EXPECT_FALSE(bogota.parse_timestamp("2199-12-31T20:00:00-05:00"));  // 2200-01-01T01:00Z
}

}  // namespace
}  // namespace cargomon
