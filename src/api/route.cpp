#include "api/route.hpp"

namespace cargomon::api {

std::string_view route_pattern(Route route) {
  switch (route) {
    case Route::token:
      return "/token";
    case Route::token_renewal:
      return "/token/renovar";
    case Route::token_logout:
      return "/token/cerrar";
    case Route::sessions:
      return "/sesiones";
    case Route::session:
      return "/sesiones/{sesion_id}";
    case Route::register_order:
      return "/registrar_pedido_entregado";
    case Route::orders:
      return "/pedidos";
    case Route::orders_csv:
      return "/pedidos.csv";
    case Route::orders_xlsx:
      return "/pedidos.xlsx";
    case Route::order:
      return "/pedidos/{pedido_id}";
    case Route::day_metrics:
      return "/metrics";
    case Route::product_ranking:
      return "/metrics/productos";
    case Route::courier_ranking:
      return "/metrics/repartidores";
    case Route::metrics_range:
      return "/metrics/rango";
    case Route::day_report:
      return "/informes/dia.xlsx";
    case Route::events:
      return "/eventos";
    case Route::users:
      return "/usuarios";
    case Route::user:
      return "/usuarios/{username}";
    case Route::webhooks:
      return "/webhooks";
    case Route::webhook:
      return "/webhooks/{webhook_id}";
    case Route::parked_deliveries:
      return "/webhooks/{webhook_id}/aparcados";
    case Route::replay_delivery:
      return "/webhooks/{webhook_id}/aparcados/{entrega}/reenviar";
    case Route::audit:
      return "/auditoria";
    case Route::healthz:
      return "/healthz";
    case Route::readyz:
      return "/readyz";
    case Route::openapi:
      return "/openapi.json";
    case Route::dashboard_file:
      return "/{file}";
    case Route::unmatched:
      return "unmatched";
  }
  return "unmatched";
}

std::vector<std::string> route_patterns() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kRoutes; ++i) {
    out.emplace_back(route_pattern(static_cast<Route>(i)));
  }
  return out;
}

Route match_route(const std::vector<std::string>& segments, std::string_view method) {
  const auto n = segments.size();
  const std::string_view first = n > 0 ? std::string_view(segments[0]) : std::string_view();
  if (n == 1) {
    if (first == "token") return Route::token;
    if (first == "registrar_pedido_entregado") return Route::register_order;
    if (first == "pedidos") return Route::orders;
    if (first == "pedidos.csv") return Route::orders_csv;
    if (first == "pedidos.xlsx") return Route::orders_xlsx;
    if (first == "metrics") return Route::day_metrics;
    if (first == "eventos") return Route::events;
    if (first == "usuarios") return Route::users;
    if (first == "sesiones") return Route::sessions;
    if (first == "webhooks") return Route::webhooks;
    if (first == "auditoria") return Route::audit;
    if (first == "healthz") return Route::healthz;
    if (first == "readyz") return Route::readyz;
    if (first == "openapi.json") return Route::openapi;
  } else if (n == 2) {
    if (first == "pedidos") return Route::order;
    if (first == "usuarios") return Route::user;
    if (first == "sesiones") return Route::session;
    if (first == "token" && segments[1] == "renovar") return Route::token_renewal;
    if (first == "token" && segments[1] == "cerrar") return Route::token_logout;
    if (first == "webhooks") return Route::webhook;
    if (first == "metrics" && segments[1] == "productos") return Route::product_ranking;
    if (first == "metrics" && segments[1] == "repartidores") return Route::courier_ranking;
    if (first == "metrics" && segments[1] == "rango") return Route::metrics_range;
    if (first == "informes" && segments[1] == "dia.xlsx") return Route::day_report;
  }
  if (first == "webhooks" && n == 3 && segments[2] == "aparcados") return Route::parked_deliveries;
  if (first == "webhooks" && n == 5 && segments[2] == "aparcados" && segments[4] == "reenviar") {
    return Route::replay_delivery;
  }
  if (method == "GET" || method == "HEAD") return Route::dashboard_file;
  return Route::unmatched;
}

}  // namespace cargomon::api
