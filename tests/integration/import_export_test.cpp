// `cargomon import` and `cargomon export` on a data directory, and on
// PostgreSQL (--store), checked through the real server afterwards.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "storage/postgres/throwaway_schema.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace cargomon::testing {
namespace {

namespace json = boost::json;
constexpr const char* kAdminPassword = "correct-horse-battery";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string fixture(const std::string& name) {
  return std::string(CARGOMON_FIXTURES_DIR) + "/" + name;
}

class ImportExport : public ::testing::Test {
 protected:
  TempDir dir;
  std::filesystem::path data = dir.path() / "data";

  std::filesystem::path write(const std::string& name, const std::string& text) {
    auto path = dir.path() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  CommandResult import(const std::filesystem::path& file, const std::filesystem::path& into,
                       std::vector<std::string> extra = {}) {
    // --create: most tests import into a fresh data directory.
    std::vector<std::string> args{"import", file.string(), "--data-dir", into.string(), "--create"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cargomon(args);
  }

  CommandResult export_orders(const std::filesystem::path& from, std::vector<std::string> extra) {
    std::vector<std::string> args{"export", "--data-dir", from.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cargomon(args);
  }

  // The orders of an export in JSON lines, without the store's sequence
  // numbers (a fresh store numbers them anew), by pedido_id.
  static std::map<std::string, json::value> orders_of(const std::string& jsonl) {
    std::map<std::string, json::value> out;
    std::istringstream lines(jsonl);
    std::string line;
    while (std::getline(lines, line)) {
      auto order = json::parse(line);
      order.as_object().erase("secuencia");
      out.emplace(std::string(order.at("pedido_id").as_string()), std::move(order));
    }
    return out;
  }

  std::unique_ptr<ServerProcess> serve(const std::filesystem::path& data_dir) {
    ServerProcess::Options options;
    options.data_dir = data_dir;
    options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
    return std::make_unique<ServerProcess>(options);
  }
};

TEST_F(ImportExport, TheSeedScanGivesItsThreeOrdersAndTheExpectedMetricsAndReimportIsANoOp) {
  const auto first = import(fixture("dynamodb-scan-pedidos.json"), data);
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_NE(first.output.find("3 imported, 0 already present, 0 conflicting, 0 rejected (3 items)"),
            std::string::npos)
      << first.output;

  auto server = serve(data);
  HttpClient client(server->port());
  const auto token = client.login("admin", kAdminPassword);
  const auto metrics_before = client.get("/metrics?fecha=2024-09-12", token);
  ASSERT_EQ(metrics_before.status, 200);
  const auto m = metrics_before.json();
  EXPECT_EQ(m.at("total_pedidos"), 3);
  EXPECT_EQ(m.at("unidades"), 4);
  EXPECT_EQ(metrics_before.body.substr(0, metrics_before.body.find(",\"fecha\"")),
            R"({"top_3_productos":[["Moneda",2],["Tijeras pequeñas",1],["Tarjeta SIM",1]],)"
            R"("precio_promedio_por_pedido":7.17,"acumulado_ventas_dia":21.5)");
  const auto list = client.get("/pedidos?fecha=2024-09-12", token).json();
  const auto& pedidos = list.at("pedidos").as_array();
  ASSERT_EQ(pedidos.size(), 3u);
  EXPECT_EQ(pedidos[0].at("pedido_id"), "acd5357d-48a0-4e5c-9da0-217486471780");
  EXPECT_EQ(pedidos[1].at("timestamp"), "2024-09-12T03:50:58.363972-05:00");
  EXPECT_EQ(pedidos[1].at("repartidor").at("IdRepartidor"), 102);    // {"N": "102"}
  EXPECT_EQ(pedidos[2].at("repartidor").at("IdRepartidor"), "101");  // {"S": "101"}

  // Again, while the server runs on the same store: nothing changes.
  const auto again = import(fixture("dynamodb-scan-pedidos.json"), data);
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("0 imported, 3 already present, 0 conflicting, 0 rejected"),
            std::string::npos)
      << again.output;
  const auto metrics_after = client.get("/metrics?fecha=2024-09-12", token);
  EXPECT_EQ(metrics_after.body, metrics_before.body);
}

// One valid item, then everything a migration file can get wrong, then
// another valid one and a conflicting one; items 1, 8 and 9 share nothing else.
const std::vector<std::string> kMixedItems = {
    R"({"pedido_id":{"S":"ok-1"},"repartidor":{"M":{"IdRepartidor":{"N":"101"},"Nombre":{"S":"María López"}}},"productos":{"L":[{"M":{"IdProducto":{"S":"pk0001"},"producto":{"S":"Moneda"},"precio":{"N":"1"}}}]},"timestamp":{"S":"2024-09-12 08:00:00"}})",
    R"({"repartidor":{"M":{"IdRepartidor":{"N":"101"},"Nombre":{"S":"María López"}}},"productos":{"L":[{"M":{"IdProducto":{"S":"pk0001"},"producto":{"S":"Moneda"},"precio":{"N":"1"}}}]}})",
    R"({"pedido_id":{"S":"bad-n"},"repartidor":{"M":{"IdRepartidor":{"N":"101"},"Nombre":{"S":"María López"}}},"productos":{"L":[{"M":{"IdProducto":{"S":"pk0001"},"producto":{"S":"Moneda"},"precio":{"N":"abc"}}}]}})",
    R"({"pedido_id":{"S":"price-as-text"},"repartidor":{"M":{"IdRepartidor":{"N":"101"},"Nombre":{"S":"María López"}}},"productos":{"L":[{"M":{"IdProducto":{"S":"pk0001"},"producto":{"S":"Moneda"},"precio":{"S":"5"}}}]}})",
    R"({"pedido_id":{"S":"three-decimals"},"repartidor":{"M":{"IdRepartidor":{"N":"101"},"Nombre":{"S":"María López"}}},"productos":{"L":[{"M":{"IdProducto":{"S":"pk0001"},"producto":{"S":"Moneda"},"precio":{"N":"1.234"}}}]}})",
    R"({"pedido_id":{"S":"no-name"},"repartidor":{"M":{"IdRepartidor":{"N":"101"}}},"productos":{"L":[{"M":{"IdProducto":{"S":"pk0001"},"producto":{"S":"Moneda"},"precio":{"N":"1"}}}]}})",
    R"({"pedido_id":{"S":"wrong-type"},"repartidor":{"X":"?"},"productos":{"L":[]}})",
    R"({"pedido_id":{"S":"ok-2"},"repartidor":{"M":{"IdRepartidor":{"S":"R-7"},"Nombre":{"S":"Ana Fernández"}}},"productos":{"L":[{"M":{"IdProducto":{"S":"pk0002"},"producto":{"S":"Tarjeta SIM"},"precio":{"N":"5.5"},"cantidad":{"N":"3"}}}]},"timestamp":{"S":"2024-09-12 09:00:00"}})",
    R"({"pedido_id":{"S":"ok-1"},"repartidor":{"M":{"IdRepartidor":{"N":"101"},"Nombre":{"S":"María López"}}},"productos":{"L":[{"M":{"IdProducto":{"S":"pk0001"},"producto":{"S":"Moneda"},"precio":{"N":"2"}}}]},"timestamp":{"S":"2024-09-12 08:00:00"}})",
};

void expect_mixed_report(const CommandResult& result, bool lines) {
  EXPECT_EQ(result.status, 2) << result.output;
  const auto expect = [&](const std::string& text) {
    EXPECT_NE(result.output.find(text), std::string::npos) << "missing: " << text << "\nin:\n"
                                                           << result.output;
  };
  const auto at = [&](int item, const std::string& id) {
    std::string details;
    if (lines) details = "line " + std::to_string(item) + (id.empty() ? "" : ", ");
    if (!id.empty()) details += "pedido_id \"" + id + "\"";
    return "item " + std::to_string(item) + (details.empty() ? "" : " (" + details + ")");
  };
  expect("rejected " + at(2, "") + ": pedido_id: field required");
  expect("rejected " + at(3, "bad-n") + R"(: productos[0].precio: {"N": "abc"} is not a number)");
  expect("rejected " + at(4, "price-as-text") + ": productos[0].precio: must be a number >= 0");
  expect("rejected " + at(5, "three-decimals") +
         ": productos[0].precio: must have at most 2 decimals");
  expect("rejected " + at(6, "no-name") + ": repartidor.Nombre: field required");
  expect("rejected " + at(7, "wrong-type") + R"(: repartidor: unknown DynamoDB type "X")");
  expect("conflict " + at(9, "ok-1") + ": already stored with different content");
  expect("2 imported, 0 already present, 1 conflicting, 6 rejected (9 items)");
}

TEST_F(ImportExport, MalformedItemsInAnExportAreRejectedWithReasonsAndTheValidOnesImported) {
  std::string lines;
  for (const auto& item : kMixedItems) lines += R"({"Item":)" + item + "}\n";
  const auto result = import(write("export.json", lines), data);
  expect_mixed_report(result, true);

  auto server = serve(data);
  HttpClient client(server->port());
  const auto token = client.login("admin", kAdminPassword);
  const auto m = client.get("/metrics?fecha=2024-09-12", token).json();
  EXPECT_EQ(m.at("total_pedidos"), 2);
  EXPECT_EQ(m.at("acumulado_ventas_dia").to_number<double>(), 17.5);    // 1 + 3 x 5.5
  EXPECT_EQ(client.get("/pedidos/ok-1", token).json().at("total"), 1);  // the first one was kept
  EXPECT_EQ(client.get("/pedidos/ok-2", token).json().at("repartidor").at("IdRepartidor"), "R-7");
}

// DynamoDB's export to S3 writes its data files as `.json.gz`: they are read
// as they come, compressed here by gzip(1) itself.
TEST_F(ImportExport, AGzippedExportIsReadAsItComesAndACutOffOneIsAnError) {
  std::string lines;
  for (const auto& item : kMixedItems) lines += R"({"Item":)" + item + "}\n";
  const auto file = write("export.json", lines);
  ASSERT_EQ(std::system(("gzip -n " + file.string()).c_str()), 0);
  const auto gz = dir.path() / "export.json.gz";
  expect_mixed_report(import(gz, data), true);

  const auto whole = read_file(gz);
  const auto cut = write("cut.json.gz", whole.substr(0, whole.size() / 2));
  const auto result = import(cut, dir.path() / "other");
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("cut off"), std::string::npos) << result.output;
}

TEST_F(ImportExport, MalformedItemsInAScanAreRejectedTooWhileItStreams) {
  std::string scan = "{\"Items\": [\n";
  for (std::size_t i = 0; i < kMixedItems.size(); ++i) {
    scan += (i ? ",\n" : "") + kMixedItems[i];
  }
  scan += "\n], \"Count\": 9, \"ScannedCount\": 9}\n";
  expect_mixed_report(import(write("scan.json", scan), data), false);
}

TEST_F(ImportExport, AFileThatIsNotJsonIsAnErrorNotAnEmptyImport) {
  const auto result = import(write("notes.txt", "pedido_id,repartidor\n1,2\n"), data);
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("not valid JSON"), std::string::npos) << result.output;
  EXPECT_EQ(import(dir.path() / "missing.json", data).status, 1);
}

TEST_F(ImportExport, JsonLinesExportRoundTripsThroughImportIntoAFreshStore) {
  ASSERT_EQ(import(fixture("dynamodb-scan-pedidos.json"), data).status, 0);
  // Plain orders in the API's shape: quantities, string ids, odd text.
  const auto plain = write(
      "plain.jsonl",
      R"({"pedido_id":"p-1","repartidor":{"IdRepartidor":"R-1","Nombre":"Ana \"La Rápida\", Sur"},"productos":[{"IdProducto":"x","producto":"=1+1","precio":0.1,"cantidad":3},{"IdProducto":"y","producto":"Sobre, grande","precio":100000}],"timestamp":"2024-09-13T10:00:00Z"})"
      "\n"
      R"({"pedido_id":"p-2","repartidor":{"IdRepartidor":7,"Nombre":"Luis"},"productos":[{"IdProducto":"z","producto":"Sobre","precio":2.05}],"timestamp":"2024-09-12T23:59:59.999999-05:00"})"
      "\n");
  const auto plain_import = import(plain, data);
  ASSERT_EQ(plain_import.status, 0) << plain_import.output;

  const auto first = dir.path() / "first.jsonl";
  const auto exported = export_orders(data, {"--format", "jsonl", "--output", first.string()});
  ASSERT_EQ(exported.status, 0) << exported.output;
  EXPECT_NE(exported.output.find("exported 5 orders (7 product lines)"), std::string::npos)
      << exported.output;

  const auto fresh = dir.path() / "fresh";
  const auto reimported = import(first, fresh);
  ASSERT_EQ(reimported.status, 0) << reimported.output;
  EXPECT_NE(reimported.output.find("5 imported, 0 already present"), std::string::npos)
      << reimported.output;
  const auto second = dir.path() / "second.jsonl";
  ASSERT_EQ(export_orders(fresh, {"--format", "jsonl", "--output", second.string()}).status, 0);

  const auto before = orders_of(read_file(first));
  const auto after = orders_of(read_file(second));
  ASSERT_EQ(before.size(), 5u);
  EXPECT_EQ(after, before);
  EXPECT_EQ(after.at("p-1").at("total"), 100000.3);
  EXPECT_EQ(after.at("p-1").at("productos").as_array()[0].at("cantidad"), 3);

  // Importing the export back into the original store changes nothing.
  const auto same = import(first, data);
  EXPECT_EQ(same.status, 0) << same.output;
  EXPECT_NE(same.output.find("0 imported, 5 already present"), std::string::npos) << same.output;
}

