// The invocation's EMF line: valid Embedded Metric Format, the metric names
// and dimensions the docs promise, and the log fields.

#include "lambda/emf.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cargomon::lambda {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

Outcome answered(std::string method, std::string path, int status) {
  Outcome outcome;
  outcome.payload = "{}";
  outcome.status = status;
  outcome.method = std::move(method);
  outcome.path = std::move(path);
  return outcome;
}

json::object line_for(const Outcome& outcome) {
  const Invocation invocation{"req-9", 0, "", "", ""};
  return json::parse(emf_line(measure(invocation, outcome, 3ms, 1ms, 1'700'000'000'000)))
      .as_object();
}

// Every metric a directive names is a number at the root, and every
// dimension a string there (what CloudWatch requires of an EMF line).
void expect_valid_emf(const json::object& line) {
  const auto& aws = line.at("_aws").as_object();
  EXPECT_EQ(aws.at("Timestamp"), 1'700'000'000'000);
  for (const auto& directive : aws.at("CloudWatchMetrics").as_array()) {
    EXPECT_EQ(directive.at("Namespace"), "cargomon");
    for (const auto& set : directive.at("Dimensions").as_array()) {
      for (const auto& dimension : set.as_array()) {
        EXPECT_TRUE(line.at(dimension.as_string()).is_string()) << dimension;
      }
    }
    for (const auto& metric : directive.at("Metrics").as_array()) {
      EXPECT_TRUE(line.at(metric.at("Name").as_string()).is_number()) << metric;
    }
  }
}

std::vector<std::string> metric_names(const json::object& line) {
  std::vector<std::string> names;
  for (const auto& directive : line.at("_aws").at("CloudWatchMetrics").as_array()) {
    for (const auto& metric : directive.at("Metrics").as_array()) {
      names.emplace_back(metric.at("Name").as_string());
    }
  }
  return names;
}

TEST(Emf, AnAcceptedOrderCountsWithItsOutcomeAndTimes) {
  const auto line = line_for(answered("POST", "/registrar_pedido_entregado", 200));
  expect_valid_emf(line);
  EXPECT_EQ(line.at("outcome"), "accepted");
  EXPECT_EQ(line.at("cargomon_orders_total"), 1);
  EXPECT_EQ(line.at("route"), "/registrar_pedido_entregado");
  EXPECT_DOUBLE_EQ(line.at("cargomon_request_duration_seconds").as_double(), 0.003);
  EXPECT_DOUBLE_EQ(line.at("cargomon_store_duration_seconds").as_double(), 0.001);
  EXPECT_EQ(line.at("requestId"), "req-9");
  EXPECT_EQ(line.at("level"), "info");
}

TEST(Emf, ConflictsRejectionsAndAuthFailuresAreTheirOwnCounts) {
  EXPECT_EQ(line_for(answered("POST", "/registrar_pedido_entregado", 409)).at("outcome"),
            "conflicting");
  EXPECT_EQ(line_for(answered("POST", "/registrar_pedido_entregado", 422)).at("outcome"),
            "rejected");
  const auto unauthorised = line_for(answered("POST", "/registrar_pedido_entregado", 401));
  expect_valid_emf(unauthorised);
  EXPECT_FALSE(unauthorised.contains("outcome"));
  EXPECT_EQ(unauthorised.at("cargomon_auth_failures_total"), 1);
  const auto metrics = line_for(answered("GET", "/metrics", 200));
  const auto names = metric_names(metrics);
  EXPECT_EQ(std::count(names.begin(), names.end(), "cargomon_orders_total"), 0);
}

TEST(Emf, AFailedInvocationCountsByErrorType) {
  Outcome failed;
  failed.ok = false;
  failed.error_type = "Runtime.MalformedEvent";
  failed.message = "not JSON";
  const auto line = line_for(failed);
  expect_valid_emf(line);
  EXPECT_EQ(line.at("error_type"), "Runtime.MalformedEvent");
  EXPECT_EQ(line.at("cargomon_invocation_errors_total"), 1);
  EXPECT_EQ(line.at("level"), "warn");
  EXPECT_EQ(line.at("route"), "other");
}

TEST(Emf, RoutesAreAFixedSetSoClientsCannotMakeDimensions) {
  // The labels of serve's Prometheus counters, so both modes chart alike.
  EXPECT_EQ(route_of("/pedidos/4205dd65-056f", "GET"), "/pedidos/{pedido_id}");
  EXPECT_EQ(route_of("/pedidos", "GET"), "/pedidos");
  EXPECT_EQ(route_of("/usuarios/ana", "PATCH"), "/usuarios/{username}");
  EXPECT_EQ(route_of("/metrics/rango", "GET"), "/metrics/rango");
  EXPECT_EQ(route_of("/informes/dia.xlsx", "GET"), "/informes/dia.xlsx");
  EXPECT_EQ(route_of("/anything-at-all", "GET"), "other");
  EXPECT_EQ(route_of("/anything/at/all", "POST"), "other");
  EXPECT_EQ(route_of("", "GET"), "other");
}

}  // namespace
}  // namespace cargomon::lambda
