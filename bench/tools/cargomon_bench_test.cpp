// cargomon-bench: a smoke run of the real tool against the real server
// (orders | cargomon import, freshness, hostile) and the real `cargomon lambda`.
// No timing is asserted: the figures come from bench/run.sh on a quiet
// machine. Its event-stream parser is net/event_stream_parser.hpp, tested in
// net_test.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace cargomon::bench {
namespace {

// The tools' programs, run through the shell (for the pipe), stdout kept
// apart from stderr.
struct Ran {
  int status = -1;
  std::string out;
  std::string err;
};

Ran shell(const std::string& command) {
  testing::TempDir scratch;
  const auto err_path = scratch.path() / "stderr";
  Ran ran;
  FILE* pipe = ::popen(("{ " + command + "; } 2>" + err_path.string()).c_str(), "r");
  if (pipe == nullptr) return ran;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    ran.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  ran.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::ostringstream text;
  text << err.rdbuf();
  ran.err = text.str();
  return ran;
}

// The last line of stdout as a JSON object.
boost::json::object last_json_line(const Ran& ran) {
  std::string line;
  std::istringstream lines(ran.out);
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty()) line = l;
  }
  return boost::json::parse(line).as_object();
}

constexpr const char* kAdminPassword = "correct-horse-battery";

TEST(CargomonBench, ImportsItsOrdersAndMeasuresFreshnessAgainstTheRealServer) {
  const std::string bench = CARGOMON_BENCH_BIN;
  const std::string cargomon = testing::cargomon_binary().string();
  testing::TempDir dir;
  const auto data = dir.path() / "data";

  const auto imported = shell(bench + " orders --count 100 --days 1 | " + cargomon +
                              " import --create --data-dir " + data.string() + " -");
  ASSERT_EQ(imported.status, 0) << imported.out << imported.err;
  EXPECT_NE(imported.out.find("100 imported, 0 already present, 0 conflicting, 0 rejected"),
            std::string::npos)
      << imported.out;

  testing::ServerProcess server({data, {}, {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}}});
  testing::HttpClient client(server.port());
  const auto admin = client.login("admin", kAdminPassword);
  // The orders are all of one business day (today, unless the day turned
  // since the import): its metrics count every one of them.
  const auto listed = [&] {
    const auto page = client.get("/pedidos?limit=1000", admin);
    EXPECT_EQ(page.status, 200) << page.body;
    return page.json().at("pedidos").as_array();
  };
  const auto orders = listed();
  ASSERT_EQ(orders.size(), 100u);
  const auto fecha = std::string(orders.at(0).at("fecha").as_string());
  const auto metrics = client.get("/metrics?fecha=" + fecha, admin);
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(metrics.json().at("total_pedidos").as_int64(), 100);

  for (const auto& [user, role] : {std::pair{"courier1", "courier"}, {"viewer1", "viewer"}}) {
    const auto created =
        client.post_json("/usuarios",
                         std::string(R"({"username":")") + user + R"(","password":"password-)" +
                             user + R"(","role":")" + role + R"("})",
                         admin);
    ASSERT_EQ(created.status, 201) << created.body;
  }
  const auto fresh = shell(
      "CARGOMON_BENCH_PASSWORD=password-courier1 CARGOMON_BENCH_VIEWER_PASSWORD=password-viewer1 " +
      bench + " freshness --url " + server.base_url() +
      " --username courier1 --viewer-username viewer1 --streams 20 --rate 200 --duration 2 "
      "--connections 4 --hold-seconds 0.01");
  ASSERT_EQ(fresh.status, 0) << fresh.out << fresh.err;
  EXPECT_EQ(fresh.out.substr(0, fresh.out.find('\n')), R"({"phase":"streams_open"})");
  const auto result = last_json_line(fresh);
  EXPECT_EQ(result.at("streams").as_int64(), 20);
  const auto acked = result.at("orders_acked").as_int64();
  EXPECT_GT(acked, 0);
  EXPECT_EQ(result.at("orders_failed").as_int64(), 0);
  EXPECT_EQ(result.at("events_expected").as_int64(), acked * 20);
  EXPECT_EQ(result.at("events_received").as_int64(), result.at("events_expected").as_int64())
      << fresh.err;
  EXPECT_EQ(result.at("missed").as_int64(), 0);
  EXPECT_EQ(result.at("streams_closed").as_int64(), 0);
  for (const char* key : {"negative", "p50_ms", "p90_ms", "p99_ms", "max_ms"}) {
    EXPECT_TRUE(result.contains(key)) << key;
  }
  EXPECT_EQ(static_cast<std::int64_t>(listed().size()), 100 + acked);
}

