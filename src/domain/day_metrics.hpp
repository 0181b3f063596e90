#pragma once
// The figures of one business day: what the dashboard shows. They are kept as
// running totals updated with every stored order (DayTotalsChange), so reading
// them never scans orders.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/business_calendar.hpp"
#include "domain/order.hpp"

namespace cargomon {

struct ProductTotals {
  std::string name;
  std::int64_t units = 0;
  Money sales;
};

struct HourTotals {
  std::int64_t orders = 0;
  Money sales;
};

struct CourierTotals {
  Courier courier;  // the latest name seen for this id
  std::int64_t orders = 0;
  std::int64_t units = 0;
  Money sales;
};

struct LastOrder {
  std::int64_t sequence = 0;
  Timestamp occurred_at;
  Timestamp received_at;
};

// What the lists of a ranked snapshot leave out, summed.
struct OthersTotals {
  std::int64_t count = 0;   // products or couriers left out
  std::int64_t orders = 0;  // couriers only (an order may hold several products)
  std::int64_t units = 0;
  Money sales;
};

// How many products and couriers a ranked snapshot lists (see top()).
struct MetricsTop {
  std::size_t products = 0;
  std::size_t couriers = 0;
};

struct DayMetrics {
  BusinessDay day;
  std::int64_t orders = 0;
  std::int64_t units = 0;
  Money sales;
  std::vector<ProductTotals> products;  // ranked: see rank()
  std::array<HourTotals, 24> hours{};
  std::vector<CourierTotals> couriers;  // ranked: see rank()
  std::optional<LastOrder> last_order;  // the most recently stored order of the day
  // The day's distinct products and couriers: more than the lists hold when
  // they are the first of a ranking only (top()).
  std::int64_t product_count = 0;
  std::int64_t courier_count = 0;

  // Sales per order, rounded half-up to the cent; 0 with no orders.
  Money average_order_value() const { return sales.divided_by(orders); }

  // Products: most units first, then most sales, then name, so every answer
  // is deterministic. Couriers: most sales first, then id. Sets the counts to
  // the lists' sizes: call it on complete lists.
  void rank();
  // Ranks complete lists and keeps the first of each. What couriers send
  // decides how many products a day has (a courier may invent thousands of
  // names), so whatever is shown on every screen is cut to a fixed size.
  void keep_top(MetricsTop top);
  // The totals of what the lists leave out: the day's totals less the lists'
  // (every unit and peso of the day belongs to one product and one courier).
  OthersTotals other_products() const;
  OthersTotals other_couriers() const;
};

// What one batch of orders adds to the totals of each day it touches. The
// store writes it in the same transaction as the orders.
class DayTotalsChange {
 public:
  struct Day {
    std::int64_t orders = 0;
    std::int64_t units = 0;
    Money sales;
    std::map<std::string, ProductTotals> products;  // by product name
    std::map<int, HourTotals> hours;
    std::map<std::string, CourierTotals> couriers;  // by courier id text
    std::optional<LastOrder> last_order;
  };

  void add(const Order& order, const BusinessCalendar& calendar);
  bool empty() const { return days_.empty(); }
  const std::map<std::string, Day>& days() const { return days_; }  // by "YYYY-MM-DD"

 private:
  std::map<std::string, Day> days_;
};

}  // namespace cargomon
