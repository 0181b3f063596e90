#pragma once
// Random delivered orders, like the seed's script.py: a random courier, 1 to
// 10 products drawn with repetition, a fresh UUID v4 as pedido_id, and the
// current local time of the business timezone as the timestamp, written as
// Python's str(datetime.now()) writes it ("2024-09-12 03:50:58.363972", no
// offset: the server reads it as local time of its business timezone).
//
// The JSON of every courier and product is rendered once up front, so an
// order's body is put together by concatenation.
//
// Not thread-safe: one generator per thread.

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "domain/clock.hpp"
#include "domain/money.hpp"
#include "sim/catalog.hpp"

namespace date {
class time_zone;
}

namespace cargomon::sim {

struct GeneratedOrder {
  std::string order_id;
  std::string body;         // the JSON to POST to /registrar_pedido_entregado
  std::size_t courier = 0;  // index into the catalog's couriers
  std::size_t lines = 0;
  Money total;
};

// "YYYY-MM-DD HH:MM:SS[.ffffff]" in a timezone; the date and time up to the
// second are cached, since orders come many per second.
class LocalTimeFormatter {
 public:
  // Throws std::runtime_error when the tz database does not know the zone.
  explicit LocalTimeFormatter(const std::string& zone_name);
  std::string format(Timestamp t);

 private:
  const date::time_zone* zone_;
  std::chrono::sys_seconds cached_second_{};
  std::string cached_prefix_;
};

class OrderGenerator {
 public:
  // `choice_seed` drives which couriers and products are drawn (repeatable);
  // `id_seed` drives the order ids, which should differ between runs: a
  // repeated id with other content is a conflict at the server.
  OrderGenerator(const Catalog& catalog, const std::string& zone_name, const Clock& clock,
                 std::uint64_t choice_seed, std::uint64_t id_seed);

  GeneratedOrder next();

  const Catalog& catalog() const { return catalog_; }

  static constexpr std::size_t max_lines = 10;

 private:
  std::string uuid_v4();

  const Catalog& catalog_;
  LocalTimeFormatter time_;
  const Clock& clock_;
  std::mt19937_64 choices_;
  std::mt19937_64 ids_;
  std::vector<std::string> courier_json_;  // `"repartidor":{…}`
  std::vector<std::string> product_json_;  // `{"IdProducto":…}`
};

}  // namespace cargomon::sim
