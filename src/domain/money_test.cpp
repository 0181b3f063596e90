#include "domain/money.hpp"

#include <gtest/gtest.h>

namespace cargomon {
namespace {

const Money kMax = Money::from_cents(100'000'000'00);

std::int64_t cents(std::string_view text) {
  auto parsed = parse_money(text, kMax);
  EXPECT_TRUE(parsed.value.has_value()) << text;
  return parsed.value ? parsed.value->cents() : -1;
}

MoneyError error(std::string_view text) {
  auto parsed = parse_money(text, kMax);
  EXPECT_FALSE(parsed.value.has_value()) << text;
  return parsed.error;
}

TEST(ParseMoney, AcceptsIntegersAndUpToTwoDecimals) {
  EXPECT_EQ(cents("1"), 100);
  EXPECT_EQ(cents("14.0"), 1400);
  EXPECT_EQ(cents("5.5"), 550);
  EXPECT_EQ(cents("0.05"), 5);
  EXPECT_EQ(cents("268.80"), 26880);
  EXPECT_EQ(cents("0"), 0);
  EXPECT_EQ(cents("-0"), 0);
}

TEST(ParseMoney, IsExactWhereBinaryFloatsAreNot) {
  EXPECT_EQ(cents("0.1"), 10);
  EXPECT_EQ(cents("0.29"), 29);  // 0.29 * 100 == 28.999999999999996 as a double
}

TEST(ParseMoney, AcceptsExponentsThatLandOnWholeCents) {
  EXPECT_EQ(cents("1e2"), 10000);
  EXPECT_EQ(cents("1.5E1"), 1500);
  EXPECT_EQ(cents("125e-2"), 125);
  EXPECT_EQ(cents("0.000e5"), 0);
}

TEST(ParseMoney, RejectsMoreThanTwoDecimals) {
  EXPECT_EQ(error("1.005"), MoneyError::too_many_decimals);
  EXPECT_EQ(error("0.001"), MoneyError::too_many_decimals);
  EXPECT_EQ(error("1e-3"), MoneyError::too_many_decimals);
}

TEST(ParseMoney, TrailingZerosDoNotCountAsDecimals) { EXPECT_EQ(cents("2.5000000"), 250); }

TEST(ParseMoney, RejectsNegatives) {
  EXPECT_EQ(error("-1"), MoneyError::negative);
  EXPECT_EQ(error("-0.01"), MoneyError::negative);
}

TEST(ParseMoney, RejectsTooLarge) {
  EXPECT_EQ(error("100000000.01"), MoneyError::too_large);
  EXPECT_EQ(error("1e300"), MoneyError::too_large);
  EXPECT_EQ(error("99999999999999999999999"), MoneyError::too_large);
  EXPECT_EQ(cents("100000000"), 100'000'000'00);
}

TEST(ParseMoney, RejectsTextThatIsNotAJsonNumber) {
  for (const char* bad :
       {"", "abc", "1.", ".5", "01", "1e", "+1", "NaN", "Infinity", "1 ", "0x10", "1,5", "--1"}) {
    EXPECT_EQ(error(bad), MoneyError::not_a_number) << bad;
  }
}

TEST(MoneyFormat, PrintsShortestExactDecimal) {
  EXPECT_EQ(Money::from_cents(26880).to_decimal(), "268.8");
  EXPECT_EQ(Money::from_cents(1400).to_decimal(), "14");
  EXPECT_EQ(Money::from_cents(2068).to_decimal(), "20.68");
  EXPECT_EQ(Money::from_cents(5).to_decimal(), "0.05");
  EXPECT_EQ(Money::from_cents(0).to_decimal(), "0");
  EXPECT_EQ(Money::from_cents(-310).to_decimal(), "-3.1");
}

TEST(MoneyDivide, RoundsHalfUpToTheCent) {
  // The seed's own figures: 268.80 over 13 orders is 20.6769… → 20.68.
  EXPECT_EQ(Money::from_cents(26880).divided_by(13).cents(), 2068);
  EXPECT_EQ(Money::from_cents(5).divided_by(2).cents(), 3);
  EXPECT_EQ(Money::from_cents(4).divided_by(3).cents(), 1);
  EXPECT_EQ(Money::from_cents(100).divided_by(0).cents(), 0);
}

}  // namespace
}  // namespace cargomon
