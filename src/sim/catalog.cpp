#include "sim/catalog.hpp"

#include "api/json.hpp"

namespace cargomon::sim {
namespace {

using api::JsonNode;

Courier courier(int id, std::string name) {
  return Courier{CourierId{std::to_string(id), true}, std::move(name)};
}

CatalogProduct product(std::string id, std::string name, std::int64_t cents) {
  return CatalogProduct{std::move(id), std::move(name), Money::from_cents(cents)};
}

// Reads the text field `key` of an entry; empty with `error` set when it is
// missing or breaks the order rules.
std::string text_field(const JsonNode& entry, const char* key, std::size_t max,
                       const std::string& where, std::string& error) {
  const auto* node = entry.find(key);
  if (!node || node->kind != JsonNode::Kind::string) {
    error = where + "." + key + " must be a string";
    return {};
  }
  if (auto problem = check_text(node->text, max)) {
    error = where + "." + key + " " + *problem;
    return {};
  }
  return node->text;
}

std::string read_courier(const JsonNode& entry, const std::string& where, Courier& out) {
  if (entry.kind != JsonNode::Kind::object) return where + " must be an object";
  std::string error;
  const auto* id = entry.find("IdRepartidor");
  if (!id) return where + ".IdRepartidor is required";
  if (id->kind == JsonNode::Kind::string) {
    if (auto problem = check_text(id->text, order_limits::max_courier_id)) {
      return where + ".IdRepartidor " + *problem;
    }
    out.id = {id->text, false};
  } else if (auto number = id->integer(); number && *number >= 0) {
    out.id = {std::to_string(*number), true};
  } else {
    return where + ".IdRepartidor must be a non-negative integer or a string";
  }
  out.name = text_field(entry, "Nombre", order_limits::max_name, where, error);
  return error;
}

std::string read_product(const JsonNode& entry, const std::string& where, CatalogProduct& out) {
  if (entry.kind != JsonNode::Kind::object) return where + " must be an object";
  std::string error;
  out.id = text_field(entry, "IdProducto", order_limits::max_product_id, where, error);
  if (!error.empty()) return error;
  out.name = text_field(entry, "producto", order_limits::max_name, where, error);
  if (!error.empty()) return error;
  const auto* price = entry.find("precio");
  if (!price || price->kind != JsonNode::Kind::number) {
    return where + ".precio " + price_rule();
  }
  const auto parsed = parse_money(price->text, order_limits::max_unit_price);
  if (!parsed.value) return where + ".precio " + *describe(parsed.error);
  out.price = *parsed.value;
  return {};
}

}  // namespace

Catalog default_catalog() {
  return Catalog{
      {courier(101, "María López"), courier(102, "Carlos García"), courier(103, "Juan Martínez"),
       courier(104, "Ana Fernández"), courier(105, "Laura Sánchez"), courier(106, "Sofía Morales"),
       courier(107, "Daniel Castillo"), courier(108, "Elena Rodríguez")},
      {product("pk0001", "Moneda", 100), product("pk0002", "Tarjeta SIM", 550),
       product("pk0003", "Estuche para gafas", 890), product("pk0004", "Llavero", 250),
       product("pk0005", "Cargador USB", 1275), product("pk0006", "Audífonos", 1890),
       product("pk0007", "Tijeras pequeñas", 1400), product("pk0008", "Memoria USB", 999),
       product("pk0009", "Pilas AA", 320), product("pk0010", "Bolígrafo", 80),
       product("pk0011", "Cinta adhesiva", 325), product("pk0012", "Protector de pantalla", 640)},
  };
}

std::variant<Catalog, std::string> parse_catalog(std::string_view json) {
  auto parsed = api::parse_json(json);
  if (auto* message = std::get_if<std::string>(&parsed)) return "catalog: " + *message;
  const auto& root = std::get<JsonNode>(parsed);
  if (root.kind != JsonNode::Kind::object) return std::string("catalog: must be a JSON object");
  const auto* couriers = root.find("repartidores");
  const auto* products = root.find("productos");
  if (!couriers || couriers->kind != JsonNode::Kind::array || couriers->children.empty()) {
    return std::string("catalog: \"repartidores\" must be a non-empty array");
  }
  if (!products || products->kind != JsonNode::Kind::array || products->children.empty()) {
    return std::string("catalog: \"productos\" must be a non-empty array");
  }
  Catalog catalog;
  for (std::size_t i = 0; i < couriers->children.size(); ++i) {
    Courier c;
    auto error =
        read_courier(couriers->children[i], "catalog: repartidores[" + std::to_string(i) + "]", c);
    if (!error.empty()) return error;
    catalog.couriers.push_back(std::move(c));
  }
  for (std::size_t i = 0; i < products->children.size(); ++i) {
    CatalogProduct p;
    auto error =
        read_product(products->children[i], "catalog: productos[" + std::to_string(i) + "]", p);
    if (!error.empty()) return error;
    catalog.products.push_back(std::move(p));
  }
  return catalog;
}

}  // namespace cargomon::sim
