// `cargomon simulate` against the real server: what it reports is what the
// server counted.

#include <boost/json.hpp>
#include <cmath>
#include <fstream>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

namespace json = boost::json;

// The number after `label` in the simulator's summary ("  acknowledged  200").
std::int64_t summary_value(const std::string& output, const std::string& label) {
  const std::string key = "\n  " + label;
  const auto at = output.find(key);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no '" << label << "' in:\n" << output;
    return -1;
  }
  return std::stoll(output.substr(at + key.size()));
}

class Simulate : public ServerTest {
 protected:
  struct Today {
    std::string fecha;
    std::int64_t orders = 0;
  };
  static Today today() {
    const auto metrics = client().get("/metrics", admin_token());
    EXPECT_EQ(metrics.status, 200) << metrics.body;
    const auto m = metrics.json();
    return {std::string(m.at("fecha").as_string()), m.at("total_pedidos").as_int64()};
  }
  static std::int64_t orders_on(const std::string& fecha) {
    return client()
        .get("/metrics?fecha=" + fecha, admin_token())
        .json()
        .at("total_pedidos")
        .as_int64();
  }
  // Orders the server counted since `before`, across a midnight if the run crossed one.
  static std::int64_t counted_since(const Today& before) {
    const auto after = today();
    std::int64_t counted = orders_on(before.fecha) - before.orders;
    if (after.fecha != before.fecha) counted += after.orders;
    return counted;
  }
  static CommandResult simulate(std::vector<std::string> args, const std::string& user = "admin",
                                const std::string& password = kAdminPassword) {
    std::vector<std::string> all{"simulate", "--url", server().base_url(), "--username", user};
    all.insert(all.end(), args.begin(), args.end());
    return run_cargomon(all, "", {{"CARGOMON_SIM_PASSWORD", password}});
  }
};

TEST_F(Simulate, AtAFixedRateItsAcknowledgedCountIsWhatTheServerCounted) {
  const auto before = today();
  const auto run = simulate({"--count", "200", "--rate", "500", "--connections", "4", "--quiet"});
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(summary_value(run.output, "sent"), 200);
  EXPECT_EQ(summary_value(run.output, "acknowledged"), 200);
  EXPECT_EQ(summary_value(run.output, "rejected"), 0);
  EXPECT_EQ(summary_value(run.output, "failed"), 0);
  EXPECT_EQ(counted_since(before), 200);
  EXPECT_NE(run.output.find("p99 "), std::string::npos) << run.output;
}

TEST_F(Simulate, ADurationSendsTheOrdersDueWithinIt) {
  const auto before = today();
  const auto run = simulate({"--rate", "100", "--duration", "1", "--quiet"});
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(summary_value(run.output, "sent"), 100);  // due at 0, 10, … 990 ms
  EXPECT_EQ(summary_value(run.output, "acknowledged"), 100);
  EXPECT_EQ(counted_since(before), 100);
}

TEST_F(Simulate, ACourierRegistersTheSeedsKindOfOrderWithThePasswordFromStdin) {
  token_for("repartidor1", "courier");
  const auto run = run_cargomon({"simulate", "--url", server().base_url(), "--username",
                                 "repartidor1", "--interval", "5", "--count", "1"},
                                "password-repartidor1\n");
  ASSERT_EQ(run.status, 0) << run.output;
  // The interval mode shows each order: "registered <pedido_id>: <courier>, …".
  const auto at = run.output.find("registered ");
  ASSERT_NE(at, std::string::npos) << run.output;
  const std::string order_id = run.output.substr(at + 11, 36);
  const auto stored = client().get("/pedidos/" + order_id, admin_token());
  ASSERT_EQ(stored.status, 200) << run.output;
  const auto order = stored.json();
  const auto& lines = order.at("productos").as_array();
  EXPECT_GE(lines.size(), 1u);
  EXPECT_LE(lines.size(), 10u);
  const auto id = order.at("repartidor").at("IdRepartidor").as_int64();
  EXPECT_GE(id, 101);
  EXPECT_LE(id, 108);
  EXPECT_EQ(std::string(order.at("fecha").as_string()), today().fecha);  // "now", business timezone
}

TEST_F(Simulate, ACatalogFileReplacesTheDefaultOne) {
  TempDir dir;
  const auto catalog = dir.path() / "catalog.json";
  std::ofstream(catalog) << R"({"repartidores": [{"IdRepartidor": "R-9", "Nombre": "Rosa Díaz"}],
    "productos": [{"IdProducto": "x1", "producto": "Sobre manila", "precio": 0.35}]})";
  const auto run = simulate({"--interval", "0.01", "--count", "3", "--catalog", catalog.string(),
                             "--seed", "7", "--quiet"});
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(summary_value(run.output, "acknowledged"), 3);
  const auto list = client().get("/pedidos?repartidor=R-9", admin_token()).json();
  const auto& orders = list.at("pedidos").as_array();
  ASSERT_EQ(orders.size(), 3u);
  for (const auto& order : orders) {
    EXPECT_EQ(order.at("repartidor").at("Nombre"), "Rosa Díaz");
    const auto units = order.at("unidades").as_int64();
    // total = 0.35 per line, printed exactly
    const auto cents =
        static_cast<std::int64_t>(std::llround(order.at("total").to_number<double>() * 100));
    EXPECT_EQ(cents, 35 * units);
  }
}

TEST_F(Simulate, AWrongPasswordEndsWithTheServersReasonAndNothingSent) {
  const auto before = today();
  const auto run = simulate({"--count", "5", "--rate", "100"}, "admin", "not-the-password");
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_NE(run.output.find("refused: 401 Incorrect username or password"), std::string::npos)
      << run.output;
  EXPECT_EQ(summary_value(run.output, "sent"), 0);
  EXPECT_EQ(counted_since(before), 0);
}

TEST_F(Simulate, AnUnreachableServerIsReportedNotWaitedForForever) {
  const auto run = run_cargomon(
      {"simulate", "--url", "http://127.0.0.1:1", "--count", "1", "--max-attempts", "2"}, "",
      {{"CARGOMON_SIM_PASSWORD", "whatever-password"}});
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_NE(run.output.find("could not log in: connect:"), std::string::npos) << run.output;
}

TEST_F(Simulate, BadOptionsAreRefusedBeforeAnythingIsSent) {
  EXPECT_NE(simulate({"--rate", "10", "--interval", "1"}).status, 0);
  const auto https = run_cargomon({"simulate", "--url", "https://example.com"}, "",
                                  {{"CARGOMON_SIM_PASSWORD", "x"}});
  EXPECT_EQ(https.status, 1);
  EXPECT_NE(https.output.find("http://"), std::string::npos) << https.output;
}

}  // namespace
}  // namespace cargomon::testing
