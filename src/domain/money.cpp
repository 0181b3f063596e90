#include "domain/money.hpp"

#include <cstdlib>

namespace cargomon {

std::string Money::to_decimal() const {
  const bool negative = cents_ < 0;
  // Work in unsigned so that the most negative value does not overflow.
  const std::uint64_t magnitude =
      negative ? (~static_cast<std::uint64_t>(cents_) + 1) : static_cast<std::uint64_t>(cents_);
  std::string text = negative ? "-" : "";
  text += std::to_string(magnitude / 100);
  const auto fraction = static_cast<unsigned>(magnitude % 100);
  if (fraction != 0) {
    text += '.';
    text += static_cast<char>('0' + fraction / 10);
    if (fraction % 10 != 0) text += static_cast<char>('0' + fraction % 10);
  }
  return text;
}

Money Money::divided_by(std::int64_t count) const {
  if (count == 0) return Money();
  // 128-bit intermediate: 2 * cents may not fit in 64 bits for very large sums.
  __extension__ using Wide = __int128;
  const Wide num = cents_;
  const Wide den = count;
  const bool negative = (num < 0) != (den < 0);
  const Wide n = num < 0 ? -num : num;
  const Wide d = den < 0 ? -den : den;
  const auto rounded = static_cast<std::int64_t>((2 * n + d) / (2 * d));
  return Money(negative ? -rounded : rounded);
}

MoneyParse parse_money(std::string_view text, Money max) {
  // JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::size_t i = 0;
  const auto digit = [&](std::size_t k) {
    return k < text.size() && text[k] >= '0' && text[k] <= '9';
  };
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  if (!digit(i)) return {};
  if (text[i] == '0' && digit(i + 1)) return {};
  // Collect significant digits and where the decimal point sits relative to them.
  std::string digits;
  std::int64_t point = 0;  // number of digits before the decimal point
  while (digit(i)) {
    digits += text[i++];
    ++point;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digit(i)) return {};
    while (digit(i)) digits += text[i++];
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (!digit(i)) return {};
    std::int64_t exponent = 0;
    while (digit(i)) {
      // Exponents beyond any sane bound are decided by the digits alone below.
      if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    point += exp_negative ? -exponent : exponent;
  }
  if (i != text.size()) return {};

  // Strip leading zeros (they do not change the value) and trailing zeros
  // after the point.
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return {Money(), MoneyError::not_a_number};  // zero, "-0" too
  point -= static_cast<std::int64_t>(first);
  digits.erase(0, first);
  const auto last = digits.find_last_not_of('0');
  digits.erase(last + 1);
  if (negative) return {std::nullopt, MoneyError::negative};

  const auto length = static_cast<std::int64_t>(digits.size());
  if (length - point > 2) return {std::nullopt, MoneyError::too_many_decimals};
  // Value in cents = digits * 10^(point + 2 - length); bounded before it can overflow.
  const std::int64_t zeros = point + 2 - length;
  if (length + zeros > 18) return {std::nullopt, MoneyError::too_large};
  std::int64_t cents = 0;
  for (char c : digits) cents = cents * 10 + (c - '0');
  for (std::int64_t k = 0; k < zeros; ++k) cents *= 10;
  if (cents > max.cents()) return {std::nullopt, MoneyError::too_large};
  return {Money::from_cents(cents), MoneyError::not_a_number};
}

}  // namespace cargomon
