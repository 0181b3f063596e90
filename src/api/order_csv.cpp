#include "api/order_csv.hpp"

namespace cargomon::api {

void append_csv_field(std::string& out, std::string_view value, bool text) {
  std::string guarded;
  if (text && !value.empty() &&
      std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos) {
    guarded = "'";  // appended: `"'" + std::string(…)` trips GCC 12's -Wrestrict at -O2
    guarded += value;
    value = guarded;
  }
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_order_csv(std::string& out, const Order& order, const BusinessCalendar& calendar) {
  const std::string timestamp = calendar.format(order.occurred_at());
  const std::string day = format_business_day(calendar.day_of(order.occurred_at()));
  for (const auto& line : order.lines) {
    append_csv_field(out, order.order_id, true);
    out += ',';
    out += std::to_string(order.sequence);
    out += ',';
    out += timestamp;
    out += ',';
    out += day;
    out += ',';
    append_csv_field(out, order.courier.id.text, !order.courier.id.is_number);
    out += ',';
    append_csv_field(out, order.courier.name, true);
    out += ',';
    append_csv_field(out, line.product_id, true);
    out += ',';
    append_csv_field(out, line.product_name, true);
    out += ',';
    out += line.unit_price.to_decimal();
    out += ',';
    out += std::to_string(line.quantity);
    out += ',';
    out += line.subtotal().to_decimal();
    out += "\r\n";
  }
}

}  // namespace cargomon::api
