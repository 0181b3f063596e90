#include "domain/order.hpp"

#include <numeric>

namespace cargomon {

Money Order::total() const {
  Money sum;
  for (const auto& line : lines) sum += line.subtotal();
  return sum;
}

std::int64_t Order::units() const {
  std::int64_t sum = 0;
  for (const auto& line : lines) sum += line.quantity;
  return sum;
}

bool Order::same_content(const Order& other) const {
  return order_id == other.order_id && courier == other.courier && lines == other.lines &&
         reported_at == other.reported_at;
}

namespace {

// Counts code points of valid UTF-8; the JSON parser has already rejected
// invalid sequences, so continuation bytes are simply skipped.
std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

bool has_control_characters(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> check_text(std::string_view value, std::size_t max_length) {
  if (value.empty()) return "must not be empty";
  if (value.find_first_not_of(" \t") == std::string_view::npos) return "must not be blank";
  if (code_points(value) > max_length) {
    return "must be at most " + std::to_string(max_length) + " characters";
  }
  if (has_control_characters(value)) return "must not contain control characters";
  return std::nullopt;
}

std::optional<std::string> check_courier_id_number(std::int64_t value) {
  if (value < 0) return "must be a non-negative integer or a string";
  return std::nullopt;
}

std::optional<std::string> check_quantity(std::int64_t value) {
  if (value < 1 || value > order_limits::max_quantity) {
    return "must be an integer from 1 to " + std::to_string(order_limits::max_quantity);
  }
  return std::nullopt;
}

std::string price_rule() {
  return "must be a number >= 0 with at most 2 decimals, not above " +
         order_limits::max_unit_price.to_decimal();
}

std::optional<std::string> describe(MoneyError error) {
  switch (error) {
    case MoneyError::not_a_number:
      return price_rule();
    case MoneyError::negative:
      return "must not be negative";
    case MoneyError::too_many_decimals:
      return "must have at most 2 decimals";
    case MoneyError::too_large:
      return "must not be above " + order_limits::max_unit_price.to_decimal();
  }
  return price_rule();
}

std::optional<std::string> check_total(const Order& order) {
  if (order.total() > order_limits::max_order_total) {
    return "order total must not be above " + order_limits::max_order_total.to_decimal();
  }
  return std::nullopt;
}

std::optional<std::string> check_reported_time(Timestamp reported, Timestamp now) {
  if (reported > now + order_limits::max_clock_skew) {
    return "must not be more than 24 hours in the future";
  }
  return std::nullopt;
}

}  // namespace cargomon
