// Databases made by earlier versions open with their orders intact.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "storage/sqlite/sqlite.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace cargomon {
namespace {

namespace fs = std::filesystem;

class SqliteMigrations : public ::testing::Test {
 protected:
  SqliteMigrations() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cargomon-migrations-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~SqliteMigrations() override { fs::remove_all(dir_); }

  fs::path db_path() const { return dir_ / "cargomon.db"; }

  fs::path dir_;
  BusinessCalendar calendar_{"America/Bogota"};
};

TEST_F(SqliteMigrations, Version1OrdersKeepTheirLinesInOrderAfterLinesMoveIntoOrders) {
  {
    sqlite::Connection db(db_path());
    sqlite::migrate(db, 1);
    db.exec(
        "INSERT INTO orders (seq, order_id, courier_id, courier_id_is_number, courier_name,"
        " reported_at, received_at, occurred_at, business_day, total_cents, units) VALUES"
        " (1, 'many', '102', 1, 'Carlos García', NULL, 1726131600000000, 1726131600000000,"
        "  '2024-09-12', 9300, 14),"
        " (2, 'one', 'ana-7', 0, 'Ana', 1726131700000000, 1726131700000000, 1726131700000000,"
        "  '2024-09-12', 100, 1)");
    // Lines inserted out of order: the order comes from line_no.
    db.exec(
        "INSERT INTO order_lines (order_seq, line_no, product_id, product_name,"
        " unit_price_cents, quantity) VALUES"
        " (1, 11, 'pk11', 'last', 100, 1),"
        " (1, 0, 'pk00', 'Tijeras \"pequeñas\" \\ 2', 1400, 3),"
        " (2, 0, 'pk0001', 'Moneda', 100, 1)");
    for (int line = 1; line <= 10; ++line) {
      db.exec("INSERT INTO order_lines VALUES (1, " + std::to_string(line) + ", 'pk" +
              std::to_string(line) + "', 'p" + std::to_string(line) + "', 500, 1)");
    }
  }

  SqliteStore store(db_path(), calendar_);
  const auto many = store.find_order("many");
  ASSERT_TRUE(many);
  ASSERT_EQ(many->lines.size(), 12U);
  EXPECT_EQ(many->lines[0],
            (OrderLine{"pk00", R"(Tijeras "pequeñas" \ 2)", Money::from_cents(1400), 3}));
  for (int line = 1; line <= 10; ++line) {
    EXPECT_EQ(many->lines[static_cast<std::size_t>(line)].product_id, "pk" + std::to_string(line));
  }
  EXPECT_EQ(many->lines[11].product_name, "last");
  EXPECT_EQ(many->total(), Money::from_cents(9300));
  EXPECT_FALSE(many->reported_at);

  const auto page = store.list_orders(OrderQuery{});
  ASSERT_EQ(page.orders.size(), 2U);
  EXPECT_EQ(page.orders[0].order_id, "one");
  EXPECT_EQ(page.orders[0].courier.id.text, "ana-7");
  EXPECT_EQ(page.orders[0].lines,
            (std::vector<OrderLine>{{"pk0001", "Moneda", Money::from_cents(100), 1}}));
}

}  // namespace
}  // namespace cargomon