TEST_F(ImportExport, CsvHasOneQuotedRowPerProductLineAndOpensInASpreadsheet) {
  const auto plain = write(
      "plain.jsonl",
      R"({"pedido_id":"p-1","repartidor":{"IdRepartidor":"R-1","Nombre":"Ana \"La Rápida\", Sur"},"productos":[{"IdProducto":"x","producto":"=1+1","precio":0.1,"cantidad":3},{"IdProducto":"y","producto":"Sobre, grande","precio":14}],"timestamp":"2024-09-12 10:00:00"})"
      "\n"
      R"({"pedido_id":"p-2","repartidor":{"IdRepartidor":7,"Nombre":"Luis"},"productos":[{"IdProducto":"z","producto":"Sobre","precio":2.05}],"timestamp":"2024-09-13 10:00:00"})"
      "\n");
  ASSERT_EQ(import(plain, data).status, 0);
  const auto csv_path = dir.path() / "day.csv";
  const auto result = export_orders(data, {"--fecha", "2024-09-12", "--output", csv_path.string()});
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(read_file(csv_path),
            "\xEF\xBB\xBF"
            "pedido_id,secuencia,timestamp,fecha,IdRepartidor,Nombre,IdProducto,producto,precio,"
            "cantidad,subtotal\r\n"
            "p-1,1,2024-09-12T10:00:00-05:00,2024-09-12,R-1,\"Ana \"\"La Rápida\"\", Sur\",x,'=1+1,"
            "0.1,3,0.3\r\n"
            "p-1,1,2024-09-12T10:00:00-05:00,2024-09-12,R-1,\"Ana \"\"La Rápida\"\", Sur\",y,"
            "\"Sobre, grande\",14,1,14\r\n");

  // A range, to standard output, in JSON lines.
  const auto range = export_orders(
      data, {"--desde", "2024-09-13 00:00:00", "--hasta", "2024-09-14", "--format", "jsonl"});
  ASSERT_EQ(range.status, 0) << range.output;
  EXPECT_NE(range.output.find(R"({"pedido_id":"p-2",)"), std::string::npos) << range.output;
  EXPECT_EQ(range.output.find("p-1"), std::string::npos) << range.output;

  EXPECT_NE(export_orders(data, {"--fecha", "2024-9-12"}).status, 0);
  EXPECT_NE(export_orders(dir.path() / "nothing-here", {}).status, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "nothing-here" / "cargomon.db"));
}

