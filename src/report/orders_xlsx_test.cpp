// A day's orders read back by an independent reader (openpyxl): typed cells
// under the headings people read, a total row that sums, and a bound.

#include "report/orders_xlsx.hpp"

#include <gtest/gtest.h>

#include "report/testing/read_back.hpp"

namespace cargomon {
namespace {

using OrdersXlsx = testing::WorkbookTest;
using testing::at;

Order order_of(const BusinessCalendar& calendar, const char* id, CourierId courier,
               std::vector<OrderLine> lines, const char* time) {
  Order order;
  order.order_id = id;
  order.courier = {std::move(courier), "Ana María Rodríguez Castañeda"};
  order.lines = std::move(lines);
  order.reported_at = calendar.parse_timestamp(time);
  order.received_at = *order.reported_at;
  order.sequence = 42;
  return order;
}

TEST_F(OrdersXlsx, OneTypedRowPerProductLineInTheBusinessZoneAndATotalThatSums) {
  const BusinessCalendar calendar("America/Bogota");
  OrdersWorkbook workbook(calendar, scratch_);
  ASSERT_TRUE(workbook.add(order_of(calendar, "p-1", {"102", true},
                                    {{"pk1", "=1+1", Money::from_cents(1'000'000'000'50), 2},
                                     {"pk2", "Estuche", Money::from_cents(1450), 1}},
                                    "2024-09-12T08:50:58.363972Z")));
  ASSERT_TRUE(workbook.add(order_of(calendar, "p-2", {"007", false},
                                    {{"pk3", "Moneda", Money::from_cents(1), 3}},
                                    "2024-09-12T20:05:00-05:00")));
  const auto file = workbook.finish();
  const auto book = read_back_file(file->path());

  const auto& rows = book.at("Pedidos").as_array();
  ASSERT_EQ(rows.size(), 5U);  // heading, three lines, total
  EXPECT_EQ(at(book, "Pedidos", 0, 2).at("value"), "Fecha y hora");
  EXPECT_EQ(at(book, "Pedidos", 0, 10).at("value"), "Subtotal");

  EXPECT_EQ(at(book, "Pedidos", 1, 0).at("value"), "p-1");
  EXPECT_EQ(at(book, "Pedidos", 1, 1).at("value").to_number<double>(), 42);
  // 08:50:58Z is 03:50:58 in Bogotá: the local time, as a date-time cell.
  EXPECT_EQ(at(book, "Pedidos", 1, 2).at("type"), "d");
  EXPECT_EQ(at(book, "Pedidos", 1, 2).at("value").as_string().subview().substr(0, 19),
            "2024-09-12T03:50:58");
  EXPECT_EQ(at(book, "Pedidos", 1, 2).at("format"), "dd/mm/yyyy hh:mm:ss");
  EXPECT_EQ(at(book, "Pedidos", 1, 3).at("value"), "2024-09-12");
  EXPECT_EQ(at(book, "Pedidos", 1, 4).at("type"), "n");  // sent as a number
  EXPECT_EQ(at(book, "Pedidos", 1, 4).at("value").to_number<double>(), 102);
  // Text from a device is a string cell, never a formula.
  EXPECT_EQ(at(book, "Pedidos", 1, 7).at("type"), "s");
  EXPECT_EQ(at(book, "Pedidos", 1, 7).at("value"), "=1+1");
  EXPECT_EQ(at(book, "Pedidos", 1, 8).at("type"), "n");
  EXPECT_DOUBLE_EQ(at(book, "Pedidos", 1, 8).at("value").to_number<double>(), 1'000'000'000.5);
  EXPECT_EQ(at(book, "Pedidos", 1, 8).at("format"), "#,##0.00");
  EXPECT_DOUBLE_EQ(at(book, "Pedidos", 1, 10).at("value").to_number<double>(), 2'000'000'001.0);
  EXPECT_EQ(at(book, "Pedidos", 3, 4).at("type"), "s");  // "007" keeps its zeros
  EXPECT_EQ(at(book, "Pedidos", 3, 4).at("value"), "007");
  EXPECT_EQ(at(book, "Pedidos", 3, 2).at("value"), "2024-09-12T20:05:00");

  EXPECT_EQ(at(book, "Pedidos", 4, 0).at("value"), "Total");
  EXPECT_EQ(at(book, "Pedidos", 4, 9).at("type"), "f");
  EXPECT_EQ(at(book, "Pedidos", 4, 9).at("value"), "=SUBTOTAL(9,J2:J4)");
  EXPECT_EQ(at(book, "Pedidos", 4, 9).at("cached").to_number<double>(), 6);
  EXPECT_EQ(at(book, "Pedidos", 4, 10).at("value"), "=SUBTOTAL(9,K2:K4)");
  EXPECT_DOUBLE_EQ(at(book, "Pedidos", 4, 10).at("cached").to_number<double>(), 2'000'000'015.53);
}

TEST_F(OrdersXlsx, ADayWithoutOrdersIsTheHeadingAndAZeroTotal) {
  const BusinessCalendar calendar("America/Bogota");
  OrdersWorkbook workbook(calendar, scratch_);
  const auto file = workbook.finish();
  const auto book = read_back_file(file->path());
  ASSERT_EQ(book.at("Pedidos").as_array().size(), 2U);
  EXPECT_EQ(at(book, "Pedidos", 1, 0).at("value"), "Total");
  EXPECT_EQ(at(book, "Pedidos", 1, 10).at("value").to_number<double>(), 0);
}

TEST_F(OrdersXlsx, AnOrderThatWouldPassTheRowsASheetHoldsIsRefusedWhole) {
  const BusinessCalendar calendar("America/Bogota");
  OrdersWorkbook workbook(calendar, scratch_, /*max_lines=*/3);
  const auto two_lines =
      order_of(calendar, "p-1", {"1", true},
               {{"a", "A", Money::from_cents(100), 1}, {"b", "B", Money::from_cents(100), 1}},
               "2024-09-12T08:00:00Z");
  EXPECT_TRUE(workbook.add(two_lines));
  EXPECT_FALSE(workbook.add(two_lines));  // 4 > 3: nothing of it is written
  const auto file = workbook.finish();
  EXPECT_EQ(read_back_file(file->path()).at("Pedidos").as_array().size(), 4U);
}

TEST_F(OrdersXlsx, TheFileIsRemovedWithItsOwner) {
  const BusinessCalendar calendar("America/Bogota");
  std::filesystem::path path;
  {
    OrdersWorkbook workbook(calendar, scratch_);
    const auto file = workbook.finish();
    path = file->path();
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(scratch_));
}

}  // namespace
}  // namespace cargomon
