#include "lambda/emf.hpp"

#include <array>
#include <boost/json.hpp>
#include <string_view>

namespace cargomon::lambda {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 11> kRoutes{"token",    "registrar_pedido_entregado",
                                                   "pedidos",  "pedidos.csv",
                                                   "metrics",  "eventos",
                                                   "usuarios", "healthz",
                                                   "readyz",   "openapi.json",
                                                   "docs"};

// The order outcome of an answer to POST /registrar_pedido_entregado.
std::optional<std::string> order_outcome(const Outcome& outcome) {
  if (!outcome.ok || outcome.method != "POST" || outcome.path != "/registrar_pedido_entregado") {
    return std::nullopt;
  }
  switch (outcome.status) {
    case 200:
    case 201:
      return "accepted";
    case 409:
      return "conflicting";
    case 400:
    case 413:
    case 415:
    case 422:
      return "rejected";
    case 503:
      return "unavailable";
    default:
      return std::nullopt;  // 401/403: counted as auth failures
  }
}

json::object metric(std::string_view name, std::string_view unit) {
  return json::object{{"Name", name}, {"Unit", unit}};
}

json::object directive(json::array dimensions, json::array metrics) {
  return json::object{{"Namespace", kMetricNamespace},
                      {"Dimensions", json::array{std::move(dimensions)}},
                      {"Metrics", std::move(metrics)}};
}

}  // namespace

std::string route_of(const std::string& path) {
  if (path.empty() || path.front() != '/') return "other";
  const auto rest = std::string_view(path).substr(1);
  const auto slash = rest.find('/');
  const auto first = rest.substr(0, slash);
  bool known = false;
  for (const auto route : kRoutes) known = known || route == first;
  if (!known) return "other";
  std::string route = "/" + std::string(first);
  if (slash != std::string_view::npos && slash + 1 < rest.size()) route += "/{id}";
  return route;
}

InvocationMetrics measure(const Invocation& invocation, const Outcome& outcome,
                          std::chrono::steady_clock::duration took,
                          std::chrono::steady_clock::duration in_store, std::int64_t timestamp_ms) {
  using Seconds = std::chrono::duration<double>;
  InvocationMetrics metrics;
  metrics.request_id = invocation.request_id;
  metrics.timestamp_ms = timestamp_ms;
  metrics.route = outcome.ok ? route_of(outcome.path) : "other";
  metrics.status = outcome.ok ? outcome.status : 0;
  metrics.error_type = outcome.ok ? "" : outcome.error_type;
  metrics.order_outcome = order_outcome(outcome);
  metrics.auth_failure = outcome.ok && outcome.status == 401;
  metrics.duration_seconds = std::chrono::duration_cast<Seconds>(took).count();
  metrics.store_seconds = std::chrono::duration_cast<Seconds>(in_store).count();
  if (outcome.ok) {
    metrics.message = outcome.method + " " + outcome.path + " " + std::to_string(outcome.status);
  } else {
    metrics.message = "invocation failed: " + outcome.error_type + ": " + outcome.message;
  }
  return metrics;
}

std::string emf_line(const InvocationMetrics& m) {
  json::array directives;
  directives.push_back(directive(
      json::array{"route"}, json::array{metric("cargomon_request_duration_seconds", "Seconds"),
                                        metric("cargomon_store_duration_seconds", "Seconds")}));
  json::object line;
  line["level"] = m.error_type.empty() ? "info" : "warn";
  line["requestId"] = m.request_id;
  line["message"] = m.message;
  line["route"] = m.route;
  if (m.status != 0) line["status"] = m.status;
  line["cargomon_request_duration_seconds"] = m.duration_seconds;
  line["cargomon_store_duration_seconds"] = m.store_seconds;
  if (m.order_outcome) {
    directives.push_back(
        directive(json::array{"outcome"}, json::array{metric("cargomon_orders_total", "Count")}));
    line["outcome"] = *m.order_outcome;
    line["cargomon_orders_total"] = 1;
  }
  if (m.auth_failure) {
    directives.push_back(
        directive(json::array{}, json::array{metric("cargomon_auth_failures_total", "Count")}));
    line["cargomon_auth_failures_total"] = 1;
  }
  if (!m.error_type.empty()) {
    directives.push_back(
        directive(json::array{"error_type"},
                  json::array{metric("cargomon_invocation_errors_total", "Count")}));
    line["error_type"] = m.error_type;
    line["cargomon_invocation_errors_total"] = 1;
  }
  line["_aws"] =
      json::object{{"Timestamp", m.timestamp_ms}, {"CloudWatchMetrics", std::move(directives)}};
  return json::serialize(line);
}

}  // namespace cargomon::lambda