TEST_F(ImportExport, TheUsuariosTableIsImportedWithHashedPasswordsThatLogIn) {
  const auto users = write("usuarios.json", R"({"Items": [
      {"username": {"S": "juan"}, "password": {"S": "clave-de-juan"}},
      {"username": {"S": "ana"}, "password": {"S": "clave-de-ana"}, "role": {"S": "courier"}},
      {"username": {"S": "no spaces allowed"}, "password": {"S": "x"}},
      {"username": {"S": "sinclave"}}
    ], "Count": 4})");
  const auto result =
      run_cargomon({"import", "--users", users.string(), "--data-dir", data.string(), "--create"});
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("users from " + users.string() +
                               ": 2 imported, 0 already present, 2 rejected (4 items)"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("rejected user item 3 (username \"no spaces allowed\"): username:"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("rejected user item 4 (username \"sinclave\"): password:"),
            std::string::npos)
      << result.output;

  // Stored as Argon2id hashes, never as the clear text the old table held.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((data / "cargomon.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* rows = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT username, password_hash, role FROM users", -1, &rows, nullptr),
      SQLITE_OK);
  std::set<std::string> seen;
  while (sqlite3_step(rows) == SQLITE_ROW) {
    const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(rows, 0));
    const std::string hash = reinterpret_cast<const char*>(sqlite3_column_text(rows, 1));
    const std::string role = reinterpret_cast<const char*>(sqlite3_column_text(rows, 2));
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << name;
    EXPECT_EQ(hash.find("clave"), std::string::npos);
    // juan gets the default (courier: a device keeps working, and can do
    // nothing more); the admin made because none was imported is one.
    EXPECT_EQ(role, name == "admin" ? "admin" : "courier") << name;
    seen.insert(name);
  }
  sqlite3_finalize(rows);
  sqlite3_close(db);
  EXPECT_EQ(seen, (std::set<std::string>{"admin", "ana", "juan"}));
  EXPECT_NE(result.output.find("roles of the imported users: courier 2"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("no enabled admin after the import: created admin (role admin) "
                               "with password: "),
            std::string::npos)
      << result.output;

  auto server = serve(data);
  HttpClient client(server->port());
  const auto login =
      client.post_json("/token", R"({"username":"juan","password":"clave-de-juan"})");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("role"), "courier");
  EXPECT_EQ(client.post_json("/token", R"({"username":"ana","password":"clave-de-ana"})")
                .json()
                .at("role"),
            "courier");

  const auto again =
      run_cargomon({"import", "--users", users.string(), "--data-dir", data.string(), "--create"});
  EXPECT_NE(again.output.find("0 imported, 2 already present, 2 rejected"), std::string::npos)
      << again.output;
  EXPECT_EQ(again.output.find("no enabled admin"), std::string::npos) << again.output;
}

