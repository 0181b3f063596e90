#include "report/day_report_xlsx.hpp"

#include <unistd.h>
#include <xlsxwriter.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

namespace cargomon {
namespace {

constexpr const char* kMoney = "#,##0.00";
constexpr const char* kCount = "#,##0";
constexpr const char* kPercent = "0.0%";

// A file in `scratch` that is gone when this is.
class ScratchFile {
 public:
  explicit ScratchFile(const std::filesystem::path& scratch) {
    std::string pattern = (scratch / "cargomon-report-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw ReportFailed("cannot create a temporary file in " + scratch.string());
    ::close(fd);
    path_ = pattern;
  }
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ScratchFile(ScratchFile&&) = delete;
  ScratchFile& operator=(ScratchFile&&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct WorkbookClose {
  void operator()(lxw_workbook* workbook) const {
    // Only on an early exit: a written workbook has been closed already.
    if (workbook) workbook_close(workbook);
  }
};

double pesos(Money money) { return static_cast<double>(money.cents()) / 100.0; }

class Writer {
 public:
  Writer(const std::filesystem::path& file, const std::filesystem::path& scratch)
      : scratch_(scratch.string()) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    options.tmpdir = scratch_.data();
    workbook_.reset(workbook_new_opt(file.c_str(), &options));
    if (!workbook_) throw ReportFailed("cannot start the workbook");
    bold_ = workbook_add_format(workbook_.get());
    format_set_bold(bold_);
    heading_ = workbook_add_format(workbook_.get());
    format_set_bold(heading_);
    format_set_bottom(heading_, LXW_BORDER_THIN);
    title_ = workbook_add_format(workbook_.get());
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    money_ = number_format(kMoney);
    count_ = number_format(kCount);
    percent_ = number_format(kPercent);
    date_ = number_format("dd/mm/yyyy");
  }

  lxw_worksheet* sheet(const char* name) {
    auto* sheet = workbook_add_worksheet(workbook_.get(), name);
    if (!sheet) throw ReportFailed("cannot add a sheet");
    return sheet;
  }

  void text(lxw_worksheet* sheet, int row, int col, const std::string& value,
            lxw_format* format = nullptr) {
    worksheet_write_string(sheet, cell_row(row), cell_col(col), value.c_str(), format);
  }
  void money(lxw_worksheet* sheet, int row, int col, Money value) {
    worksheet_write_number(sheet, cell_row(row), cell_col(col), pesos(value), money_);
  }
  void count(lxw_worksheet* sheet, int row, int col, std::int64_t value) {
    worksheet_write_number(sheet, cell_row(row), cell_col(col), static_cast<double>(value), count_);
  }
  // A change in percent (12.5) as the fraction a spreadsheet's % format shows
  // (0.125); an empty cell when there was nothing to compare with.
  void change(lxw_worksheet* sheet, int row, int col, const std::optional<double>& percent) {
    if (!percent) return;
    worksheet_write_number(sheet, cell_row(row), cell_col(col), *percent / 100.0, percent_);
  }
  void date(lxw_worksheet* sheet, int row, int col, BusinessDay day) {
    lxw_datetime value{};
    value.year = static_cast<int>(day.year());
    value.month = static_cast<int>(static_cast<unsigned>(day.month()));
    value.day = static_cast<int>(static_cast<unsigned>(day.day()));
    worksheet_write_datetime(sheet, cell_row(row), cell_col(col), &value, date_);
  }
  void widths(lxw_worksheet* sheet, std::initializer_list<double> widths) {
    lxw_col_t col = 0;
    for (const double width : widths) {
      worksheet_set_column(sheet, col, col, width, nullptr);
      ++col;
    }
  }

  lxw_format* bold() const { return bold_; }
  lxw_format* heading() const { return heading_; }
  lxw_format* title() const { return title_; }

  void close() {
    const auto result = workbook_close(workbook_.release());
    if (result != LXW_NO_ERROR) {
      throw ReportFailed(std::string("cannot write the workbook: ") + lxw_strerror(result));
    }
  }

 private:
  static lxw_row_t cell_row(int row) { return static_cast<lxw_row_t>(row); }
  static lxw_col_t cell_col(int col) { return static_cast<lxw_col_t>(col); }
  lxw_format* number_format(const char* pattern) {
    auto* format = workbook_add_format(workbook_.get());
    format_set_num_format(format, pattern);
    return format;
  }

  std::string scratch_;  // options.tmpdir points into it
  std::unique_ptr<lxw_workbook, WorkbookClose> workbook_;
  lxw_format* bold_ = nullptr;
  lxw_format* heading_ = nullptr;
  lxw_format* title_ = nullptr;
  lxw_format* money_ = nullptr;
  lxw_format* count_ = nullptr;
  lxw_format* percent_ = nullptr;
  lxw_format* date_ = nullptr;
};

std::string hour_label(std::int64_t minutes) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return text.data();
}

void write_summary(Writer& w, const DayMetrics& day, const DayComparison& comparison,
                   const BusinessCalendar& calendar) {
  auto* s = w.sheet("Resumen");
  w.widths(s, {30, 16, 16, 12, 16, 12});
  w.text(s, 0, 0, "Informe del día", w.title());
  w.text(s, 1, 0, "Fecha", w.bold());
  w.date(s, 1, 1, day.day);
  w.text(s, 2, 0, "Zona horaria", w.bold());
  w.text(s, 2, 1, calendar.zone_name());
  w.text(s, 3, 0, "Comparado hasta la hora", w.bold());
  w.text(
      s, 3, 1,
      hour_label(std::chrono::duration_cast<std::chrono::minutes>(comparison.time_of_day).count()));

  const auto& before = comparison.day_before;
  const auto& week = comparison.week_before;
  const int header = 5;
  w.text(s, header, 0, "", w.heading());
  w.text(s, header, 1, "Este día", w.heading());
  w.text(s, header, 2, "Día anterior", w.heading());
  w.text(s, header, 3, "Variación", w.heading());
  w.text(s, header, 4, "Semana anterior", w.heading());
  w.text(s, header, 5, "Variación", w.heading());
  w.text(s, header + 1, 0, "Fecha");
  w.date(s, header + 1, 1, day.day);
  w.date(s, header + 1, 2, before.day);
  w.date(s, header + 1, 4, week.day);
  w.text(s, header + 2, 0, "Pedidos");
  w.count(s, header + 2, 1, day.orders);
  w.count(s, header + 2, 2, before.figures.orders);
  w.change(s, header + 2, 3, before.orders_change);
  w.count(s, header + 2, 4, week.figures.orders);
  w.change(s, header + 2, 5, week.orders_change);
  w.text(s, header + 3, 0, "Ventas");
  w.money(s, header + 3, 1, day.sales);
  w.money(s, header + 3, 2, before.figures.sales);
  w.change(s, header + 3, 3, before.sales_change);
  w.money(s, header + 3, 4, week.figures.sales);
  w.change(s, header + 3, 5, week.sales_change);
  w.text(s, header + 4, 0, "Precio promedio por pedido");
  w.money(s, header + 4, 1, day.average_order_value());
  w.money(s, header + 4, 2, before.figures.average_order_value());
  w.change(s, header + 4, 3, before.average_order_value_change);
  w.money(s, header + 4, 4, week.figures.average_order_value());
  w.change(s, header + 4, 5, week.average_order_value_change);
  w.text(s, header + 5, 0, "Unidades");
  w.count(s, header + 5, 1, day.units);

  int row = header + 7;
  if (comparison.projection) {
    w.text(s, row, 0, "Cierre proyectado: pedidos", w.bold());
    w.count(s, row, 1, comparison.projection->orders);
    w.text(s, row + 1, 0, "Cierre proyectado: ventas", w.bold());
    w.money(s, row + 1, 1, comparison.projection->sales);
    w.text(s, row + 2, 0, "Según la forma del día");
    w.date(s, row + 2, 1, comparison.projection->shaped_by);
    row += 4;
  }
  w.text(s, row, 0, "Cierre del día anterior: ventas");
  w.money(s, row, 1, before.whole_day.sales);
  w.text(s, row + 1, 0, "Cierre de la semana anterior: ventas");
  w.money(s, row + 1, 1, week.whole_day.sales);
}

void write_hours(Writer& w, const DayMetrics& day, const DayComparison& comparison) {
  auto* s = w.sheet("Por hora");
  w.widths(s, {10, 12, 16, 22, 22});
  w.text(s, 0, 0, "Hora", w.heading());
  w.text(s, 0, 1, "Pedidos", w.heading());
  w.text(s, 0, 2, "Ventas", w.heading());
  w.text(s, 0, 3, "Pedidos semana anterior", w.heading());
  w.text(s, 0, 4, "Ventas semana anterior", w.heading());
  for (std::size_t h = 0; h < day.hours.size(); ++h) {
    const int row = static_cast<int>(h) + 1;
    w.text(s, row, 0, hour_label(static_cast<std::int64_t>(h) * 60));
    w.count(s, row, 1, day.hours[h].orders);
    w.money(s, row, 2, day.hours[h].sales);
    w.count(s, row, 3, comparison.week_before.hours[h].orders);
    w.money(s, row, 4, comparison.week_before.hours[h].sales);
  }
}

void write_products(Writer& w, const DayMetrics& day) {
  auto* s = w.sheet("Productos");
  w.widths(s, {10, 40, 12, 16});
  w.text(s, 0, 0, "Posición", w.heading());
  w.text(s, 0, 1, "Producto", w.heading());
  w.text(s, 0, 2, "Unidades", w.heading());
  w.text(s, 0, 3, "Ventas", w.heading());
  int row = 1;
  for (const auto& product : day.products) {
    w.count(s, row, 0, row);
    w.text(s, row, 1, product.name);
    w.count(s, row, 2, product.units);
    w.money(s, row, 3, product.sales);
    ++row;
  }
  const auto others = day.other_products();
  if (others.count > 0) {
    w.text(s, row, 1, "Otros " + std::to_string(others.count) + " productos");
    w.count(s, row, 2, others.units);
    w.money(s, row, 3, others.sales);
  }
}

void write_couriers(Writer& w, const DayMetrics& day) {
  auto* s = w.sheet("Repartidores");
  w.widths(s, {10, 14, 36, 12, 12, 16});
  w.text(s, 0, 0, "Posición", w.heading());
  w.text(s, 0, 1, "Id", w.heading());
  w.text(s, 0, 2, "Nombre", w.heading());
  w.text(s, 0, 3, "Pedidos", w.heading());
  w.text(s, 0, 4, "Unidades", w.heading());
  w.text(s, 0, 5, "Ventas", w.heading());
  int row = 1;
  for (const auto& courier : day.couriers) {
    w.count(s, row, 0, row);
    // As the courier sent it: an id of digits stays text, so "007" keeps its zeros.
    w.text(s, row, 1, courier.courier.id.text);
    w.text(s, row, 2, courier.courier.name);
    w.count(s, row, 3, courier.orders);
    w.count(s, row, 4, courier.units);
    w.money(s, row, 5, courier.sales);
    ++row;
  }
  const auto others = day.other_couriers();
  if (others.count > 0) {
    w.text(s, row, 2, "Otros " + std::to_string(others.count) + " repartidores");
    w.count(s, row, 3, others.orders);
    w.count(s, row, 4, others.units);
    w.money(s, row, 5, others.sales);
  }
}

}  // namespace

std::string day_report_xlsx(const DayMetrics& day, const DayComparison& comparison,
                            const BusinessCalendar& calendar,
                            const std::filesystem::path& scratch) {
  const ScratchFile file(scratch);
  Writer writer(file.path(), scratch);
  write_summary(writer, day, comparison, calendar);
  write_hours(writer, day, comparison);
  write_products(writer, day);
  write_couriers(writer, day);
  writer.close();
  std::ifstream in(file.path(), std::ios::binary);
  if (!in) throw ReportFailed("cannot read the workbook back");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace cargomon
