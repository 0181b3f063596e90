#include "report/day_report_xlsx.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>

#include "report/workbook.hpp"

namespace cargomon {
namespace {

std::string hour_label(std::int64_t minutes) {
  std::array<char, 8> text{};
  std::snprintf(text.data(), text.size(), "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return text.data();
}

void write_summary(Workbook& w, const DayMetrics& day, const DayComparison& comparison,
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

void write_hours(Workbook& w, const DayMetrics& day, const DayComparison& comparison) {
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

void write_products(Workbook& w, const DayMetrics& day) {
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

void write_couriers(Workbook& w, const DayMetrics& day) {
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
  Workbook writer(file.path(), scratch);
  write_summary(writer, day, comparison, calendar);
  write_hours(writer, day, comparison);
  write_products(writer, day);
  write_couriers(writer, day);
  writer.close();
  return file.read();
}

}  // namespace cargomon