// The README's migration, from the original's two scans (orders with
// timestamps the original's Lambda wrote in UTC, users with clear-text
// passwords) into a fresh data directory: the original's admin logs in with
// its old password through the old stage prefix and registers an order, the
// devices keep working, and the original's day is in /metrics.
TEST_F(ImportExport, TheOriginalsScansMigrateAndItsAdminAndDevicesKeepWorking) {
  const auto users = write("usuarios.json", R"({"Items": [
      {"username": {"S": "admin"}, "password": {"S": "admin"}},
      {"username": {"S": "moto-101"}, "password": {"S": "clave-moto-101"}}
    ], "Count": 2})");
  const auto imported =
      run_cargomon({"import", fixture("dynamodb-scan-pedidos.json"), "--users", users.string(),
                    "--source-timezone", "UTC", "--data-dir", data.string(), "--create"});
  ASSERT_EQ(imported.status, 0) << imported.output;
  const std::string weak =
      "1 imported password(s) fail today's policy (must be at least 8 characters) and must be "
      "changed with `cargomon user passwd NAME`: admin";
  for (const std::string& said :
       {std::string(": 3 imported, 0 already present, 0 conflicting, 0 rejected (3 items)"),
        std::string(": 2 imported, 0 already present, 0 rejected (2 items)"),
        std::string("roles of the imported users: admin 1 courier 1"), weak}) {
    EXPECT_NE(imported.output.find(said), std::string::npos) << said << "\nin:\n"
                                                             << imported.output;
  }
  EXPECT_EQ(imported.output.find("no enabled admin"), std::string::npos) << imported.output;

  ServerProcess::Options options;
  options.data_dir = data;
  options.extra_args = {"--base-path", "/Prod"};
  ServerProcess server(options);
  HttpClient client(server.port());
  const auto login = client.post_json("/Prod/token", R"({"username":"admin","password":"admin"})");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("role"), "admin");
  const std::string token(login.json().at("access_token").as_string());
  const auto order =
      R"({"pedido_id":"after-migration","repartidor":{"IdRepartidor":101,"Nombre":"Probando"},)"
      R"("productos":[{"IdProducto":"pk0001","producto":"Moneda","precio":1}]})";
  EXPECT_EQ(client.post_json("/Prod/registrar_pedido_entregado", order, token).status, 200);
  // The paths without the prefix work too, for clients already moved.
  const auto device = client.login("moto-101", "clave-moto-101");
  const auto by_device =
      R"({"pedido_id":"device-1","repartidor":{"IdRepartidor":101,"Nombre":"Probando"},)"
      R"("productos":[{"IdProducto":"pk0007","producto":"Tijeras","precio":14}]})";
  EXPECT_EQ(client.post_json("/registrar_pedido_entregado", by_device, device).status, 200);
  EXPECT_EQ(client.get("/metrics", device).status, 403);  // a device reads nothing

  // 2024-09-12 01:45 to 03:51 UTC is the evening of the 11th in Bogotá.
  const auto day = client.get("/Prod/metrics?fecha=2024-09-11", token);
  ASSERT_EQ(day.status, 200) << day.body;
  EXPECT_EQ(day.json().at("total_pedidos"), 3);
  EXPECT_EQ(day.json().at("acumulado_ventas_dia"), 21.5);
  const auto listed = client.get("/Prod/pedidos?fecha=2024-09-11", token).json();
  EXPECT_EQ(listed.at("pedidos").as_array().at(1).at("timestamp"),
            "2024-09-11T22:50:58.363972-05:00");
  EXPECT_EQ(client.get("/Prod/metrics?fecha=2024-09-12", token).json().at("total_pedidos"), 0);
}

