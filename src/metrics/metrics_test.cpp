#include "metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace cargomon::metrics {
namespace {

using namespace std::chrono_literals;

// The value of the one sample line `series` (name and labels, as written), or -1.
double sample(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

Metrics make() { return Metrics({"/token", "/registrar_pedido_entregado"}, "1.2.3"); }

TEST(Metrics, RequestsAreCountedByRouteAndStatusAndTimedByRoute) {
  auto metrics = make();
  metrics.request_answered(1, 200, 2ms);
  metrics.request_answered(1, 200, 3ms);
  metrics.request_answered(1, 409, 1ms);
  metrics.request_answered(0, 401, 20ms);
  const auto text = metrics.exposition();
  EXPECT_EQ(
      sample(text,
             R"(cargomon_http_requests_total{route="/registrar_pedido_entregado",status="200"})"),
      2);
  EXPECT_EQ(
      sample(text,
             R"(cargomon_http_requests_total{route="/registrar_pedido_entregado",status="409"})"),
      1);
  EXPECT_EQ(sample(text, R"(cargomon_http_requests_total{route="/token",status="401"})"), 1);
  EXPECT_EQ(
      sample(
          text,
          R"(cargomon_http_request_duration_seconds_count{route="/registrar_pedido_entregado"})"),
      3);
  EXPECT_NEAR(
      sample(text,
             R"(cargomon_http_request_duration_seconds_sum{route="/registrar_pedido_entregado"})"),
      0.006, 1e-9);
  // 2 ms and 1 ms are within 2.5 ms; 3 ms is not.
  EXPECT_EQ(
      sample(
          text,
          R"(cargomon_http_request_duration_seconds_bucket{route="/registrar_pedido_entregado",le="0.0025"})"),
      2);
  // A series no request reached is not written.
  EXPECT_EQ(text.find(R"(route="/token",status="200")"), std::string::npos);
}

TEST(Metrics, AnUnknownRouteIsIgnoredAndAStatusOutOfRangeCountsAs500) {
  auto metrics = make();
  metrics.request_answered(2, 200, 1ms);
  metrics.request_answered(0, 999, 1ms);
  const auto text = metrics.exposition();
  EXPECT_EQ(sample(text, R"(cargomon_http_requests_total{route="/token",status="500"})"), 1);
  EXPECT_EQ(text.find("status=\"999\""), std::string::npos);
}

TEST(Metrics, ConcurrentRequestsAreAllCounted) {
  auto metrics = make();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) metrics.request_answered(1, 200 + (i % 2), 1ms);
    });
  }
  for (auto& thread : threads) thread.join();
  const auto text = metrics.exposition();
  EXPECT_EQ(
      sample(text,
             R"(cargomon_http_requests_total{route="/registrar_pedido_entregado",status="200"})"),
      2000);
  EXPECT_EQ(
      sample(text,
             R"(cargomon_http_requests_total{route="/registrar_pedido_entregado",status="201"})"),
      2000);
}

TEST(Metrics, OutcomesAndReasonsAreLabelledFromTheirEnums) {
  auto metrics = make();
  metrics.order(OrderOutcome::accepted);
  metrics.order(OrderOutcome::accepted);
  metrics.order(OrderOutcome::conflicting);
  metrics.login(LoginOutcome::throttled);
  metrics.token_rejected(TokenRejection::expired);
  metrics.unavailable(Unavailable::overloaded);
  metrics.resync(ResyncReason::memory_budget, 3);
  metrics.resync(ResyncReason::too_many_missed);
  metrics.rate_limited(RateLimitScope::address);
  metrics.request_refused(413);
  metrics.request_refused(431);
  metrics.request_refused(431);
  metrics.request_refused(400);
  const auto text = metrics.exposition();
  EXPECT_EQ(sample(text, R"(cargomon_orders_total{outcome="accepted"})"), 2);
  EXPECT_EQ(sample(text, R"(cargomon_orders_total{outcome="conflicting"})"), 1);
  EXPECT_EQ(sample(text, R"(cargomon_orders_total{outcome="replayed"})"), 0);
  EXPECT_EQ(sample(text, R"(cargomon_logins_total{outcome="throttled"})"), 1);
  EXPECT_EQ(sample(text, R"(cargomon_tokens_rejected_total{reason="expired"})"), 1);
  EXPECT_EQ(sample(text, R"(cargomon_unavailable_responses_total{reason="overloaded"})"), 1);
  EXPECT_EQ(sample(text, R"(cargomon_event_resyncs_total{reason="memory_budget"})"), 3);
  EXPECT_EQ(sample(text, R"(cargomon_event_streams_dropped_total{reason="memory_budget"})"), 3);
  // A resync for a gap is not a stream dropped for slowness.
  EXPECT_EQ(sample(text, R"(cargomon_event_resyncs_total{reason="too_many_missed"})"), 1);
  EXPECT_EQ(text.find(R"(cargomon_event_streams_dropped_total{reason="too_many_missed"})"),
            std::string::npos);
  EXPECT_EQ(sample(text, R"(cargomon_rate_limited_total{scope="address"})"), 1);
  EXPECT_EQ(sample(text, R"(cargomon_http_requests_refused_total{status="400"})"), 1);
  EXPECT_EQ(sample(text, R"(cargomon_http_requests_refused_total{status="413"})"), 1);
  EXPECT_EQ(sample(text, R"(cargomon_http_requests_refused_total{status="431"})"), 2);
}

