#include "lambda/emf.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <string_view>
#include <vector>

#include "api/route.hpp"

namespace cargomon::lambda {
namespace {

namespace json = boost::json;

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

std::string route_of(std::string_view path, std::string_view method) {
  if (path.empty() || path.front() != '/') return "other";
  std::vector<std::string> segments;
  for (std::size_t start = 1; start <= path.size();) {
    const auto slash = std::min(path.find('/', start), path.size());
    if (slash > start) segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  // The serve command's route labels (api/route.hpp); nothing is served
  // beside the API here, so what is not a route is "other".
  const auto route = api::match_route(segments, method);
  if (route == api::Route::dashboard_file || route == api::Route::unmatched) return "other";
  return std::string(api::route_pattern(route));
}

InvocationMetrics measure(const Invocation& invocation, const Outcome& outcome,
                          std::chrono::steady_clock::duration took,
                          std::chrono::steady_clock::duration in_store, std::int64_t timestamp_ms) {
  using Seconds = std::chrono::duration<double>;
  InvocationMetrics metrics;
  metrics.request_id = invocation.request_id;
  metrics.timestamp_ms = timestamp_ms;
  metrics.route = outcome.ok ? route_of(outcome.path, outcome.method) : "other";
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
