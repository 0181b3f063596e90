#include "report/workbook.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <utility>

namespace cargomon {
namespace {

constexpr const char* kMoney = "#,##0.00";
constexpr const char* kCount = "#,##0";
constexpr const char* kPercent = "0.0%";
// Day first, as Colombia writes dates, whatever the spreadsheet's locale.
constexpr const char* kDate = "dd/mm/yyyy";
constexpr const char* kDateTime = "dd/mm/yyyy hh:mm:ss";

double pesos(Money money) { return static_cast<double>(money.cents()) / 100.0; }

lxw_row_t cell_row(std::int64_t row) { return static_cast<lxw_row_t>(row); }
lxw_col_t cell_col(int col) { return static_cast<lxw_col_t>(col); }

// "A1"-style name of a column (0 → A, 25 → Z, 26 → AA).
std::string column_name(int col) {
  std::string name;
  for (int c = col + 1; c > 0; c = (c - 1) / 26) {
    name.insert(name.begin(), static_cast<char>('A' + (c - 1) % 26));
  }
  return name;
}

}  // namespace

ScratchFile::ScratchFile(const std::filesystem::path& scratch) {
  // Named as a workbook, since some readers go by the name.
  std::string pattern = (scratch / "cargomon-report-XXXXXX.xlsx").string();
  const int fd = ::mkstemps(pattern.data(), 5);
  if (fd < 0) throw ReportFailed("cannot create a temporary file in " + scratch.string());
  ::close(fd);
  path_ = pattern;
}

ScratchFile::~ScratchFile() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

std::string ScratchFile::read() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw ReportFailed("cannot read the workbook back");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Workbook::Workbook(const std::filesystem::path& file, const std::filesystem::path& scratch,
                   bool streaming)
    : scratch_(scratch.string()) {
  lxw_workbook_options options{};
  options.constant_memory = streaming ? LXW_TRUE : LXW_FALSE;
  options.tmpdir = scratch_.data();
  workbook_ = workbook_new_opt(file.c_str(), &options);
  if (!workbook_) throw ReportFailed("cannot start the workbook");
  bold_ = workbook_add_format(workbook_);
  format_set_bold(bold_);
  heading_ = workbook_add_format(workbook_);
  format_set_bold(heading_);
  format_set_bottom(heading_, LXW_BORDER_THIN);
  title_ = workbook_add_format(workbook_);
  format_set_bold(title_);
  format_set_font_size(title_, 14);
  money_ = number_format(kMoney);
  count_ = number_format(kCount);
  percent_ = number_format(kPercent);
  date_ = number_format(kDate);
  date_time_ = number_format(kDateTime);
}

Workbook::~Workbook() {
  // Only on an early exit: a written workbook has been closed already.
  if (workbook_) workbook_close(workbook_);
}

lxw_worksheet* Workbook::sheet(const char* name) {
  auto* sheet = workbook_add_worksheet(workbook_, name);
  if (!sheet) throw ReportFailed("cannot add a sheet");
  return sheet;
}

void Workbook::text(lxw_worksheet* sheet, std::int64_t row, int col, const std::string& value,
                    lxw_format* format) {
  // A string cell, never a formula, whatever the text starts with.
  worksheet_write_string(sheet, cell_row(row), cell_col(col), value.c_str(), format);
}

void Workbook::money(lxw_worksheet* sheet, std::int64_t row, int col, Money value) {
  worksheet_write_number(sheet, cell_row(row), cell_col(col), pesos(value), money_);
}

void Workbook::count(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t value) {
  worksheet_write_number(sheet, cell_row(row), cell_col(col), static_cast<double>(value), count_);
}

void Workbook::number(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t value) {
  worksheet_write_number(sheet, cell_row(row), cell_col(col), static_cast<double>(value), nullptr);
}

void Workbook::change(lxw_worksheet* sheet, std::int64_t row, int col,
                      const std::optional<double>& percent) {
  if (!percent) return;
  worksheet_write_number(sheet, cell_row(row), cell_col(col), *percent / 100.0, percent_);
}

void Workbook::date(lxw_worksheet* sheet, std::int64_t row, int col, BusinessDay day) {
  lxw_datetime value{};
  value.year = static_cast<int>(day.year());
  value.month = static_cast<int>(static_cast<unsigned>(day.month()));
  value.day = static_cast<int>(static_cast<unsigned>(day.day()));
  worksheet_write_datetime(sheet, cell_row(row), cell_col(col), &value, date_);
}

void Workbook::date_time(lxw_worksheet* sheet, std::int64_t row, int col, Timestamp t,
                         const BusinessCalendar& calendar) {
  using namespace std::chrono;
  const BusinessDay day = calendar.day_of(t);
  const auto since_midnight = calendar.time_of_day(t);
  // Zone offsets are whole minutes: the fraction of a second is the same
  // in local time as in UTC.
  const auto fraction = t - floor<seconds>(t);
  lxw_datetime value{};
  value.year = static_cast<int>(day.year());
  value.month = static_cast<int>(static_cast<unsigned>(day.month()));
  value.day = static_cast<int>(static_cast<unsigned>(day.day()));
  value.hour = static_cast<int>(duration_cast<hours>(since_midnight).count());
  value.min = static_cast<int>(duration_cast<minutes>(since_midnight).count() % 60);
  value.sec = static_cast<double>(since_midnight.count() % 60) +
              static_cast<double>(fraction.count()) / 1e6;
  worksheet_write_datetime(sheet, cell_row(row), cell_col(col), &value, date_time_);
}

void Workbook::sum(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t first_row,
                   std::int64_t last_row, double value, lxw_format* format) {
  const std::string column = column_name(col);
  const std::string formula = "=SUBTOTAL(9," + column + std::to_string(first_row + 1) + ":" +
                              column + std::to_string(last_row + 1) + ")";
  worksheet_write_formula_num(sheet, cell_row(row), cell_col(col), formula.c_str(), format, value);
}

void Workbook::money_sum(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t first_row,
                         std::int64_t last_row, Money value) {
  sum(sheet, row, col, first_row, last_row, pesos(value), money_);
}

void Workbook::count_sum(lxw_worksheet* sheet, std::int64_t row, int col, std::int64_t first_row,
                         std::int64_t last_row, std::int64_t value) {
  sum(sheet, row, col, first_row, last_row, static_cast<double>(value), count_);
}

void Workbook::widths(lxw_worksheet* sheet, std::initializer_list<double> widths) {
  lxw_col_t col = 0;
  for (const double width : widths) {
    worksheet_set_column(sheet, col, col, width, nullptr);
    ++col;
  }
}

void Workbook::freeze(lxw_worksheet* sheet, std::int64_t rows) {
  worksheet_freeze_panes(sheet, cell_row(rows), 0);
}

void Workbook::close() {
  const auto result = workbook_close(std::exchange(workbook_, nullptr));
  if (result != LXW_NO_ERROR) {
    throw ReportFailed(std::string("cannot write the workbook: ") + lxw_strerror(result));
  }
}

lxw_format* Workbook::number_format(const char* pattern) {
  auto* format = workbook_add_format(workbook_);
  format_set_num_format(format, pattern);
  return format;
}

}  // namespace cargomon
