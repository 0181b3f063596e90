// For the people who decide, over HTTP against the real binary (SQLite): the
// day compared with the day before and last week, a range's totals, and the
// day's report as a workbook read back by an independent reader (openpyxl).

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

namespace json = boost::json;

class DecisionMakers : public ServerTest {
 protected:
  static void order(const std::string& id, const std::string& timestamp, const char* price) {
    const auto res = client().post_json(
        "/registrar_pedido_entregado",
        R"({"pedido_id": ")" + id +
            R"(", "repartidor": {"IdRepartidor": 102, "Nombre": "Carlos Andrés García Restrepo"},
            "productos": [{"IdProducto": "pk1", "producto": "Tarjeta SIM", "precio": )" +
            price + R"(}], "timestamp": ")" + timestamp + R"("})",
        admin_token());
    ASSERT_EQ(res.status, 200) << res.body;
  }

  // The workbook's cells as an independent reader (openpyxl) sees them.
  json::object read_workbook(const std::string& bytes) {
    const auto file = dir_->path() / "read.xlsx";
    std::ofstream(file, std::ios::binary) << bytes;
    const std::string command = std::string(CARGOMON_READ_XLSX) + " " + file.string();
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    EXPECT_TRUE(pipe);
    std::string out;
    std::array<char, 4096> buffer{};
    while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
      out.append(buffer.data(), n);
    }
    EXPECT_FALSE(out.empty()) << "read_xlsx.py failed: is python3-openpyxl installed?";
    return json::parse(out).as_object();
  }

  static json::object get_json(const std::string& target) {
    const auto res = client().get(target, admin_token());
    EXPECT_EQ(res.status, 200) << target << ": " << res.body;
    return json::parse(res.body).as_object();
  }
};

TEST_F(DecisionMakers, APastDayIsComparedWithTheDayBeforeAndTheSameWeekdayAWeekBefore) {
  order("c-1", "2024-09-12 09:00:00", "1500000");
  order("c-2", "2024-09-12 10:00:00", "500000.5");
  order("c-3", "2024-09-11 09:00:00", "1000000");
  order("c-4", "2024-09-05 11:00:00", "4000001");
  const auto metrics = get_json("/metrics?fecha=2024-09-12");
  const auto& comparison = metrics.at("comparacion").as_object();
  EXPECT_EQ(comparison.at("hasta_hora"), "24:00");
  EXPECT_EQ(comparison.at("dia_anterior").at("fecha"), "2024-09-11");
  EXPECT_EQ(comparison.at("dia_anterior").at("variacion_pedidos").to_number<double>(), 100.0);
  EXPECT_EQ(comparison.at("semana_anterior").at("fecha"), "2024-09-05");
  EXPECT_EQ(comparison.at("semana_anterior").at("variacion_ventas").to_number<double>(), -50.0);
  EXPECT_TRUE(comparison.at("proyeccion_cierre").is_null());  // the day is over

  const auto range = get_json("/metrics/rango?desde=2024-09-05&hasta=2024-09-12");
  EXPECT_EQ(range.at("dias").as_array().size(), 8u);
  EXPECT_EQ(range.at("total").at("pedidos").as_int64(), 4);
  EXPECT_EQ(range.at("total").at("ventas").to_number<double>(), 7000001.5);
  EXPECT_EQ(range.at("semanas").as_array().size(), 2u);  // Monday 2024-09-09 starts the second

  const auto bad = client().get("/metrics/rango?desde=2024-09-12&hasta=2024-09-05", admin_token());
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("desde must not be after hasta"), std::string::npos) << bad.body;
  EXPECT_EQ(client().get("/metrics/rango?desde=2024-09-05&hasta=2024-09-12").status, 401);
}

TEST_F(DecisionMakers, TheDaysReportIsAWorkbookOfTypedCells) {
  order("r-1", "2024-10-01 09:00:00", "1234567.89");
  const auto res = client().get("/informes/dia.xlsx?fecha=2024-10-01", admin_token());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(res.header("content-disposition"), "attachment; filename=\"informe-2024-10-01.xlsx\"");
  ASSERT_GE(res.body.size(), 4u);
  EXPECT_EQ(res.body.substr(0, 2), "PK");  // a zip, as every .xlsx is

  const auto book = read_workbook(res.body);
  const auto cell = [&](const char* sheet, std::size_t row, std::size_t col) {
    return book.at(sheet).as_array().at(row).as_array().at(col);
  };
  EXPECT_EQ(cell("Resumen", 1, 1).at("value"), "2024-10-01");
  EXPECT_EQ(cell("Resumen", 8, 1).at("value").to_number<double>(), 1234567.89);
  EXPECT_EQ(cell("Productos", 1, 1).at("value"), "Tarjeta SIM");
  EXPECT_EQ(cell("Repartidores", 1, 2).at("value"), "Carlos Andrés García Restrepo");

  const auto bad = client().get("/informes/dia.xlsx?fecha=01/10/2024", admin_token());
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("fecha must be a date"), std::string::npos);
}

TEST_F(DecisionMakers, TheDaysOrdersAreAWorkbookWhoseTotalAddsUpInAnyLocale) {
  // More than one page of the store's listing (1,000 orders), newest first.
  constexpr int kOrders = 1'002;
  for (int i = 0; i < kOrders; ++i) {
    const int seconds = i % 60;
    const int minutes = (i / 60) % 60;
    order("x-" + std::to_string(i),
          "2024-10-02 10:" + std::string(minutes < 10 ? "0" : "") + std::to_string(minutes) + ":" +
              (seconds < 10 ? "0" : "") + std::to_string(seconds),
          "1000.25");
  }
  order("y-other-day", "2024-10-03 09:00:00", "5");
  const auto res = client().get("/pedidos.xlsx?fecha=2024-10-02", admin_token());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(res.header("content-disposition"), "attachment; filename=\"pedidos-2024-10-02.xlsx\"");
  EXPECT_EQ(res.header("transfer-encoding"), "chunked");

  const auto book = read_workbook(res.body);
  const auto& rows = book.at("Pedidos").as_array();
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kOrders) + 2);  // heading and total
  const auto cell = [&](std::size_t row, std::size_t col) {
    return rows.at(row).as_array().at(col);
  };
  EXPECT_EQ(cell(0, 0).at("value"), "Pedido");
  EXPECT_EQ(cell(1, 0).at("value").as_string(),
            "x-" + std::to_string(kOrders - 1));             // newest first
  EXPECT_EQ(cell(1, 2).at("value"), "2024-10-02T10:16:41");  // Bogotá time, as sent
  EXPECT_EQ(cell(1, 5).at("value"), "Carlos Andrés García Restrepo");
  EXPECT_EQ(cell(1, 8).at("value").to_number<double>(), 1000.25);
  EXPECT_EQ(cell(kOrders, 0).at("value"), "x-0");
  const auto& total = cell(kOrders + 1, 10);
  EXPECT_EQ(total.at("value").as_string(), "=SUBTOTAL(9,K2:K" + std::to_string(kOrders + 1) + ")");
  EXPECT_DOUBLE_EQ(total.at("cached").to_number<double>(), 1000.25 * kOrders);

  const auto missing = client().get("/pedidos.xlsx", admin_token());
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("fecha is required"), std::string::npos) << missing.body;
  EXPECT_EQ(client().get("/pedidos.xlsx?fecha=2024-10-02").status, 401);
}

}  // namespace
}  // namespace cargomon::testing
