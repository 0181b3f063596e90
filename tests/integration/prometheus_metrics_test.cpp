// The admin listener's Prometheus metrics (serve --admin-listen), scraped
// from the real binary while the API is used.

#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "fixture.hpp"
#include "support/seed_orders.hpp"

namespace cargomon::testing {
namespace {

// Every sample of one scrape, by its series as written (name and labels).
using Samples = std::map<std::string, double>;

// Parses a scrape, failing the test on any line that is not well-formed
// text exposition (version 0.0.4), or on a sample whose family lacks its
// HELP or TYPE line.
Samples parse_exposition(const std::string& text) {
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*)");
  const std::regex type(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")"
      R"((?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? ([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?|[-+]Inf|NaN))");
  std::set<std::string> helped;
  std::set<std::string> typed;
  Samples samples;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::smatch match;
    if (std::regex_match(line, match, help)) {
      helped.insert(match[1]);
    } else if (std::regex_match(line, match, type)) {
      typed.insert(match[1]);
    } else if (std::regex_match(line, match, sample)) {
      std::string family = match[1];
      for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
        if (!typed.contains(family) && family.ends_with(suffix)) {
          family.resize(family.size() - suffix.size());
        }
      }
      EXPECT_TRUE(typed.contains(family) && helped.contains(family))
          << "a sample without HELP and TYPE: " << line;
      samples[match[1].str() + match[2].str()] = std::stod(match[3]);
    } else {
      ADD_FAILURE() << "not a line of the text exposition format: " << line;
    }
  }
  return samples;
}

double value(const Samples& samples, const std::string& series) {
  const auto found = samples.find(series);
  return found == samples.end() ? 0 : found->second;
}

class PrometheusMetrics : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    start({"--admin-listen", "127.0.0.1:0"});
    admin_ = std::make_unique<HttpClient>(server().admin_port());
  }
  static void TearDownTestSuite() {
    admin_.reset();
    ServerTest::TearDownTestSuite();
  }

  static Samples scrape() {
    const auto res = admin_->get("/metrics");
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    return parse_exposition(res.body);
  }

  // Scrapes until `ready` holds (what the server counts after it answered,
  // as the group commit's batch, may trail the answer), or a deadline.
  static Samples scrape_until(const std::function<bool(const Samples&)>& ready) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto samples = scrape();
    while (!ready(samples) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // poll interval
      samples = scrape();
    }
    return samples;
  }

  inline static std::unique_ptr<HttpClient> admin_;
};

const std::string kOrders = R"(cargomon_orders_total{outcome=")";
const std::string kIngest =
    R"(cargomon_http_requests_total{route="/registrar_pedido_entregado",status=")";

TEST_F(PrometheusMetrics,
       TheAdminListenerHasItsOwnPortAndTheMainPortsMetricsStayTheBusinessFigures) {
  ASSERT_NE(server().admin_port(), 0);
  EXPECT_NE(server().admin_port(), server().port());
  // The main port's /metrics is the original API's: authenticated, JSON.
  EXPECT_EQ(client().get("/metrics").status, 401);
  const auto business = client().get("/metrics", admin_token());
  ASSERT_EQ(business.status, 200);
  EXPECT_TRUE(business.json().as_object().contains("total_pedidos"));
  // The admin listener serves nothing of the API.
  EXPECT_EQ(admin_->get("/pedidos", admin_token()).status, 404);
  EXPECT_EQ(admin_->post_json("/metrics", "{}").status, 405);
  EXPECT_EQ(admin_->get("/healthz").status, 200);
}

