// GET /metrics without a fecha: the business day of the injected clock's
// "now", so the day boundary is pinned without reading the wall clock.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/bounded_executor.hpp"
#include "api/handlers/handlers.hpp"
#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon::api {
namespace {

using namespace std::chrono_literals;

// Remembers which day's figures were asked for (a memory store below).
class RecordingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  DayMetrics day_metrics(BusinessDay day) override {
    asked = day;
    return ForwardingStore::day_metrics(day);
  }

  std::optional<BusinessDay> asked;
};

class MetricsHandler : public ::testing::Test {
 protected:
  std::string default_day_at(Timestamp now) {
    clock.set(now);
    orders.asked.reset();
    const auto response = get_metrics(services, {});
    EXPECT_EQ(response.status, 200);
    std::string fecha(boost::json::parse(response.body).at("fecha").as_string());
    EXPECT_TRUE(orders.asked && format_business_day(*orders.asked) == fecha) << fecha;
    return fecha;
  }

  static Timestamp utc(std::chrono::sys_days day, std::chrono::microseconds time_of_day) {
    return Timestamp{day.time_since_epoch()} + time_of_day;
  }

  BusinessCalendar calendar{"America/Bogota"};
  FakeClock clock{Timestamp{}};
  MemoryStore memory{calendar};
  RecordingStore orders{memory};
  auth::TokenService tokens{std::string(32, 's'), std::chrono::minutes(30), clock};
  auth::LoginThrottle throttle{clock};
  InlineExecutor inline_work;
  Services services{calendar, clock,       orders,      orders,  tokens,
                    throttle, inline_work, inline_work, nullptr, {}};
};

TEST_F(MetricsHandler, TodayIsTheDayInBogotaNotInUtc) {
  using std::chrono::September;
  const auto sept_13 = std::chrono::sys_days{2024y / September / 13};
  // 04:59:59.999999 UTC is still 23:59:59.999999 of the 12th in Bogotá (UTC-5).
  EXPECT_EQ(default_day_at(utc(sept_13, 5h - 1us)), "2024-09-12");
  EXPECT_EQ(default_day_at(utc(sept_13, 5h)), "2024-09-13");
  EXPECT_EQ(default_day_at(utc(sept_13, 0h)), "2024-09-12");
  EXPECT_EQ(default_day_at(utc(sept_13, 23h + 59min)), "2024-09-13");
}

TEST_F(MetricsHandler, AGivenFechaWinsOverTheClock) {
  clock.set(Timestamp{std::chrono::sys_days{std::chrono::year{2030} / 1 / 1}.time_since_epoch()});
  const auto response = get_metrics(services, {{"fecha", "2024-09-12"}});
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(boost::json::parse(response.body).at("fecha"), "2024-09-12");
}

}  // namespace
}  // namespace cargomon::api
