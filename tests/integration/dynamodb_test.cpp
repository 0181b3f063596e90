// `cargomon serve --store dynamodb://PREFIX` on DynamoDB Local, end to end:
// the seed's flow over HTTP, a restart, two instances sharing the tables
// (listings, metrics, one order sent to both, live streams), and `cargomon
// user` on the same tables.
//
// Needs CARGOMON_TEST_DYNAMODB_ENDPOINT (scripts/with-dynamodb-local.sh sets
// it, as CI does); skipped, saying so, without it.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "aws/dynamodb_client.hpp"
#include "storage/dynamodb/throwaway_tables.hpp"
#include "support/http_client.hpp"
#include "support/seed_orders.hpp"
#include "support/server_process.hpp"

namespace cargomon::testing {
namespace {

constexpr const char* kAdminPassword = "correct-horse-battery";
constexpr const char* kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class DynamoDbServe : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = test_dynamodb_config();
    if (!config) GTEST_SKIP() << kNoDynamoDb;
    tables_ = std::make_unique<ThrowawayTables>(std::move(*config));
  }

  std::map<std::string, std::string> env() const {
    const auto& config = tables_->config();
    return {{"AWS_ENDPOINT_URL_DYNAMODB", "http://" + config.endpoint.host_header},
            {"AWS_ACCESS_KEY_ID", config.credentials.access_key_id},
            {"AWS_SECRET_ACCESS_KEY", config.credentials.secret_access_key},
            {"AWS_REGION", config.region},
            {"CARGOMON_ADMIN_PASSWORD", kAdminPassword},
            {"CARGOMON_JWT_SECRET", kSecret}};
  }

  std::unique_ptr<ServerProcess> serve(const std::string& name) {
    ServerProcess::Options options;
    options.data_dir = dir_.path() / name;
    options.extra_args = {"--store", tables_->url()};
    options.env = env();
    return std::make_unique<ServerProcess>(options);
  }

  TempDir dir_;
  std::unique_ptr<ThrowawayTables> tables_;
};

TEST_F(DynamoDbServe, TheSeedFlowGivesTheExpectedNumbersAndSurvivesARestart) {
  auto server = serve("a");
  {
    HttpClient client(server->port());
    const auto token = client.login("admin", kAdminPassword);
    std::int64_t first_sequence = 0;
    for (const char* order : kSeedOrders) {
      const auto res = client.post_json("/registrar_pedido_entregado", order, token);
      ASSERT_EQ(res.status, 200) << res.body;
      if (first_sequence == 0) first_sequence = res.json().at("pedido").at("secuencia").as_int64();
    }
    const auto replay = client.post_json("/registrar_pedido_entregado", kSeedOrders[0], token);
    ASSERT_EQ(replay.status, 200) << replay.body;
    EXPECT_EQ(replay.json().at("pedido").at("secuencia").as_int64(), first_sequence);
    std::string changed = kSeedOrders[0];
    changed.replace(changed.find("\"precio\": 1"), 11, "\"precio\": 2");
    EXPECT_EQ(client.post_json("/registrar_pedido_entregado", changed, token).status, 409);

    const auto metrics = client.get("/metrics?fecha=2024-09-12", token);
    ASSERT_EQ(metrics.status, 200) << metrics.body;
    EXPECT_EQ(metrics.body.substr(0, metrics.body.find(",\"fecha\"")),
              R"({"top_3_productos":[["Moneda",2],["Tijeras pequeñas",1],["Tarjeta SIM",1]],)"
              R"("precio_promedio_por_pedido":7.17,"acumulado_ventas_dia":21.5)");
    const auto list = client.get("/pedidos?fecha=2024-09-12", token);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json().at("pedidos").as_array().size(), 3u);
  }
  ASSERT_EQ(server->stop(), 0) << server->output();

  server = serve("a");
  HttpClient client(server->port());
  const auto token = client.login("admin", kAdminPassword);
  EXPECT_EQ(client.get("/metrics?fecha=2024-09-12", token).json().at("total_pedidos"), 3);
  EXPECT_EQ(client.get("/pedidos/12345", token).status, 200);
}

