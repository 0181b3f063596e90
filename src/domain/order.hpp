#pragma once
// A delivered order as cargomon keeps it, and the rules every order obeys.
// The wire names (pedido_id, repartidor, productos, precio…) are mapped to
// these in api/; here everything has its domain name.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/business_calendar.hpp"
#include "domain/clock.hpp"
#include "domain/money.hpp"

namespace cargomon {

// Couriers' devices sent their id both as a number and as a string; it is
// kept as text and returned in the form it came in.
struct CourierId {
  std::string text;
  bool is_number = false;
  bool operator==(const CourierId&) const = default;
};

struct Courier {
  CourierId id;
  std::string name;
  bool operator==(const Courier&) const = default;
};

struct OrderLine {
  std::string product_id;
  std::string product_name;
  Money unit_price;
  std::int32_t quantity = 1;  // each line is one unit unless it says otherwise

  Money subtotal() const { return unit_price * quantity; }
  bool operator==(const OrderLine&) const = default;
};

struct Order {
  std::string order_id;
  Courier courier;
  std::vector<OrderLine> lines;
  // The time the device reported, if it reported one. Idempotent replays are
  // compared on this, not on the received time that fills in for it.
  std::optional<Timestamp> reported_at;
  Timestamp received_at;
  std::int64_t sequence = 0;  // assigned by the store; increases with every stored order

  Timestamp occurred_at() const { return reported_at.value_or(received_at); }
  Money total() const;
  std::int64_t units() const;

  // Same order content as sent by a client: what idempotency compares.
  bool same_content(const Order& other) const;
};

// Limits every order obeys. They keep sums far from overflow and bound the
// work and memory a single request can cause.
namespace order_limits {
inline constexpr std::size_t max_order_id = 128;
inline constexpr std::size_t max_courier_id = 64;
inline constexpr std::size_t max_name = 200;
inline constexpr std::size_t max_product_id = 64;
inline constexpr std::size_t max_lines = 1000;
inline constexpr std::int64_t max_quantity = 10'000;
inline constexpr Money max_unit_price = Money::from_cents(100'000'000'00);      // 100 million
inline constexpr Money max_order_total = Money::from_cents(10'000'000'000'00);  // 10 billion
inline constexpr auto max_clock_skew = std::chrono::hours(24);
}  // namespace order_limits

// Field rules. Each returns an English message for the client, or nullopt when
// the value is acceptable.
std::optional<std::string> check_text(std::string_view value, std::size_t max_length);
std::optional<std::string> check_courier_id_number(std::int64_t value);
std::optional<std::string> check_quantity(std::int64_t value);
std::optional<std::string> describe(MoneyError error);
std::string price_rule();

// Whole-order rules once every field is valid.
std::optional<std::string> check_total(const Order& order);
std::optional<std::string> check_reported_time(Timestamp reported, Timestamp now);

}  // namespace cargomon
