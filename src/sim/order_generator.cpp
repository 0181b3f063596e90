#include "sim/order_generator.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>
#include <stdexcept>

#include "api/json.hpp"

namespace cargomon::sim {

LocalTimeFormatter::LocalTimeFormatter(const std::string& zone_name) {
  try {
    zone_ = date::locate_zone(zone_name);
  } catch (const std::exception&) {
    throw std::runtime_error("unknown time zone '" + zone_name + "'");
  }
}

std::string LocalTimeFormatter::format(Timestamp t) {
  const auto second = std::chrono::floor<std::chrono::seconds>(t);
  // An offset changes only at whole seconds, so the local date and time up to
  // the second are the same for every instant of one UTC second.
  if (cached_prefix_.empty() || second != cached_second_) {
    const auto local = zone_->to_local(second);
    const auto day = date::floor<date::days>(local);
    const date::year_month_day ymd{day};
    const date::hh_mm_ss<std::chrono::seconds> time{local - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    cached_prefix_ = buf;
    cached_second_ = second;
  }
  const auto micros = (t - second).count();
  if (micros == 0) return cached_prefix_;  // as Python prints it
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
  return cached_prefix_ + frac;
}

OrderGenerator::OrderGenerator(const Catalog& catalog, const std::string& zone_name,
                               const Clock& clock, std::uint64_t choice_seed, std::uint64_t id_seed)
    : catalog_(catalog), time_(zone_name), clock_(clock), choices_(choice_seed), ids_(id_seed) {
  if (catalog_.couriers.empty() || catalog_.products.empty()) {
    throw std::invalid_argument("the catalog needs at least one courier and one product");
  }
  for (const auto& courier : catalog_.couriers) {
    api::JsonWriter out;
    out.begin_object().key("repartidor").begin_object().key("IdRepartidor");
    if (courier.id.is_number) {
      out.raw_number(courier.id.text);
    } else {
      out.string(courier.id.text);
    }
    out.key("Nombre").string(courier.name).end_object().end_object();
    // Keep `"repartidor":{…}` without the enclosing braces.
    const auto& text = out.str();
    courier_json_.push_back(text.substr(1, text.size() - 2));
  }
  for (const auto& product : catalog_.products) {
    api::JsonWriter out;
    out.begin_object()
        .key("IdProducto")
        .string(product.id)
        .key("producto")
        .string(product.name)
        .key("precio")
        .raw_number(product.price.to_decimal())
        .end_object();
    product_json_.push_back(out.take());
  }
}

std::string OrderGenerator::uuid_v4() {
  std::array<std::uint64_t, 2> words{ids_(), ids_()};
  words[0] = (words[0] & ~std::uint64_t{0xF000}) | 0x4000;                       // version 4
  words[1] = (words[1] & ~(std::uint64_t{3} << 62)) | (std::uint64_t{2} << 62);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    const std::uint64_t word = words[i / 16];
    out += hex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  return out;
}

GeneratedOrder OrderGenerator::next() {
  GeneratedOrder order;
  order.order_id = uuid_v4();
  std::uniform_int_distribution<std::size_t> pick_courier(0, catalog_.couriers.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_count(1, max_lines);
  std::uniform_int_distribution<std::size_t> pick_product(0, catalog_.products.size() - 1);
  order.courier = pick_courier(choices_);
  order.lines = pick_count(choices_);

  std::string& body = order.body;
  body.reserve(128 + order.lines * 80);
  body += "{\"pedido_id\":\"";
  body += order.order_id;  // hex and dashes: nothing to escape
  body += "\",";
  body += courier_json_[order.courier];
  body += ",\"productos\":[";
  for (std::size_t i = 0; i < order.lines; ++i) {
    const std::size_t p = pick_product(choices_);
    if (i > 0) body += ',';
    body += product_json_[p];
    order.total += catalog_.products[p].price;
  }
  body += "],\"timestamp\":\"";
  body += time_.format(clock_.now());
  body += "\"}";
  return order;
}

}  // namespace cargomon::sim