TEST_F(ImportExport, AnImportedAdminWhoCouldNotAdministerIsPromotedSoOneAlwaysExists) {
  const auto users = write("usuarios.json", R"({"Items": [
      {"username": {"S": "admin"}, "password": {"S": "clave-del-admin"}, "role": {"S": "viewer"}}
    ], "Count": 1})");
  const auto result =
      run_cargomon({"import", "--users", users.string(), "--data-dir", data.string(), "--create"});
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("no enabled admin after the import: admin is now an admin"),
            std::string::npos)
      << result.output;
  const auto listed = run_cargomon({"user", "list", "--data-dir", data.string()});
  EXPECT_NE(listed.output.find("admin\tadmin"), std::string::npos) << listed.output;
}

TEST(BasePath, OnlyAPathPrefixIsAccepted) {
  const TempDir dir;
  for (const char* bad : {"Prod", "/Prod/", "/", "/Prod?x=1"}) {
    const auto refused = run_cargomon({"serve", "--data-dir", (dir.path() / "data").string(),
                                       "--listen", "127.0.0.1:0", "--base-path", bad});
    EXPECT_NE(refused.status, 0) << bad;
    EXPECT_NE(refused.output.find("--base-path"), std::string::npos) << refused.output;
  }
}

// The same commands on a PostgreSQL store (--store, or CARGOMON_STORE), as on
// the embedded one: the same orders come out, users log in, a second import
// changes nothing, and no SQLite database appears in the data directory.
TEST_F(ImportExport, APostgresStoreImportsAndExportsWhatTheEmbeddedStoreDoes) {
  const auto server_url = test_postgres_url();
  if (!server_url) GTEST_SKIP() << kNoPostgres;
  const ThrowawaySchema schema(*server_url);
  const std::vector<std::string> on_postgres{"--store", schema.url()};
  const auto unused = dir.path() / "unused";
  const auto users = write("usuarios.json", R"({"Items": [
      {"username": {"S": "juan"}, "password": {"S": "clave-de-juan"}, "role": {"S": "viewer"}}],
      "Count": 1})");
  const auto plain = write(
      "plain.jsonl",
      R"({"pedido_id":"p-1","repartidor":{"IdRepartidor":"R-1","Nombre":"Ana \"La Rápida\", Sur"},"productos":[{"IdProducto":"x","producto":"=1+1","precio":0.1,"cantidad":3},{"IdProducto":"y","producto":"Sobre, grande","precio":100000}],"timestamp":"2024-09-13T10:00:00Z"})"
      "\n");

  for (const auto& file : {std::filesystem::path(fixture("dynamodb-scan-pedidos.json")), plain}) {
    const auto into_postgres = import(file, unused, on_postgres);
    ASSERT_EQ(into_postgres.status, 0) << into_postgres.output;
    EXPECT_NE(into_postgres.output.find(" imported, 0 already present, 0 conflicting"),
              std::string::npos)
        << into_postgres.output;
    ASSERT_EQ(import(file, data).status, 0);
  }
  const auto users_import =
      run_cargomon({"import", "--users", users.string(), "--store", schema.url()});
  ASSERT_EQ(users_import.status, 0) << users_import.output;
  EXPECT_NE(users_import.output.find("1 imported"), std::string::npos) << users_import.output;

  const auto from_postgres = dir.path() / "postgres.jsonl";
  const auto exported =
      run_cargomon({"export", "--format", "jsonl", "--output", from_postgres.string()}, "",
                   {{"CARGOMON_STORE", schema.url()}});
  ASSERT_EQ(exported.status, 0) << exported.output;
  EXPECT_NE(exported.output.find("exported 4 orders (6 product lines)"), std::string::npos)
      << exported.output;
  const auto from_sqlite = dir.path() / "sqlite.jsonl";
  ASSERT_EQ(export_orders(data, {"--format", "jsonl", "--output", from_sqlite.string()}).status, 0);
  const auto postgres_orders = orders_of(read_file(from_postgres));
  EXPECT_EQ(postgres_orders.size(), 4u);
  EXPECT_EQ(postgres_orders, orders_of(read_file(from_sqlite)));
  // The CSV of a day, too.
  auto csv_args = on_postgres;
  csv_args.insert(csv_args.end(), {"--fecha", "2024-09-12"});
  const auto csv = export_orders(unused, csv_args);
  ASSERT_EQ(csv.status, 0) << csv.output;
  EXPECT_NE(csv.output.find("acd5357d-48a0-4e5c-9da0-217486471780"), std::string::npos)
      << csv.output;

  const auto again = import(fixture("dynamodb-scan-pedidos.json"), unused, on_postgres);
  EXPECT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("0 imported, 3 already present"), std::string::npos) << again.output;
  EXPECT_FALSE(std::filesystem::exists(unused / "cargomon.db"));

  // A server on that store sees the orders and the imported user.
  ServerProcess::Options options;
  options.data_dir = dir.path() / "server";
  options.extra_args = on_postgres;
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword},
                 {"CARGOMON_JWT_SECRET", "import-export-test-secret-0123456789abcdef"}};
  const ServerProcess server(options);
  HttpClient client(server.port());
  const auto token = client.login("juan", "clave-de-juan");
  const auto metrics = client.get("/metrics?fecha=2024-09-12", token);
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(metrics.json().at("total_pedidos"), 3);
}

}  // namespace
}  // namespace cargomon::testing