TEST_F(DynamoDbServe, TwoInstancesOnTheSameTablesBehaveAsOne) {
  auto a = serve("a");
  auto b = serve("b");
  HttpClient on_a(a->port());
  HttpClient on_b(b->port());
  const auto token = on_a.login("admin", kAdminPassword);
  // A token from one is accepted by the other (one secret); one admin was made.
  EXPECT_EQ(on_b.get("/usuarios", token).status, 200);
  EXPECT_EQ(on_b.get("/usuarios", token).json().at("usuarios").as_array().size(), 1u);

  ASSERT_EQ(on_a.post_json("/registrar_pedido_entregado", kSeedOrders[1], token).status, 200);
  EXPECT_EQ(on_b.get("/pedidos/4205dd65-056f-462e-8e1f-c801a5e78536", token).status, 200);
  EXPECT_EQ(on_b.get("/metrics?fecha=2024-09-12", token).json().at("total_pedidos"), 1);

  // The same order sent to both at once is stored once.
  std::int64_t sequences[2] = {0, 0};
  std::thread other([&] {
    HttpClient client(b->port());
    const auto res = client.post_json("/registrar_pedido_entregado", kSeedOrders[2], token);
    if (res.status == 200) sequences[1] = res.json().at("pedido").at("secuencia").as_int64();
  });
  const auto res = on_a.post_json("/registrar_pedido_entregado", kSeedOrders[2], token);
  other.join();
  ASSERT_EQ(res.status, 200) << res.body;
  sequences[0] = res.json().at("pedido").at("secuencia").as_int64();
  EXPECT_EQ(sequences[0], sequences[1]);
  EXPECT_EQ(on_a.get("/metrics?fecha=2024-09-12", token).json().at("total_pedidos"), 2);
}

TEST_F(DynamoDbServe, AnOrderSentToOneInstanceReachesAStreamOnTheOther) {
  auto a = serve("a");
  auto b = serve("b");
  HttpClient on_a(a->port());
  const auto token = on_a.login("admin", kAdminPassword);
  EventReader stream(b->port(), token);
  ASSERT_EQ(stream.status(), 200);
  const auto res = on_a.post_json("/registrar_pedido_entregado", kSeedOrders[0], token);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto sequence = std::to_string(res.json().at("pedido").at("secuencia").as_int64());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::optional<EventReader::Event> event;
  while (std::chrono::steady_clock::now() < deadline) {
    event = stream.next(std::chrono::seconds(10));
    if (!event || event->name == "pedido") break;
  }
  ASSERT_TRUE(event && event->name == "pedido") << "no order on b's stream";
  EXPECT_EQ(event->id, sequence);
}

TEST_F(DynamoDbServe, WithNoCreateTablesMissingTablesAreAnErrorNotCreated) {
  const auto refused =
      run_cargomon({"user", "list", "--store", tables_->url(), "--no-create-tables"}, "", env());
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("does not exist"), std::string::npos) << refused.output;
  auto server = serve("a");  // creates them
  const auto listed =
      run_cargomon({"user", "list", "--store", tables_->url(), "--no-create-tables"}, "", env());
  EXPECT_EQ(listed.status, 0) << listed.output;
  EXPECT_NE(listed.output.find("admin"), std::string::npos) << listed.output;
}

