#pragma once
// The API's routes: what a request's path matches, named by its pattern
// (the operator's counters label requests with it, never with the raw path,
// so their series stay bounded).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cargomon::api {

enum class Route : std::uint8_t {
  token,
  token_renewal,
  token_logout,
  sessions,
  session,
  register_order,
  orders,
  orders_csv,
  orders_xlsx,
  order,
  day_metrics,
  product_ranking,
  courier_ranking,
  metrics_range,
  day_report,
  events,
  users,
  user,
  webhooks,
  webhook,
  parked_deliveries,
  replay_delivery,
  audit,
  healthz,
  readyz,
  openapi,
  dashboard_file,  // GET or HEAD of anything else: the dashboard's files (or 404)
  unmatched,       // another method on an unknown path, or a target that does not parse
};
inline constexpr std::size_t kRoutes = 28;

// "/pedidos/{pedido_id}" and the like; "/{file}" and "unmatched" for the last two.
std::string_view route_pattern(Route route);
// Every pattern, indexed by Route.
std::vector<std::string> route_patterns();

// The route of a path's segments (already without the base path) and method.
Route match_route(const std::vector<std::string>& segments, std::string_view method);

}  // namespace cargomon::api