TEST(Metrics, TheGroupCommitIsObserved) {
  auto metrics = make();
  CommitObserver& observer = metrics;
  observer.batch_committed(7, 4ms);
  observer.batch_committed(1, 1ms);
  observer.log_synced(2ms, true);
  observer.log_synced(0ms, false);
  const auto text = metrics.exposition();
  EXPECT_EQ(sample(text, "cargomon_store_commit_batch_orders_count"), 2);
  EXPECT_EQ(sample(text, "cargomon_store_commit_batch_orders_sum"), 8);
  EXPECT_EQ(sample(text, R"(cargomon_store_commit_batch_orders_bucket{le="5"})"), 1);
  EXPECT_EQ(sample(text, "cargomon_store_commit_duration_seconds_count"), 2);
  EXPECT_EQ(sample(text, "cargomon_store_fsync_duration_seconds_count"), 1);
  EXPECT_EQ(sample(text, "cargomon_store_fsync_failures_total"), 1);
}

TEST(Metrics, SampledGaugesAreReadAtEachScrape) {
  auto metrics = make();
  double open = 3;
  metrics.sample(Sampled::open_connections, [&] { return open; });
  EXPECT_EQ(sample(metrics.exposition(), "cargomon_http_open_connections"), 3);
  open = 5;
  EXPECT_EQ(sample(metrics.exposition(), "cargomon_http_open_connections"), 5);
  EXPECT_GT(sample(metrics.exposition(), "process_resident_memory_bytes"), 0);
  EXPECT_EQ(sample(metrics.exposition(), R"(cargomon_build_info{version="1.2.3"})"), 1);
}

TEST(Metrics, EveryFamilyHasHelpAndTypeAndEveryLineIsWellFormed) {
  auto metrics = make();
  metrics.request_answered(0, 200, 1ms);
  const auto text = metrics.exposition();
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  const std::regex line(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})? ([-+0-9.eE]+|[-+]?Inf|NaN))");
  std::set<std::string> helped;
  std::set<std::string> typed;
  std::size_t samples = 0;
  std::istringstream in(text);
  for (std::string row; std::getline(in, row);) {
    if (row.empty()) continue;
    std::smatch match;
    if (std::regex_match(row, match, help)) {
      helped.insert(match[1]);
    } else if (std::regex_match(row, match, type)) {
      typed.insert(match[1]);
      EXPECT_TRUE(helped.contains(match[1])) << "TYPE before HELP: " << row;
    } else {
      ASSERT_TRUE(std::regex_match(row, match, line)) << "not an exposition line: " << row;
      std::string family = match[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (!typed.contains(family) && family.ends_with(suffix)) {
          family.resize(family.size() - std::string_view(suffix).size());
        }
      }
      EXPECT_TRUE(typed.contains(family)) << "a sample without its TYPE: " << row;
      ++samples;
    }
  }
  EXPECT_EQ(helped, typed);
  EXPECT_GT(samples, 50U);
  for (const auto& name : typed) {
    EXPECT_TRUE(name.starts_with("cargomon_") || name.starts_with("process_")) << name;
  }
}

}  // namespace
}  // namespace cargomon::metrics
