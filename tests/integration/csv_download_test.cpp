// GET /pedidos.csv: a day's orders as the dashboard downloads them, over
// HTTP against the real binary. The bytes are those of `cargomon export`.

#include <fstream>
#include <sstream>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

constexpr const char* kHead =
    "\xEF\xBB\xBF"
    "pedido_id,secuencia,timestamp,fecha,IdRepartidor,Nombre,IdProducto,producto,precio,"
    "cantidad,subtotal\r\n";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A chunked body decoded by hand, to see the chunks themselves (HttpClient's
// parser joins them). Empty optional when `raw` is not one whole chunked body.
struct Chunked {
  std::string head;
  std::vector<std::string> chunks;  // without the final empty one
};
std::optional<Chunked> split_chunks(const std::string& raw) {
  Chunked out;
  auto pos = raw.find("\r\n\r\n");
  if (pos == std::string::npos) return std::nullopt;
  out.head = raw.substr(0, pos + 2);
  pos += 4;
  for (;;) {
    const auto line_end = raw.find("\r\n", pos);
    if (line_end == std::string::npos) return std::nullopt;
    const auto size = std::stoul(raw.substr(pos, line_end - pos), nullptr, 16);
    pos = line_end + 2;
    if (size == 0) {
      if (raw.compare(pos, std::string::npos, "\r\n") != 0) return std::nullopt;
      return out;
    }
    if (raw.size() < pos + size + 2 || raw.compare(pos + size, 2, "\r\n") != 0) {
      return std::nullopt;
    }
    out.chunks.push_back(raw.substr(pos, size));
    pos += size + 2;
  }
}

class CsvDownload : public ServerTest {
 protected:
  static void register_order(const std::string& body) {
    const auto res = client().post_json("/registrar_pedido_entregado", body, admin_token());
    ASSERT_EQ(res.status, 200) << res.body;
  }

  // What `cargomon export --fecha DAY --format csv` writes from the same store.
  static std::string exported(const std::string& day) {
    const auto file = dir_->path() / ("export-" + day + ".csv");
    const auto result =
        run_cargomon({"export", "--fecha", day, "--format", "csv", "--output", file.string(),
                      "--data-dir", (dir_->path() / "data").string()});
    EXPECT_EQ(result.status, 0) << result.output;
    return read_file(file);
  }
};

TEST_F(CsvDownload, ADayIsItsOrdersNewestFirstInTheBytesOfTheExport) {
  register_order(
      R"({"pedido_id": "p-1", "repartidor": {"IdRepartidor": 102, "Nombre": "Carlos García"},
      "productos": [{"IdProducto": "pk0001", "producto": "Moneda", "precio": 1},
                    {"IdProducto": "pk0099", "producto": "Estuche, \"gafas\" ñ", "precio": 14.5, "cantidad": 2}],
      "timestamp": "2024-09-12 03:50:58.363972"})");
  register_order(
      R"({"pedido_id": "p-2", "repartidor": {"IdRepartidor": "R-7", "Nombre": "Ana \"La Rápida\", Sur"},
      "productos": [{"IdProducto": "x", "producto": "=1+1", "precio": 0.1}],
      "timestamp": "2024-09-12T23:59:59-05:00"})");
  register_order(R"({"pedido_id": "p-3", "repartidor": {"IdRepartidor": 103, "Nombre": "Juan"},
      "productos": [{"IdProducto": "pk0002", "producto": "Tarjeta SIM", "precio": 5.5}],
      "timestamp": "2024-09-13 00:00:00"})");

  const auto res = client().get("/pedidos.csv?fecha=2024-09-12", admin_token());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(res.header("content-disposition"), "attachment; filename=\"pedidos-2024-09-12.csv\"");
  EXPECT_EQ(res.header("transfer-encoding"), "chunked");
  EXPECT_EQ(res.header("content-length"), "");
  EXPECT_EQ(res.header("cache-control"), "no-store");
  EXPECT_EQ(res.body, std::string(kHead) +
                          "p-2,2,2024-09-12T23:59:59-05:00,2024-09-12,R-7,"
                          "\"Ana \"\"La Rápida\"\", Sur\",x,'=1+1,0.1,1,0.1\r\n"
                          "p-1,1,2024-09-12T03:50:58.363972-05:00,2024-09-12,102,Carlos García,"
                          "pk0001,Moneda,1,1,1\r\n"
                          "p-1,1,2024-09-12T03:50:58.363972-05:00,2024-09-12,102,Carlos García,"
                          "pk0099,\"Estuche, \"\"gafas\"\" ñ\",14.5,2,29\r\n");
  EXPECT_EQ(res.body, exported("2024-09-12"));

  // The next day holds the third order only; the connection stays usable.
  const auto next_day = client().get("/pedidos.csv?fecha=2024-09-13", admin_token());
  ASSERT_EQ(next_day.status, 200);
  EXPECT_EQ(next_day.body, std::string(kHead) +
                               "p-3,3,2024-09-13T00:00:00-05:00,2024-09-13,103,Juan,pk0002,"
                               "Tarjeta SIM,5.5,1,5.5\r\n");
  EXPECT_EQ(client().get("/pedidos?fecha=2024-09-13", admin_token()).status, 200);
}