TEST_F(PrometheusMetrics, OrdersAreCountedByOutcomeAndRequestsByRoutePatternAndStatus) {
  const auto before = scrape();
  const std::string order = kSeedOrders[1];
  std::string other = order;
  other.replace(other.find("Carlos"), 6, "Carla!");
  ASSERT_EQ(client().post_json("/registrar_pedido_entregado", order, admin_token()).status, 200);
  ASSERT_EQ(client().post_json("/registrar_pedido_entregado", order, admin_token()).status, 200);
  ASSERT_EQ(client().post_json("/registrar_pedido_entregado", other, admin_token()).status, 409);
  ASSERT_EQ(client()
                .post_json("/registrar_pedido_entregado", R"({"pedido_id": 1})", admin_token())
                .status,
            422);
  ASSERT_EQ(client().get("/pedidos/no-such-order-7f3a", admin_token()).status, 404);

  const auto after = scrape_until([&](const Samples& s) {
    return value(s, "cargomon_store_commit_batch_orders_count") >
           value(before, "cargomon_store_commit_batch_orders_count");
  });
  const auto moved = [&](const std::string& series) {
    return value(after, series) - value(before, series);
  };
  EXPECT_EQ(moved(kOrders + R"(accepted"})"), 1);
  EXPECT_EQ(moved(kOrders + R"(replayed"})"), 1);
  EXPECT_EQ(moved(kOrders + R"(conflicting"})"), 1);
  EXPECT_EQ(moved(kOrders + R"(rejected"})"), 1);
  EXPECT_EQ(moved(kOrders + R"(unavailable"})"), 0);
  EXPECT_EQ(moved(kIngest + R"(200"})"), 2);
  EXPECT_EQ(moved(kIngest + R"(409"})"), 1);
  EXPECT_EQ(moved(kIngest + R"(422"})"), 1);
  EXPECT_EQ(
      moved(R"(cargomon_http_request_duration_seconds_count{route="/registrar_pedido_entregado"})"),
      4);
  // The route pattern, never the order's id.
  EXPECT_EQ(moved(R"(cargomon_http_requests_total{route="/pedidos/{pedido_id}",status="404"})"), 1);
  for (const auto& [series, v] : after) {
    EXPECT_EQ(series.find("no-such-order"), std::string::npos) << series;
    EXPECT_EQ(series.find("4205dd65"), std::string::npos) << series;
  }
  // The stored order's batch was committed and its log synced.
  EXPECT_GE(moved("cargomon_store_commit_batch_orders_count"), 1);
  EXPECT_GE(moved("cargomon_store_commit_batch_orders_sum"), 1);
  EXPECT_GE(moved("cargomon_store_commit_duration_seconds_count"), 1);
  EXPECT_GE(moved("cargomon_store_fsync_duration_seconds_count"), 1);
  EXPECT_EQ(moved("cargomon_store_fsync_failures_total"), 0);
  EXPECT_EQ(moved("cargomon_store_errors_total"), 0);
}

TEST_F(PrometheusMetrics, LoginsAndRejectedTokensAreCountedByOutcomeAndReason) {
  const auto before = scrape();
  EXPECT_EQ(
      client().post_json("/token", R"({"username":"admin","password":"wrong-password"})").status,
      401);
  client().login("admin", kAdminPassword);
  EXPECT_EQ(client().get("/pedidos").status, 401);
  EXPECT_EQ(client().get("/pedidos", "not-a-token").status, 401);
  EXPECT_EQ(
      client().request("GET", "/pedidos", "", {{"Authorization", "Basic YWRtaW46YWRtaW4="}}).status,
      401);
  const auto after = scrape();
  const auto moved = [&](const std::string& series) {
    return value(after, series) - value(before, series);
  };
  EXPECT_EQ(moved(R"(cargomon_logins_total{outcome="failed"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_logins_total{outcome="succeeded"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_logins_total{outcome="throttled"})"), 0);
  EXPECT_EQ(moved(R"(cargomon_http_requests_total{route="/token",status="401"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_http_requests_total{route="/token",status="200"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_tokens_rejected_total{reason="missing"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_tokens_rejected_total{reason="malformed"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_tokens_rejected_total{reason="not_bearer"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_http_requests_total{route="/pedidos",status="401"})"), 3);
}

