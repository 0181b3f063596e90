#pragma once
// Money is an exact count of cents in a 64-bit integer. It is never a binary
// float: the original summed floats and showed 268.95000000000005.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cargomon {

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money from_cents(std::int64_t cents) { return Money(cents); }

  constexpr std::int64_t cents() const { return cents_; }

  // Shortest exact decimal: 268.8, 14, 20.68, 0.05, -3.1.
  std::string to_decimal() const;

  constexpr Money operator+(Money other) const { return Money(cents_ + other.cents_); }
  constexpr Money& operator+=(Money other) {
    cents_ += other.cents_;
    return *this;
  }
  constexpr Money operator-(Money other) const { return Money(cents_ - other.cents_); }
  constexpr Money& operator-=(Money other) {
    cents_ -= other.cents_;
    return *this;
  }
  constexpr Money operator*(std::int64_t factor) const { return Money(cents_ * factor); }
  constexpr auto operator<=>(const Money&) const = default;

  // this / count, rounded half away from zero to the cent; 0 when count is 0.
  Money divided_by(std::int64_t count) const;

 private:
  constexpr explicit Money(std::int64_t cents) : cents_(cents) {}
  std::int64_t cents_ = 0;
};

enum class MoneyError { not_a_number, negative, too_many_decimals, too_large };

struct MoneyParse {
  std::optional<Money> value;
  MoneyError error = MoneyError::not_a_number;
};

// Parses the exact text of a JSON number ("14", "14.0", "5.50", "1e2", "0.10")
// into cents, refusing anything that is not a whole number of cents, negative,
// or above `max`. Works on the text so that no digit is ever lost to a double.
MoneyParse parse_money(std::string_view json_number, Money max);

}  // namespace cargomon