TEST(CargomonBench, MeasuresTheLambdaFunctionAgainstTheStandInRuntime) {
  const std::string bench = CARGOMON_BENCH_BIN;
  const std::string cargomon = testing::cargomon_binary().string();
  testing::TempDir dir;
  const auto ran = shell(bench + " lambda --dir " + (dir.path() / "lambda").string() +
                         " --cold-starts 2 --fresh-cold-starts 1 --invocations 3 --warm-up 1"
                         " --logins 1 -- " +
                         cargomon + " lambda");
  ASSERT_EQ(ran.status, 0) << ran.out << ran.err;
  std::map<std::string, boost::json::object> lines;  // by measure and what it is of
  std::istringstream out(ran.out);
  for (std::string line; std::getline(out, line);) {
    auto object = boost::json::parse(line).as_object();
    const auto& of = object.contains("store")   ? object.at("store")
                     : object.contains("route") ? object.at("route")
                                                : object.at("after");
    lines[std::string(object.at("measure").as_string()) + " " + std::string(of.as_string())] =
        std::move(object);
  }
  for (const char* store : {"cold_start existing", "cold_start fresh"}) {
    ASSERT_TRUE(lines.contains(store)) << ran.out;
    const auto& cold = lines.at(store);
    EXPECT_GT(cold.at("next_p50_ms").to_number<double>(), 0) << store;
    EXPECT_GE(cold.at("response_p50_ms").to_number<double>(),
              cold.at("next_p50_ms").to_number<double>())
        << store;
    EXPECT_GT(cold.at("hwm_p50_mb").to_number<double>(), 0) << store;
  }
  for (const char* route : {"order", "metrics", "pedidos", "healthz", "unauthorized"}) {
    const auto key = std::string("warm ") + route;
    ASSERT_TRUE(lines.contains(key)) << ran.out;
    const auto& warm = lines.at(key);
    EXPECT_EQ(warm.at("invocations").as_int64(), 3) << route;
    // Every invocation's EMF line was found: its store figures are in.
    EXPECT_EQ(warm.at("unreported").as_int64(), 0) << route;
    EXPECT_GE(warm.at("span_p50_ms").to_number<double>(),
              warm.at("latency_p50_ms").to_number<double>())
        << route;
    EXPECT_GE(warm.at("billed_mean_ms").to_number<double>(), 1) << route;
  }
  EXPECT_EQ(lines.at("warm unauthorized").at("status").as_int64(), 401);
  EXPECT_EQ(lines.at("warm token").at("invocations").as_int64(), 1);
  EXPECT_GT(lines.at("warm order").at("store_p50_ms").to_number<double>(), 0);
  ASSERT_TRUE(lines.contains("memory logins")) << ran.out;
  EXPECT_GE(lines.at("memory logins").at("hwm_mb").to_number<double>(),
            lines.at("memory warm").at("hwm_mb").to_number<double>());
}