TEST_F(DynamoDbServe, UsersAreManagedFromTheCommandLineOnTheSameTables) {
  auto server = serve("a");
  const auto added =
      run_cargomon({"user", "add", "cli-courier", "--role", "courier", "--store", tables_->url()},
                   "cli-password\n", env());
  ASSERT_EQ(added.status, 0) << added.output;
  HttpClient client(server->port());
  const auto token = client.login("cli-courier", "cli-password");
  EXPECT_EQ(client.post_json("/registrar_pedido_entregado", kSeedOrders[0], token).status, 200);
  const auto listed = run_cargomon({"user", "list", "--store", tables_->url()}, "", env());
  ASSERT_EQ(listed.status, 0) << listed.output;
  EXPECT_NE(listed.output.find("cli-courier\tcourier"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("admin\tadmin"), std::string::npos) << listed.output;
}

// The original's live tables (Pedidos, Usuarios) on DynamoDB Local, read by
// `cargomon import --from-dynamodb … --users-table …` page by page into a
// fresh SQLite data directory: every order arrives once, a run resumed from
// the key the first printed, and a second run, store nothing twice, and the
// original's admin logs in with its old password.
TEST_F(DynamoDbServe, TheOriginalsLiveTablesImportPageByPageResumablyAndIdempotently) {
  aws::DynamoDbClient original(tables_->config());
  // Named like the throwaway store's tables, so they go with them.
  const std::string pedidos = tables_->prefix() + "-orders";
  const std::string usuarios = tables_->prefix() + "-users";
  for (const auto& [table, key] :
       {std::pair{pedidos, "pedido_id"}, std::pair{usuarios, "username"}}) {
    const auto created =
        original.call("CreateTable",
                      {{"TableName", table},
                       {"AttributeDefinitions", {{{"AttributeName", key}, {"AttributeType", "S"}}}},
                       {"KeySchema", {{{"AttributeName", key}, {"KeyType", "HASH"}}}},
                       {"BillingMode", "PAY_PER_REQUEST"}});
    ASSERT_EQ(created.kind, aws::DynamoDbResult::Kind::ok) << created.error.message;
  }
  std::ifstream scan(std::string(CARGOMON_FIXTURES_DIR) + "/dynamodb-scan-pedidos.json");
  std::stringstream text;
  text << scan.rdbuf();
  auto items = boost::json::parse(text.str()).at("Items").as_array();
  for (int i = 1; i <= 4; ++i) {  // seven in all: pages of two leave a last one short
    auto extra = items.at(0).as_object();
    extra["pedido_id"] = {{"S", "extra-" + std::to_string(i)}};
    items.emplace_back(std::move(extra));
  }
  for (const auto& item : items) {
    ASSERT_EQ(original.call("PutItem", {{"TableName", pedidos}, {"Item", item}}).kind,
              aws::DynamoDbResult::Kind::ok);
  }
  for (const auto& [name, password] :
       {std::pair{"admin", "admin"}, std::pair{"moto-101", "clave-moto-101"}}) {
    const boost::json::object user{{"username", {{"S", name}}}, {"password", {{"S", password}}}};
    ASSERT_EQ(original.call("PutItem", {{"TableName", usuarios}, {"Item", user}}).kind,
              aws::DynamoDbResult::Kind::ok);
  }

  const auto data = (dir_.path() / "migrated").string();
  const std::vector<std::string> from_tables{
      "import", "--from-dynamodb",   pedidos, "--users-table", usuarios, "--page-size",
      "2",      "--source-timezone", "UTC",   "--data-dir",    data,     "--create"};
  const auto first = run_cargomon(from_tables, "", env());
  ASSERT_EQ(first.status, 0) << first.output;
  for (const std::string said :
       {": 7 imported, 0 already present, 0 conflicting, 0 rejected (7 items)",
        ": 2 imported, 0 already present, 0 rejected (2 items)",
        "roles of the imported users: admin 1 courier 1", "2 items read; to resume from here"}) {
    EXPECT_NE(first.output.find(said), std::string::npos) << said << "\nin:\n" << first.output;
  }

  // Resumed after the first page, as after an interruption there.
  const auto marker = first.output.find("--start-key '");
  ASSERT_NE(marker, std::string::npos) << first.output;
  const auto key_start = marker + std::string("--start-key '").size();
  const std::string key =
      first.output.substr(key_start, first.output.find('\'', key_start) - key_start);
  const auto resumed =
      run_cargomon({"import", "--from-dynamodb", pedidos, "--start-key", key, "--page-size", "2",
                    "--source-timezone", "UTC", "--data-dir", data},
                   "", env());
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(
      resumed.output.find(": 0 imported, 5 already present, 0 conflicting, 0 rejected (5 items)"),
      std::string::npos)
      << resumed.output;
  const auto again = run_cargomon(from_tables, "", env());
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find(": 0 imported, 7 already present"), std::string::npos)
      << again.output;

  ServerProcess::Options options;
  options.data_dir = data;
  ServerProcess server(options);
  HttpClient client(server.port());
  const auto token = client.login("admin", "admin");
  // Stored in UTC by the original: the evening of the 11th in Bogotá.
  const auto day = client.get("/metrics?fecha=2024-09-11", token);
  ASSERT_EQ(day.status, 200) << day.body;
  EXPECT_EQ(day.json().at("total_pedidos"), 7);
}

}  // namespace
}  // namespace cargomon::testing
