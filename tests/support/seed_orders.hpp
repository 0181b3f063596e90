#pragma once
// The three orders of the seed's DynamoDB table (../shared/seed/), as the
// devices sent them: the integration tests on every store register these.

namespace cargomon::testing {

inline constexpr const char* kSeedOrders[] = {
    R"({"pedido_id": "12345", "repartidor": {"IdRepartidor": "101", "Nombre": "Probando probando2"},
        "productos": [{"IdProducto": "pk0001", "producto": "Moneda", "precio": 1}],
        "timestamp": "2024-09-12T01:45:00"})",
    R"({"pedido_id": "4205dd65-056f-462e-8e1f-c801a5e78536",
        "repartidor": {"IdRepartidor": 102, "Nombre": "Carlos García"},
        "productos": [{"IdProducto": "pk0001", "producto": "Moneda", "precio": 1},
                      {"IdProducto": "pk0007", "producto": "Tijeras pequeñas", "precio": 14.0}],
        "timestamp": "2024-09-12 03:50:58.363972"})",
    R"({"pedido_id": "acd5357d-48a0-4e5c-9da0-217486471780",
        "repartidor": {"IdRepartidor": 103, "Nombre": "Juan Martinez"},
        "productos": [{"IdProducto": "pk0002", "producto": "Tarjeta SIM", "precio": 5.5}],
        "timestamp": "2024-09-12 03:51:25.868767"})"};

}  // namespace cargomon::testing