TEST_F(CsvDownload, FormatoHojaIsTheSpreadsheetVariantWithSemicolonsAndDecimalCommas) {
  register_order(
      R"({"pedido_id": "h-1", "repartidor": {"IdRepartidor": 102, "Nombre": "Carlos García"},
      "productos": [{"IdProducto": "pk0001", "producto": "Moneda", "precio": 28.6, "cantidad": 3},
                    {"IdProducto": "pk0099", "producto": "Estuche; \"gafas\", ñ", "precio": 1234567.05}],
      "timestamp": "2024-10-01 08:00:00"})");

  // The store's secuencia depends on the suite's earlier tests (one server).
  const auto stored = client().get("/pedidos/h-1", admin_token());
  ASSERT_EQ(stored.status, 200) << stored.body;
  const std::string row_head = "h-1;" + std::to_string(stored.json().at("secuencia").as_int64()) +
                               ";2024-10-01T08:00:00-05:00;2024-10-01;102;Carlos García;";

  const auto sheet = client().get("/pedidos.csv?fecha=2024-10-01&formato=hoja", admin_token());
  ASSERT_EQ(sheet.status, 200) << sheet.body;
  EXPECT_EQ(sheet.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(sheet.header("content-disposition"),
            "attachment; filename=\"pedidos-2024-10-01-hoja.csv\"");
  EXPECT_EQ(sheet.body,
            "\xEF\xBB\xBF"
            "pedido_id;secuencia;timestamp;fecha;IdRepartidor;Nombre;IdProducto;producto;precio;"
            "cantidad;subtotal\r\n" +
                row_head + "pk0001;Moneda;28,6;3;85,8\r\n" + row_head +
                "pk0099;\"Estuche; \"\"gafas\"\", ñ\";1234567,05;1;1234567,05\r\n");

  // formato=csv is the default, the bytes of the export.
  const auto csv = client().get("/pedidos.csv?fecha=2024-10-01&formato=csv", admin_token());
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body, exported("2024-10-01"));
  EXPECT_EQ(csv.header("content-disposition"), "attachment; filename=\"pedidos-2024-10-01.csv\"");

  for (const char* bad : {"", "xlsx", "HOJA", "hoja;"}) {
    const auto res =
        client().get(std::string("/pedidos.csv?fecha=2024-10-01&formato=") + bad, admin_token());
    EXPECT_EQ(res.status, 400) << bad;
    EXPECT_EQ(res.detail(), "formato must be csv or hoja") << bad;
  }
}

TEST_F(CsvDownload, ThePublishedContractDescribesIt) {
  const auto openapi = client().get("/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  const auto doc = openapi.json();
  const auto& get = doc.at("paths").at("/pedidos.csv").at("get");
  EXPECT_EQ(get.at("parameters").at(0).at("name"), "fecha");
  EXPECT_EQ(get.at("parameters").at(0).at("required"), true);
  EXPECT_EQ(get.at("parameters").at(1).at("name"), "formato");
  const auto& formatos = get.at("parameters").at(1).at("schema").at("enum").as_array();
  ASSERT_EQ(formatos.size(), 2u);
  EXPECT_EQ(formatos.at(0), "csv");
  EXPECT_EQ(formatos.at(1), "hoja");
  EXPECT_TRUE(
      get.at("responses").at("200").at("content").as_object().contains("text/csv; charset=utf-8"));
}

TEST_F(CsvDownload, ADayWithoutOrdersIsTheHeaderAlone) {
  const auto res = client().get("/pedidos.csv?fecha=2031-01-01", admin_token());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, kHead);
  EXPECT_EQ(res.header("content-disposition"), "attachment; filename=\"pedidos-2031-01-01.csv\"");
}

