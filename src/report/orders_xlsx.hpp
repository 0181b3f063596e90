#pragma once
// A day's orders as an .xlsx workbook: the dashboard's default download for
// people (the CSV stays for programs). The rows of the CSV (one per product
// line, in the order given) as typed cells under headings people read — the
// time as a date and time of the business zone, prices and subtotals as
// numbers — and a total row the spreadsheet recomputes, so a sheet in
// Colombian Spanish sums it right where the dotted CSV reads as text.
//
// Written to disk as it goes (libxlsxwriter's constant_memory mode): memory
// stays bounded however many orders; the file is at most a sheet's rows.
//
// Not thread-safe.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "domain/business_calendar.hpp"
#include "domain/order.hpp"
#include "report/workbook.hpp"

struct lxw_worksheet;

namespace cargomon {

class OrdersWorkbook {
 public:
  // Product lines a workbook holds: a sheet's rows less the heading and the
  // total row.
  static constexpr std::int64_t kMaxLines = Workbook::kMaxRows - 2;

  // Throws ReportFailed. `max_lines` below kMaxLines is for tests.
  OrdersWorkbook(const BusinessCalendar& calendar, const std::filesystem::path& scratch,
                 std::int64_t max_lines = kMaxLines);
  ~OrdersWorkbook();
  OrdersWorkbook(const OrdersWorkbook&) = delete;
  OrdersWorkbook& operator=(const OrdersWorkbook&) = delete;
  OrdersWorkbook(OrdersWorkbook&&) = delete;
  OrdersWorkbook& operator=(OrdersWorkbook&&) = delete;

  // Appends the order's lines; false, appending nothing, when they would
  // pass max_lines (the day needs the CSV).
  bool add(const Order& order);
  // Writes the total row and closes the workbook: the file that holds it,
  // removed when the returned object is. Throws ReportFailed.
  std::unique_ptr<ScratchFile> finish();

 private:
  const BusinessCalendar& calendar_;
  std::int64_t max_lines_;
  std::unique_ptr<ScratchFile> file_;
  std::unique_ptr<Workbook> workbook_;
  lxw_worksheet* sheet_ = nullptr;
  std::int64_t lines_ = 0;
  std::int64_t units_ = 0;
  Money sales_;
};

}  // namespace cargomon
