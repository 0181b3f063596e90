#pragma once
// What the simulated couriers deliver: who they are and which products, with
// prices. The default is the seed's (its script's couriers and the products
// its dashboard showed, with plausible prices); a JSON file can replace it:
//
//   {"repartidores": [{"IdRepartidor": 101, "Nombre": "María López"}, …],
//    "productos": [{"IdProducto": "pk0001", "producto": "Moneda", "precio": 1}, …]}
//
// Entries obey the same rules as orders (names, ids, prices with at most two
// decimals), so every generated order is one the API accepts.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/money.hpp"
#include "domain/order.hpp"

namespace cargomon::sim {

struct CatalogProduct {
  std::string id;
  std::string name;
  Money price;
  bool operator==(const CatalogProduct&) const = default;
};

struct Catalog {
  std::vector<Courier> couriers;
  std::vector<CatalogProduct> products;
};

Catalog default_catalog();

// Parses and checks a catalog file's text; on failure, a message naming the
// offending entry.
std::variant<Catalog, std::string> parse_catalog(std::string_view json);

}  // namespace cargomon::sim