// Every attacker at small sizes against a server with its default limits:
// the run completes, the normal users are measured, and the caps answered
// what they should (50 streams per address, then 429).
TEST(CargomonBench, RunsTheHostileClientsAgainstTheRealServer) {
  const std::string bench = CARGOMON_BENCH_BIN;
  const std::string cargomon = testing::cargomon_binary().string();
  testing::TempDir dir;
  const auto data = dir.path() / "data";
  const auto imported = shell(bench + " orders --count 300 --days 1 | " + cargomon +
                              " import --create --data-dir " + data.string() + " -");
  ASSERT_EQ(imported.status, 0) << imported.out << imported.err;

  testing::ServerProcess server({data, {}, {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}}});
  testing::HttpClient client(server.port());
  const auto admin = client.login("admin", kAdminPassword);
  for (const auto& [user, role] : {std::pair{"courier1", "courier"},
                                   {"viewer1", "viewer"},
                                   {"flooder", "courier"},
                                   {"silent1", "viewer"},
                                   {"storm1", "viewer"}}) {
    const auto created =
        client.post_json("/usuarios",
                         std::string(R"({"username":")") + user +
                             R"(","password":"password-of-every-one","role":")" + role + R"("})",
                         admin);
    ASSERT_EQ(created.status, 201) << created.body;
  }
  const auto ran = shell(
      "CARGOMON_BENCH_PASSWORD=password-of-every-one "
      "CARGOMON_BENCH_VIEWER_PASSWORD=password-of-every-one "
      "CARGOMON_BENCH_ATTACKER_PASSWORD=password-of-every-one " +
      bench + " hostile --url " + server.base_url() +
      " --username courier1 --viewer-username viewer1 --flood-username flooder "
      "--silent-viewer silent1 --storm-viewer storm1 --duration 2 --courier-rate 20 "
      "--health-rate 10 --silent-streams 60 --silent-addresses 1 --flood-lines 20 "
      "--unknown-logins 20 --idle-sockets 5 --storm-clients 2 --storm-addresses 1 "
      "--drain-seconds 5");
  ASSERT_EQ(ran.status, 0) << ran.out << ran.err;
  const auto result = last_json_line(ran);
  const auto acked = result.at("courier_orders_acked").as_int64();
  EXPECT_GT(acked, 0) << ran.err;
  EXPECT_EQ(result.at("viewer_events_expected").as_int64(), acked);
  EXPECT_EQ(result.at("viewer_missed").as_int64(), 0) << ran.err;
  EXPECT_EQ(result.at("health_non_200").as_int64(), 0) << ran.err;
  EXPECT_GT(result.at("health_samples").as_int64(), 0);
  for (const char* key : {"courier_p99_ms", "viewer_p99_ms", "health_p99_ms"}) {
    EXPECT_TRUE(result.contains(key)) << key;
  }
  // 60 streams from one address: the cap admits 50 (a few more would be a
  // race in the server's count, not this tool's doing).
  const auto admitted = result.at("silent_admitted").as_int64();
  EXPECT_GE(admitted, 50);
  EXPECT_EQ(admitted + result.at("silent_not_admitted").as_int64(), 60);
  const auto& silent = result.at("silent_outcomes").as_object();
  ASSERT_TRUE(silent.contains("429")) << ran.out;
  EXPECT_EQ(silent.at("429").as_int64(), 60 - admitted);
  EXPECT_GT(result.at("flood_orders_acked").as_int64(), 0) << ran.out;
  // Logins of unknown users are refused, as wrong (401) or as too many at
  // once from one address (429) or for the hashing queue (503).
  EXPECT_GE(result.at("login_attempts").as_int64(), 20);
  for (const auto& outcome : result.at("login_outcomes").as_object()) {
    EXPECT_TRUE(outcome.key() == "401" || outcome.key() == "429" || outcome.key() == "503")
        << outcome.key();
  }
  EXPECT_GE(result.at("idle_connects").as_int64(), 5);
  EXPECT_GT(result.at("storm_connects").as_int64(), 0);
}

}  // namespace
}  // namespace cargomon::bench