TEST_F(PrometheusMetrics, RequestsRefusedBeforeRoutingAreCountedByStatus) {
  const auto before = scrape();
  EXPECT_NE(client().raw("NOT HTTP AT ALL\r\n\r\n").find(" 400 "), std::string::npos);
  const auto large = client().post_json("/registrar_pedido_entregado",
                                        std::string(std::size_t{300} * 1024, ' '), admin_token());
  EXPECT_EQ(large.status, 413);
  const auto after = scrape();
  const auto moved = [&](const std::string& series) {
    return value(after, series) - value(before, series);
  };
  EXPECT_EQ(moved(R"(cargomon_http_requests_refused_total{status="400"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_http_requests_refused_total{status="413"})"), 1);
  EXPECT_EQ(moved(R"(cargomon_http_requests_refused_total{status="431"})"), 0);
  // Not in the routes' counts: they never reached one.
  EXPECT_EQ(moved(kIngest + R"(413"})"), 0);
}

TEST_F(PrometheusMetrics, StreamsConnectionsMemoryAndBuildAreShown) {
  const auto before = scrape();
  {
    HttpClient kept_alive(server().port());
    ASSERT_EQ(kept_alive.get("/healthz").status, 200);
    EventReader stream(server().port(), admin_token());
    ASSERT_EQ(stream.status(), 200);
    ASSERT_TRUE(stream.next().has_value());  // today's metrics, at once
    const auto during = scrape_until([&](const Samples& s) {
      return value(s, "cargomon_events_sent_total") > value(before, "cargomon_events_sent_total");
    });
    EXPECT_GE(
        value(during, "cargomon_events_sent_total") - value(before, "cargomon_events_sent_total"),
        1);
    EXPECT_EQ(value(during, "cargomon_event_streams_open"), 1);
    // The stream and the kept-alive connection, at least.
    EXPECT_GE(value(during, "cargomon_http_open_connections"), 2);
  }
  EXPECT_GT(value(scrape(), "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(value(before, "process_start_time_seconds"), 1.7e9);
  EXPECT_EQ(value(before, R"(cargomon_build_info{version="0.1.0"})"), 1);
  // Every route's latency histogram exists before any request reached it.
  EXPECT_TRUE(before.contains(
      R"(cargomon_http_request_duration_seconds_count{route="/metrics/repartidores"})"));
}

TEST_F(PrometheusMetrics, EveryMetricTheAlertRulesAndTheDashboardReadIsExposed) {
  // A rule or a panel over a metric that does not exist shows nothing and
  // never fires: a renamed metric must fail here, not in an outage.
  ASSERT_EQ(client().get("/healthz").status, 200);  // some request series
  const auto text = admin_->get("/metrics").body;
  for (const char* file : {CARGOMON_ALERT_RULES, CARGOMON_GRAFANA_DASHBOARD}) {
    std::ifstream in(file);
    ASSERT_TRUE(in) << file;
    const std::string read_by((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    const std::regex name(R"(\b(cargomon|process)_[a-z_]+)");
    std::set<std::string> read;
    for (auto it = std::sregex_iterator(read_by.begin(), read_by.end(), name);
         it != std::sregex_iterator(); ++it) {
      read.insert(it->str());
    }
    EXPECT_GE(read.size(), 7U) << file;
    for (std::string metric : read) {
      if (metric.ends_with("_bucket"))
        metric.resize(metric.size() - std::string_view("_bucket").size());
      EXPECT_NE(text.find("# TYPE " + metric + " "), std::string::npos)
          << file << " reads " << metric << ", which cargomon does not expose";
    }
  }
}

TEST(PrometheusMetricsOff, WithoutAdminListenNoAdminListenerStarts) {
  TempDir dir;
  ServerProcess::Options options;
  options.data_dir = dir.path() / "data";
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
  ServerProcess server(options);
  EXPECT_EQ(server.admin_port(), 0);
  EXPECT_EQ(server.output().find("admin listening"), std::string::npos);
}

TEST(PrometheusMetricsOff, AnAdminListenWithoutAPortIsRefusedWithAMessage) {
  TempDir dir;
  const auto result = run_cargomon({"serve", "--listen", "127.0.0.1:0", "--data-dir",
                                    (dir.path() / "data").string(), "--admin-listen", "localhost"});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("--admin-listen must be ADDRESS:PORT"), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace cargomon::testing
