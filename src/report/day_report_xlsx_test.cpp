// The workbook read back by an independent reader (openpyxl, read_xlsx.py):
// typed cells with their formats, not text a spreadsheet must guess at.

#include "report/day_report_xlsx.hpp"

#include <gtest/gtest.h>

#include "report/testing/read_back.hpp"

namespace cargomon {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

BusinessDay day(const char* text) { return *parse_business_day(text); }

DayMetrics metrics_of(const char* date, std::initializer_list<std::pair<int, std::int64_t>> sales) {
  DayMetrics m;
  m.day = day(date);
  for (const auto& [hour, cents] : sales) {
    m.hours[static_cast<std::size_t>(hour)] = {1, Money::from_cents(cents)};
    m.orders += 1;
    m.units += 2;
    m.sales += Money::from_cents(cents);
  }
  return m;
}

using DayReportXlsx = testing::WorkbookTest;
using testing::at;

TEST_F(DayReportXlsx, EveryFigureIsATypedCellWithItsFormat) {
  auto today = metrics_of("2026-12-03", {{8, 10'000'000'00}, {9, 250'50}, {15, 99}});
  today.products = {{"Tarjeta SIM", 5, Money::from_cents(10'000'100'50)},
                    {"Estuche para gafas", 1, Money::from_cents(99)}};
  today.product_count = 3;  // one more than listed: summed as "Otros"
  today.couriers = {
      {{{"007", false}, "Ana María Rodríguez Castañeda"}, 3, 6, Money::from_cents(10'000'251'49)}};
  today.courier_count = 1;
  const auto yesterday = metrics_of("2026-12-02", {{8, 5'000'000'00}, {20, 100}});
  const auto last_week = metrics_of("2026-11-26", {{7, 100'00}});
  const auto comparison = compare_day(today, yesterday, last_week, hours(16) + minutes(30));
  const BusinessCalendar calendar("America/Bogota");

  const auto book = read_back(day_report_xlsx(today, comparison, calendar, scratch_));

  EXPECT_EQ(at(book, "Resumen", 1, 1).at("type"), "d");
  EXPECT_EQ(at(book, "Resumen", 1, 1).at("value"), "2026-12-03");
  EXPECT_EQ(at(book, "Resumen", 1, 1).at("format"), "dd/mm/yyyy");
  EXPECT_EQ(at(book, "Resumen", 3, 1).at("value"), "16:30");
  // Pedidos: 3 today, 1 the day before by 16:30.
  EXPECT_EQ(at(book, "Resumen", 7, 1).at("value").to_number<double>(), 3);
  EXPECT_EQ(at(book, "Resumen", 7, 2).at("value").to_number<double>(), 1);
  EXPECT_EQ(at(book, "Resumen", 7, 3).at("value").to_number<double>(), 2.0);  // +200 %
  EXPECT_EQ(at(book, "Resumen", 7, 3).at("format"), "0.0%");
  // Ventas in pesos, a number with two decimals however large.
  const auto& sales = at(book, "Resumen", 8, 1);
  EXPECT_EQ(sales.at("type"), "n");
  EXPECT_DOUBLE_EQ(sales.at("value").to_number<double>(), 10'000'251.49);
  EXPECT_EQ(sales.at("format"), "#,##0.00");
  ASSERT_TRUE(comparison.projection.has_value());  // last week had sales by 16:30
  EXPECT_EQ(at(book, "Resumen", 12, 0).at("value"), "Cierre proyectado: pedidos");

  EXPECT_EQ(at(book, "Por hora", 0, 2).at("value"), "Ventas");
  EXPECT_EQ(at(book, "Por hora", 9, 0).at("value"), "08:00");
  EXPECT_DOUBLE_EQ(at(book, "Por hora", 9, 2).at("value").to_number<double>(), 10'000'000.0);
  EXPECT_DOUBLE_EQ(at(book, "Por hora", 8, 4).at("value").to_number<double>(), 100.0);

  EXPECT_EQ(at(book, "Productos", 1, 1).at("value"), "Tarjeta SIM");
  EXPECT_EQ(at(book, "Productos", 1, 0).at("value").to_number<double>(), 1);
  EXPECT_EQ(at(book, "Productos", 3, 1).at("value"), "Otros 1 productos");

  EXPECT_EQ(at(book, "Repartidores", 1, 1).at("value"), "007");  // zeros kept
  EXPECT_EQ(at(book, "Repartidores", 1, 2).at("value"), "Ana María Rodríguez Castañeda");
  EXPECT_DOUBLE_EQ(at(book, "Repartidores", 1, 5).at("value").to_number<double>(), 10'000'251.49);
}

TEST_F(DayReportXlsx, AChangeWithNothingToCompareWithIsAnEmptyCellAndNoTemporaryFileIsLeft) {
  const auto today = metrics_of("2026-12-03", {{8, 100}});
  const auto comparison =
      compare_day(today, metrics_of("2026-12-02", {}), metrics_of("2026-11-26", {}), hours(24));
  const BusinessCalendar calendar("America/Bogota");
  const auto bytes = day_report_xlsx(today, comparison, calendar, scratch_);
  EXPECT_TRUE(std::filesystem::is_empty(scratch_));
  const auto book = read_back(bytes);
  EXPECT_TRUE(at(book, "Resumen", 7, 3).is_null());
  EXPECT_EQ(at(book, "Resumen", 3, 1).at("value"), "24:00");
  EXPECT_EQ(at(book, "Resumen", 12, 0).at("value"), "Cierre del día anterior: ventas");
}

TEST_F(DayReportXlsx, AScratchDirectoryThatCannotBeWrittenIsAnError) {
  const BusinessCalendar calendar("America/Bogota");
  const auto today = metrics_of("2026-12-03", {});
  EXPECT_THROW(day_report_xlsx(today, compare_day(today, today, today, hours(24)), calendar,
                               scratch_ / "missing"),
               ReportFailed);
}

}  // namespace
}  // namespace cargomon
