#include "api/order_csv.hpp"

#include <gtest/gtest.h>

namespace cargomon::api {
namespace {

std::string field(std::string_view value, bool text = true) {
  std::string out;
  append_csv_field(out, value, text);
  return out;
}

TEST(OrderCsv, PlainFieldsAreWrittenAsTheyAre) {
  EXPECT_EQ(field("Moneda"), "Moneda");
  EXPECT_EQ(field("Tijeras pequeñas"), "Tijeras pequeñas");
  EXPECT_EQ(field(""), "");
}

TEST(OrderCsv, CommasQuotesAndLineBreaksAreQuotedWithQuotesDoubled) {
  EXPECT_EQ(field("Sobre, grande"), "\"Sobre, grande\"");
  EXPECT_EQ(field("Estuche \"gafas\""), "\"Estuche \"\"gafas\"\"\"");
  EXPECT_EQ(field("dos\nlíneas"), "\"dos\nlíneas\"");
  EXPECT_EQ(field("cr\rlf"), "\"cr\rlf\"");
}

TEST(OrderCsv, TextThatASpreadsheetWouldRunGetsAnApostrophe) {
  EXPECT_EQ(field("=1+1"), "'=1+1");
  EXPECT_EQ(field("+57"), "'+57");
  EXPECT_EQ(field("-5"), "'-5");
  EXPECT_EQ(field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(field("\tx"), "'\tx");
  EXPECT_EQ(field("\rx"), "\"'\rx\"");
  EXPECT_EQ(field("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
  // Values the server produced are not text from a client.
  EXPECT_EQ(field("-5", false), "-5");
}

TEST(OrderCsv, SemicolonSeparatedSpreadsheetsCannotBeMadeToRunAFormula) {
  // Spreadsheets in Colombian Spanish split on ';': a cell holding one is
  // quoted, and what follows a separator of either kind is guarded as the
  // start of a cell.
  EXPECT_EQ(field("a;b"), "\"a;b\"");
  EXPECT_EQ(field("a;=cmd|' /C calc'!A0"), "\"a;'=cmd|' /C calc'!A0\"");
  EXPECT_EQ(field("a,=1+1"), "\"a,'=1+1\"");
  EXPECT_EQ(field("x;+1;-2;@f"), "\"x;'+1;'-2;'@f\"");
  EXPECT_EQ(field("=a;=b"), "\"'=a;'=b\"");
  EXPECT_EQ(field("fin;"), "\"fin;\"");
  // Server values are written as they are.
  EXPECT_EQ(field("a;=b", false), "\"a;=b\"");
}

TEST(OrderCsv, OneRowPerProductLineInTheBusinessTimezone) {
  const BusinessCalendar calendar("America/Bogota");
  Order order;
  order.order_id = "p-1";
  order.courier = {{"102", true}, "Ana \"La Rápida\", Sur"};
  order.lines = {{"pk1", "Estuche, \"gafas\" ñ\nazul", Money::from_cents(1450), 2},
                 {"pk2", "=1+1", Money::from_cents(10), 1}};
  order.reported_at = calendar.parse_timestamp("2024-09-12T03:50:58.363972Z");
  order.received_at = *order.reported_at;
  order.sequence = 42;
  std::string out;
  append_order_csv(out, order, calendar);
  EXPECT_EQ(out,
            "p-1,42,2024-09-11T22:50:58.363972-05:00,2024-09-11,102,"
            "\"Ana \"\"La Rápida\"\", Sur\",pk1,\"Estuche, \"\"gafas\"\" ñ\nazul\",14.5,2,29\r\n"
            "p-1,42,2024-09-11T22:50:58.363972-05:00,2024-09-11,102,"
            "\"Ana \"\"La Rápida\"\", Sur\",pk2,'=1+1,0.1,1,0.1\r\n");
}

TEST(OrderCsv, AStringCourierIdIsTextAndANumericOneIsNot) {
  const BusinessCalendar calendar("America/Bogota");
  Order order;
  order.order_id = "p-2";
  order.courier = {{"-7", false}, "Luis"};
  order.lines = {{"z", "Sobre", Money::from_cents(205), 1}};
  order.received_at = *calendar.parse_timestamp("2024-09-12 10:00:00");
  order.sequence = 1;
  std::string out;
  append_order_csv(out, order, calendar);
  EXPECT_EQ(out, "p-2,1,2024-09-12T10:00:00-05:00,2024-09-12,'-7,Luis,z,Sobre,2.05,1,2.05\r\n");
}

TEST(OrderCsv, TheHeadIsTheByteOrderMarkAndTheColumnNames) {
  EXPECT_EQ(kOrderCsvHead.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(kOrderCsvHead.substr(3),
            "pedido_id,secuencia,timestamp,fecha,IdRepartidor,Nombre,IdProducto,producto,precio,"
            "cantidad,subtotal\r\n");
}

TEST(OrderCsv, TheSpreadsheetDialectSeparatesWithSemicolonsAndWritesDecimalCommas) {
  EXPECT_EQ(order_csv_head(kCsvForSpreadsheets),
            "\xEF\xBB\xBF"
            "pedido_id;secuencia;timestamp;fecha;IdRepartidor;Nombre;IdProducto;producto;precio;"
            "cantidad;subtotal\r\n");
  EXPECT_EQ(order_csv_head(kCsvForMachines), kOrderCsvHead);

  const BusinessCalendar calendar("America/Bogota");
  Order order;
  order.order_id = "p-3";
  order.courier = {{"102", true}, "Ana; Sur, \"La Rápida\""};
  order.lines = {{"pk1", "Estuche, gafas", Money::from_cents(2860), 3},
                 {"pk2", "a;=1+1", Money::from_cents(123456789), 1},
                 {"pk3", "Moneda", Money::from_cents(100), 2}};
  order.received_at = *calendar.parse_timestamp("2024-09-12 10:00:00.5");
  order.sequence = 7;
  std::string out;
  append_order_csv(out, order, calendar, kCsvForSpreadsheets);
  // Text holding either separator is quoted (and guarded) as in the other
  // dialect; only the separators and the amounts' decimal marks change.
  EXPECT_EQ(out,
            "p-3;7;2024-09-12T10:00:00.500000-05:00;2024-09-12;102;"
            "\"Ana; Sur, \"\"La Rápida\"\"\";pk1;\"Estuche, gafas\";28,6;3;85,8\r\n"
            "p-3;7;2024-09-12T10:00:00.500000-05:00;2024-09-12;102;"
            "\"Ana; Sur, \"\"La Rápida\"\"\";pk2;\"a;'=1+1\";1234567,89;1;1234567,89\r\n"
            "p-3;7;2024-09-12T10:00:00.500000-05:00;2024-09-12;102;"
            "\"Ana; Sur, \"\"La Rápida\"\"\";pk3;Moneda;1;2;2\r\n");
}

}  // namespace
}  // namespace cargomon::api
