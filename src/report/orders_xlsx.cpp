#include "report/orders_xlsx.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

namespace cargomon {
namespace {

// The CSV's columns (api/order_csv.hpp), named for people.
constexpr std::array<const char*, 11> kHeadings{
    "Pedido",      "Secuencia", "Fecha y hora", "Fecha",    "Id repartidor", "Repartidor",
    "Id producto", "Producto",  "Precio",       "Cantidad", "Subtotal"};
constexpr int kQuantityColumn = 9;
constexpr int kSubtotalColumn = 10;

// Spreadsheets hold 15 significant digits.
constexpr std::int64_t kExactDigits = 999'999'999'999'999;

std::optional<std::int64_t> exact_number(const CourierId& id) {
  if (!id.is_number) return std::nullopt;
  std::int64_t value = 0;
  const auto* end = id.text.data() + id.text.size();
  const auto [ptr, error] = std::from_chars(id.text.data(), end, value);
  if (error != std::errc{} || ptr != end || value > kExactDigits || value < -kExactDigits) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

OrdersWorkbook::OrdersWorkbook(const BusinessCalendar& calendar,
                               const std::filesystem::path& scratch, std::int64_t max_lines)
    : calendar_(calendar),
      max_lines_(std::min(max_lines, kMaxLines)),
      file_(std::make_unique<ScratchFile>(scratch)),
      workbook_(std::make_unique<Workbook>(file_->path(), scratch, /*streaming=*/true)) {
  sheet_ = workbook_->sheet("Pedidos");
  workbook_->widths(sheet_, {38, 11, 20, 12, 14, 30, 14, 36, 14, 10, 16});
  workbook_->freeze(sheet_, 1);
  for (std::size_t col = 0; col < kHeadings.size(); ++col) {
    workbook_->text(sheet_, 0, static_cast<int>(col), kHeadings[col], workbook_->heading());
  }
}

OrdersWorkbook::~OrdersWorkbook() = default;

bool OrdersWorkbook::add(const Order& order) {
  const auto lines = static_cast<std::int64_t>(order.lines.size());
  if (lines_ + lines > max_lines_) return false;
  const BusinessDay day = calendar_.day_of(order.occurred_at());
  for (const auto& line : order.lines) {
    const std::int64_t row = ++lines_;
    auto& w = *workbook_;
    w.text(sheet_, row, 0, order.order_id);
    w.number(sheet_, row, 1, order.sequence);
    w.date_time(sheet_, row, 2, order.occurred_at(), calendar_);
    w.date(sheet_, row, 3, day);
    // A number when the device sent one a spreadsheet holds exactly; text
    // (keeping "007" as sent, and every digit of a longer one) otherwise.
    if (const auto id = exact_number(order.courier.id)) {
      w.number(sheet_, row, 4, *id);
    } else {
      w.text(sheet_, row, 4, order.courier.id.text);
    }
    w.text(sheet_, row, 5, order.courier.name);
    w.text(sheet_, row, 6, line.product_id);
    w.text(sheet_, row, 7, line.product_name);
    w.money(sheet_, row, 8, line.unit_price);
    w.count(sheet_, row, kQuantityColumn, line.quantity);
    w.money(sheet_, row, kSubtotalColumn, line.subtotal());
    units_ += line.quantity;
    sales_ += line.subtotal();
  }
  return true;
}

std::unique_ptr<ScratchFile> OrdersWorkbook::finish() {
  auto& w = *workbook_;
  const std::int64_t row = lines_ + 1;
  w.text(sheet_, row, 0, "Total", w.bold());
  if (lines_ > 0) {
    w.count_sum(sheet_, row, kQuantityColumn, 1, lines_, units_);
    w.money_sum(sheet_, row, kSubtotalColumn, 1, lines_, sales_);
  } else {
    w.count(sheet_, row, kQuantityColumn, 0);
    w.money(sheet_, row, kSubtotalColumn, Money{});
  }
  w.close();
  return std::move(file_);
}

}  // namespace cargomon
