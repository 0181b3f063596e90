#include "api/order_csv.hpp"

#include <algorithm>

namespace cargomon::api {

namespace {

// What makes a spreadsheet read a cell as a formula when it starts with it.
constexpr std::string_view kFormulaStart = "=+-@\t\r";

bool starts_formula(std::string_view value, std::size_t at) {
  return at < value.size() && kFormulaStart.find(value[at]) != std::string_view::npos;
}

// Money as the API writes it ("14.5"), with the dialect's decimal mark.
void append_money(std::string& out, Money amount, CsvDialect dialect) {
  std::string text = amount.to_decimal();
  if (dialect.decimal_mark != '.') std::ranges::replace(text, '.', dialect.decimal_mark);
  out += text;
}

}  // namespace

std::string order_csv_head(CsvDialect dialect) {
  std::string head(kOrderCsvHead);
  // The column names hold no separator of either kind, so only the commas
  // between them change.
  if (dialect.separator != ',') std::ranges::replace(head, ',', dialect.separator);
  return head;
}

void append_csv_field(std::string& out, std::string_view value, bool text) {
  std::string guarded;
  if (text) {
    // A cell starts at the field's start and, for a reader that splits on
    // the other separator (spreadsheets in Colombian Spanish split on ';'
    // and ignore a quote that does not open a cell), after every ',' or ';'
    // inside it: each of those starts is guarded with an apostrophe.
    bool any = starts_formula(value, 0);
    for (std::size_t at = 0; !any && at < value.size(); ++at) {
      any = (value[at] == ',' || value[at] == ';') && starts_formula(value, at + 1);
    }
    if (any) {
      guarded.reserve(value.size() + 8);
      for (std::size_t at = 0; at < value.size(); ++at) {
        const bool cell_start = at == 0 || value[at - 1] == ',' || value[at - 1] == ';';
        if (cell_start && starts_formula(value, at)) guarded += '\'';
        guarded += value[at];
      }
      value = guarded;
    }
  }
  if (value.find_first_of(",;\"\r\n") == std::string_view::npos) {
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

void append_order_csv(std::string& out, const Order& order, const BusinessCalendar& calendar,
                      CsvDialect dialect) {
  const char sep = dialect.separator;
  const std::string timestamp = calendar.format(order.occurred_at());
  const std::string day = format_business_day(calendar.day_of(order.occurred_at()));
  for (const auto& line : order.lines) {
    append_csv_field(out, order.order_id, true);
    out += sep;
    out += std::to_string(order.sequence);
    out += sep;
    out += timestamp;
    out += sep;
    out += day;
    out += sep;
    append_csv_field(out, order.courier.id.text, !order.courier.id.is_number);
    out += sep;
    append_csv_field(out, order.courier.name, true);
    out += sep;
    append_csv_field(out, line.product_id, true);
    out += sep;
    append_csv_field(out, line.product_name, true);
    out += sep;
    append_money(out, line.unit_price, dialect);
    out += sep;
    out += std::to_string(line.quantity);
    out += sep;
    append_money(out, line.subtotal(), dialect);
    out += "\r\n";
  }
}

}  // namespace cargomon::api
