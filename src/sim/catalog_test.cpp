#include "sim/catalog.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cargomon::sim {
namespace {

TEST(Catalog, DefaultHasTheSeedsCouriersAndProducts) {
  const auto catalog = default_catalog();
  ASSERT_EQ(catalog.couriers.size(), 8u);
  EXPECT_EQ(catalog.couriers.front().name, "María López");
  EXPECT_EQ(catalog.couriers.front().id, (CourierId{"101", true}));
  EXPECT_EQ(catalog.couriers.back().name, "Elena Rodríguez");
  EXPECT_EQ(catalog.couriers.back().id, (CourierId{"108", true}));
  std::set<std::string> names, ids;
  for (const auto& p : catalog.products) {
    names.insert(p.name);
    ids.insert(p.id);
    EXPECT_FALSE(check_text(p.name, order_limits::max_name)) << p.name;
    EXPECT_GT(p.price.cents(), 0) << p.name;
  }
  EXPECT_EQ(ids.size(), catalog.products.size());
  for (const char* seen : {"Moneda", "Tarjeta SIM", "Estuche para gafas", "Tijeras pequeñas"}) {
    EXPECT_TRUE(names.contains(seen)) << seen;
  }
  EXPECT_GE(catalog.products.size(), 12u);
}

TEST(Catalog, ParsesAFileWithExactPricesAndBothKindsOfCourierIds) {
  const auto parsed = parse_catalog(R"({
    "repartidores": [{"IdRepartidor": 7, "Nombre": "Ana"}, {"IdRepartidor": "R-2", "Nombre": "Luis"}],
    "productos": [{"IdProducto": "a", "producto": "Pan", "precio": 0.1},
                  {"IdProducto": "b", "producto": "Café", "precio": 12.35}]})");
  ASSERT_TRUE(std::holds_alternative<Catalog>(parsed)) << std::get<std::string>(parsed);
  const auto& catalog = std::get<Catalog>(parsed);
  EXPECT_EQ(catalog.couriers[0].id, (CourierId{"7", true}));
  EXPECT_EQ(catalog.couriers[1].id, (CourierId{"R-2", false}));
  EXPECT_EQ(catalog.products[0].price, Money::from_cents(10));
  EXPECT_EQ(catalog.products[1].price, Money::from_cents(1235));
  EXPECT_EQ(catalog.products[1].name, "Café");
}

TEST(Catalog, RejectsEntriesTheApiWouldRejectNamingThem) {
  const auto error = [](const std::string& text) {
    const auto parsed = parse_catalog(text);
    return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed)
                                                       : std::string("accepted");
  };
  const std::string courier = R"("repartidores": [{"IdRepartidor": 1, "Nombre": "A"}])";
  const std::string product = R"("productos": [{"IdProducto": "a", "producto": "P", "precio": 1}])";
  const auto with_product = [&](const std::string& p) {
    return error("{" + courier + R"(, "productos": [)" + p + "]}");
  };
  const auto with_courier = [&](const std::string& c) {
    return error(R"({"repartidores": [)" + c + "], " + product + "}");
  };
  EXPECT_EQ(error("{" + courier + ", " + product + "}"), "accepted");
  EXPECT_NE(error("[]").find("object"), std::string::npos);
  EXPECT_NE(error("{nope").find("catalog:"), std::string::npos);
  EXPECT_NE(error("{" + product + "}").find("repartidores"), std::string::npos);
  EXPECT_NE(error("{" + courier + R"(, "productos": []})").find("productos"), std::string::npos);
  EXPECT_NE(with_product(R"({"IdProducto": "a", "producto": "P", "precio": 1.234})")
                .find("productos[0].precio"),
            std::string::npos);
  EXPECT_NE(with_product(R"({"IdProducto": "a", "producto": "P", "precio": "1"})")
                .find("productos[0].precio"),
            std::string::npos);
  EXPECT_NE(with_product(R"({"IdProducto": "a", "producto": "", "precio": 1})")
                .find("productos[0].producto"),
            std::string::npos);
  EXPECT_NE(
      with_courier(R"({"IdRepartidor": -1, "Nombre": "A"})").find("repartidores[0].IdRepartidor"),
      std::string::npos);
  EXPECT_NE(with_courier(R"({"IdRepartidor": 1})").find("repartidores[0].Nombre"),
            std::string::npos);
}

}  // namespace
}  // namespace cargomon::sim
