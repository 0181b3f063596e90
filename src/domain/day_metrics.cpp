#include "domain/day_metrics.hpp"

#include <algorithm>

namespace cargomon {

void DayMetrics::rank() {
  std::sort(products.begin(), products.end(), [](const ProductTotals& a, const ProductTotals& b) {
    if (a.units != b.units) return a.units > b.units;
    if (a.sales != b.sales) return a.sales > b.sales;
    return a.name < b.name;
  });
  std::sort(couriers.begin(), couriers.end(), [](const CourierTotals& a, const CourierTotals& b) {
    if (a.sales != b.sales) return a.sales > b.sales;
    return a.courier.id.text < b.courier.id.text;
  });
  product_count = static_cast<std::int64_t>(products.size());
  courier_count = static_cast<std::int64_t>(couriers.size());
}

void DayMetrics::keep_top(MetricsTop top) {
  rank();
  if (products.size() > top.products) products.resize(top.products);
  if (couriers.size() > top.couriers) couriers.resize(top.couriers);
}

OthersTotals DayMetrics::other_products() const {
  OthersTotals others{product_count - static_cast<std::int64_t>(products.size()), 0, units, sales};
  for (const auto& p : products) {
    others.units -= p.units;
    others.sales -= p.sales;
  }
  return others;
}

OthersTotals DayMetrics::other_couriers() const {
  OthersTotals others{courier_count - static_cast<std::int64_t>(couriers.size()), orders, units,
                      sales};
  for (const auto& c : couriers) {
    others.orders -= c.orders;
    others.units -= c.units;
    others.sales -= c.sales;
  }
  return others;
}

void DayTotalsChange::add(const Order& order, const BusinessCalendar& calendar) {
  const auto occurred = order.occurred_at();
  auto& day = days_[format_business_day(calendar.day_of(occurred))];
  const Money total = order.total();
  const std::int64_t units = order.units();
  day.orders += 1;
  day.units += units;
  day.sales += total;
  for (const auto& line : order.lines) {
    auto& product = day.products[line.product_name];
    product.name = line.product_name;
    product.units += line.quantity;
    product.sales += line.subtotal();
  }
  auto& hour = day.hours[calendar.hour_of(occurred)];
  hour.orders += 1;
  hour.sales += total;
  auto& courier = day.couriers[order.courier.id.text];
  courier.courier = order.courier;
  courier.orders += 1;
  courier.units += units;
  courier.sales += total;
  if (!day.last_order || order.sequence > day.last_order->sequence) {
    day.last_order = LastOrder{order.sequence, occurred, order.received_at};
  }
}

}  // namespace cargomon
