#pragma once
// The CSV form of orders, shared by `cargomon export --format csv` and
// GET /pedidos.csv so that both write the same bytes: UTF-8 with a byte order
// mark (spreadsheets then read the accents right), a header row, then one row
// per product line, RFC 4180 (CRLF line ends; a field is quoted when it holds
// a comma, a semicolon, a quote or a line break, and its quotes are doubled).
//
// Text fields come from couriers' devices, not from us: one that a
// spreadsheet would run as a formula (=, +, -, @, tab or CR first) is written
// with a leading apostrophe, and so is each such character right after a ','
// or ';' inside it (a spreadsheet that splits on ';', as Spanish-language
// ones do, starts a cell there). Numbers the server computes (secuencia, precio,
// cantidad, subtotal, a numeric IdRepartidor) are written as they are.
//
// Two dialects: the machines' one (',' between fields, '.' in decimals: what
// `cargomon export` writes) and the spreadsheets' one for Colombian Spanish
// (';' between fields, ',' in decimals), which LibreOffice and Excel in es-CO
// open with the amounts as numbers instead of text.

#include <string>
#include <string_view>

#include "domain/business_calendar.hpp"
#include "domain/order.hpp"

namespace cargomon::api {

struct CsvDialect {
  char separator;
  char decimal_mark;
};
inline constexpr CsvDialect kCsvForMachines{',', '.'};
inline constexpr CsvDialect kCsvForSpreadsheets{';', ','};

// The byte order mark and the header row, CRLF-terminated: what a file starts with.
inline constexpr std::string_view kOrderCsvHead =
    "\xEF\xBB\xBF"
    "pedido_id,secuencia,timestamp,fecha,IdRepartidor,Nombre,IdProducto,producto,precio,"
    "cantidad,subtotal\r\n";

// kOrderCsvHead in `dialect`.
std::string order_csv_head(CsvDialect dialect);

// Appends one field. `text`: a value from a client, guarded against formula
// injection; otherwise a value the server produced, written as is (quoted if needed).
void append_csv_field(std::string& out, std::string_view value, bool text);

// Appends the order's rows: one per product line, each CRLF-terminated.
// timestamp and fecha as the API writes them, in the business timezone.
void append_order_csv(std::string& out, const Order& order, const BusinessCalendar& calendar,
                      CsvDialect dialect = kCsvForMachines);

}  // namespace cargomon::api
