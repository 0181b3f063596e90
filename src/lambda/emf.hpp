#pragma once
// What one invocation tells CloudWatch: one JSON line on stdout that is both
// the invocation's log line (with its request id) and, through its `_aws`
// member, CloudWatch Embedded Metric Format: Lambda's log agent turns it
// into metrics without an API call.
//
// Metric names follow Prometheus conventions, so an exporter for `serve`
// can use the same ones (EMF dimensions are the Prometheus labels):
//   cargomon_orders_total{outcome="accepted"|"rejected"|"conflicting"|"unavailable"}
//   cargomon_auth_failures_total                      (401 answers)
//   cargomon_request_duration_seconds{route}
//   cargomon_store_duration_seconds{route}            (time inside the store)
//   cargomon_invocation_errors_total{error_type}      (posted to /error)
// Pure: no I/O, no clock (the timestamp is given).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "lambda/proxy_handler.hpp"

namespace cargomon::lambda {

inline constexpr const char* kMetricNamespace = "cargomon";

struct InvocationMetrics {
  std::string request_id;
  std::int64_t timestamp_ms = 0;  // Unix time
  std::string route;              // "/metrics", "/pedidos/{pedido_id}", "other"
  int status = 0;                 // 0 when the invocation ended in /error
  std::string error_type;         // when it did
  std::optional<std::string> order_outcome;
  bool auth_failure = false;
  double duration_seconds = 0;
  double store_seconds = 0;
  std::string message;  // the human-readable log text
};

// The route dimension: the route's pattern, as `serve`'s Prometheus labels
// ("/pedidos/{pedido_id}"), "other" for the rest (so a client cannot create
// dimension values).
std::string route_of(std::string_view path, std::string_view method);

InvocationMetrics measure(const Invocation& invocation, const Outcome& outcome,
                          std::chrono::steady_clock::duration took,
                          std::chrono::steady_clock::duration in_store, std::int64_t timestamp_ms);

// One line of JSON, no newline.
std::string emf_line(const InvocationMetrics& metrics);

}  // namespace cargomon::lambda