TEST_F(CsvDownload, OnlyViewersAndAdminsMayDownload) {
  const auto anonymous = client().get("/pedidos.csv?fecha=2031-02-02");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("www-authenticate"), "Bearer");
  EXPECT_EQ(client().get("/pedidos.csv?fecha=2031-02-02", "not-a-token").status, 401);
  const auto courier = client().get("/pedidos.csv?fecha=2031-02-02", token_for("carla", "courier"));
  EXPECT_EQ(courier.status, 403) << courier.body;
  EXPECT_EQ(courier.header("content-type"), "application/json");
  const auto viewer = client().get("/pedidos.csv?fecha=2031-02-02", token_for("vera", "viewer"));
  EXPECT_EQ(viewer.status, 200) << viewer.body;
  EXPECT_EQ(viewer.body, kHead);
  EXPECT_EQ(client()
                .request("POST", "/pedidos.csv?fecha=2031-02-02", "",
                         {{"Authorization", "Bearer " + admin_token()}})
                .status,
            405);
}

TEST_F(CsvDownload, FechaIsRequiredAndMustBeADate) {
  const auto missing = client().get("/pedidos.csv", admin_token());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.detail(), "fecha is required: the business day to download, YYYY-MM-DD");
  for (const char* bad : {"", "2024-9-12", "2024-02-30", "hoy", "2024-09-12T00:00:00"}) {
    const auto res = client().get(std::string("/pedidos.csv?fecha=") + bad, admin_token());
    EXPECT_EQ(res.status, 400) << bad;
    EXPECT_EQ(res.detail(), "fecha must be a date YYYY-MM-DD") << bad;
  }
  // Other parameters are ignored, as GET /pedidos ignores those it does not know.
  const auto extra = client().get("/pedidos.csv?fecha=2031-01-01&limit=5&otro=1", admin_token());
  EXPECT_EQ(extra.status, 200);
  EXPECT_EQ(extra.body, kHead);
}

TEST_F(CsvDownload, ADayOfManyPagesArrivesWholeAndInOrderInSeveralChunks) {
  // 2,500 orders (pages of 1,000), one a second from midnight, through
  // `cargomon import` into the running server's store: the quick way in.
  constexpr int kOrders = 2500;
  std::string lines;
  for (int i = 0; i < kOrders; ++i) {
    char at[16];
    std::snprintf(at, sizeof at, "%02d:%02d:%02d", i / 3600, i / 60 % 60, i % 60);
    lines +=
        R"({"pedido_id":"bulk-)" + std::to_string(i) +
        R"(","repartidor":{"IdRepartidor":7,"Nombre":"Luis"},"productos":[{"IdProducto":"pk1","producto":"Sobre","precio":2.05},{"IdProducto":"pk2","producto":"Lápiz","precio":1,"cantidad":3}],"timestamp":"2024-09-14 )" +
        at + "\"}\n";
  }
  const auto imported =
      run_cargomon({"import", "-", "--data-dir", (dir_->path() / "data").string()}, lines);
  ASSERT_EQ(imported.status, 0) << imported.output;

  const auto res = client().get("/pedidos.csv?fecha=2024-09-14", admin_token());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("transfer-encoding"), "chunked");
  ASSERT_TRUE(res.body.starts_with(kHead));
  std::istringstream rows(res.body.substr(std::string_view(kHead).size()));
  std::string row;
  int expected = kOrders - 1;  // newest first
  int line = 0;
  while (std::getline(rows, row)) {
    const std::string id = "bulk-" + std::to_string(expected);
    ASSERT_TRUE(row.starts_with(id + ",")) << "row " << line << ": " << row;
    ASSERT_TRUE(row.ends_with(line % 2 == 0 ? ",pk1,Sobre,2.05,1,2.05\r" : ",pk2,Lápiz,1,3,3\r"))
        << "row " << line << ": " << row;
    if (++line % 2 == 0) --expected;
  }
  EXPECT_EQ(line, 2 * kOrders);
  EXPECT_EQ(res.body, exported("2024-09-14"));

  // On the wire: the head and the first page, then a chunk per page, then the
  // terminating empty chunk (the server closes since the request asked to).
  const auto raw = client().raw(
      "GET /pedidos.csv?fecha=2024-09-14 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
      "Authorization: Bearer " +
          admin_token() + "\r\n\r\n",
      std::chrono::seconds(30));
  const auto chunked = split_chunks(raw);
  ASSERT_TRUE(chunked) << raw.substr(0, 600);
  EXPECT_TRUE(chunked->head.starts_with("HTTP/1.1 200 OK\r\n")) << chunked->head;
  ASSERT_EQ(chunked->chunks.size(), 3u);
  EXPECT_TRUE(chunked->chunks[0].starts_with(std::string(kHead) + "bulk-2499,"));
  EXPECT_TRUE(chunked->chunks[1].starts_with("bulk-1499,"));
  EXPECT_TRUE(chunked->chunks[2].starts_with("bulk-499,"));
  std::string joined;
  for (const auto& chunk : chunked->chunks) joined += chunk;
  EXPECT_EQ(joined, res.body);
}

}  // namespace
}  // namespace cargomon::testing
