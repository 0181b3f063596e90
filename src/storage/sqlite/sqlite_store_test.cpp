// What the SQLite store does beyond the storage contract: databases made by
// earlier versions open with their orders intact; a disk that fails an fsync,
// or a data directory deleted under the server, stops acknowledgements.

#include "storage/sqlite/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <future>
#include <mutex>
#include <random>
#include <vector>

#include "storage/sqlite/sqlite.hpp"

namespace cargomon {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreTest() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cargomon-migrations-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~SqliteStoreTest() override { fs::remove_all(dir_); }

  fs::path db_path() const { return dir_ / "cargomon.db"; }

  static RegisterResult put(SqliteStore& store, const std::string& id) {
    Order order;
    order.order_id = id;
    order.courier = {{"102", true}, "Carlos García"};
    order.lines = {{"pk0001", "Moneda", Money::from_cents(100), 1}};
    order.received_at = Timestamp{std::chrono::hours(480000)};
    std::promise<RegisterResult> result;
    auto future = result.get_future();
    store.register_order(std::move(order),
                         [&](RegisterResult r) { result.set_value(std::move(r)); });
    return future.get();
  }

  fs::path dir_;
  BusinessCalendar calendar_{"America/Bogota"};
};

TEST_F(SqliteStoreTest, Version1OrdersKeepTheirLinesInOrderAfterLinesMoveIntoOrders) {
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

TEST_F(SqliteStoreTest, Version2UsersKeepEverythingAndStartAtTokenGenerationZero) {
  {
    sqlite::Connection db(db_path());
    sqlite::migrate(db, 2);
    db.exec(
        "INSERT INTO users (username, password_hash, role, disabled) VALUES"
        " ('ana', 'h1', 'courier', 0), ('root', 'h2', 'admin', 1)");
  }
  SqliteStore store(db_path(), calendar_);
  // Their tokens, issued before generations, carry none: they read as 0 and
  // still match, so the upgrade signs nobody out.
  EXPECT_EQ(store.find_user("ana"), (User{"ana", "h1", Role::courier, false, 0}));
  EXPECT_EQ(store.find_user("root"), (User{"root", "h2", Role::admin, true, 0}));
}

TEST_F(SqliteStoreTest, AFailedFsyncRefusesThatOrderAndEveryLaterOneAndFailsReadiness) {
  std::atomic<bool> disk_fails{false};
  std::atomic<int> syncs{0};
  SqliteStoreOptions options;
  options.sync_log = [&](int fd) {
    ++syncs;
    if (!disk_fails) return ::fdatasync(fd);
    errno = EIO;
    return -1;
  };
  SqliteStore store(db_path(), calendar_, options);
  ASSERT_EQ(put(store, "before").status, RegisterStatus::stored);
  EXPECT_TRUE(store.ready());

  disk_fails = true;
  EXPECT_EQ(put(store, "during").status, RegisterStatus::unavailable);
  EXPECT_FALSE(store.ready());
  // The disk recovers, but what it dropped cannot be known: still refused,
  // without even trying to store it.
  disk_fails = false;
  const int syncs_before = syncs;
  EXPECT_EQ(put(store, "after").status, RegisterStatus::unavailable);
  EXPECT_EQ(syncs, syncs_before);
  EXPECT_FALSE(store.find_order("after"));
  EXPECT_FALSE(store.ready());
  EXPECT_TRUE(store.find_order("before"));
}

TEST_F(SqliteStoreTest, EachSyncOfTheLogIsReportedWithWhetherItFailed) {
  struct Syncs final : CommitObserver {
    std::mutex mutex;
    std::vector<bool> outcomes;
    std::size_t batches = 0;
    void batch_committed(std::size_t /*orders*/, std::chrono::nanoseconds /*took*/) override {
      const std::lock_guard lock(mutex);
      ++batches;
    }
    void log_synced(std::chrono::nanoseconds /*took*/, bool ok) override {
      const std::lock_guard lock(mutex);
      outcomes.push_back(ok);
    }
  } observer;
  std::atomic<bool> disk_fails{false};
  SqliteStoreOptions options;
  options.batches.observer = &observer;
  options.sync_log = [&](int fd) {
    if (!disk_fails) return ::fdatasync(fd);
    errno = EIO;
    return -1;
  };
  {
    SqliteStore store(db_path(), calendar_, options);
    ASSERT_EQ(put(store, "before").status, RegisterStatus::stored);
    disk_fails = true;
    ASSERT_EQ(put(store, "during").status, RegisterStatus::unavailable);
    // Refused before any commit: neither a batch nor a sync.
    ASSERT_EQ(put(store, "after").status, RegisterStatus::unavailable);
  }
  // Each sync is reported before its orders are answered.
  EXPECT_EQ(observer.outcomes, (std::vector<bool>{true, false}));
  EXPECT_EQ(observer.batches, 2U);
}

TEST_F(SqliteStoreTest, ADeletedDataDirectoryStopsAcknowledgementsAndFailsReadiness) {
  SqliteStore store(db_path(), calendar_);
  ASSERT_EQ(put(store, "before").status, RegisterStatus::stored);
  EXPECT_TRUE(store.ready());
  // SQLite would go on writing to the unlinked files: 200s for orders that
  // are gone at the next start.
  fs::remove_all(dir_);
  EXPECT_EQ(put(store, "after").status, RegisterStatus::unavailable);
  EXPECT_FALSE(store.ready());
  EXPECT_EQ(put(store, "later").status, RegisterStatus::unavailable);
}

TEST_F(SqliteStoreTest, AReplacedDatabaseFileStopsAcknowledgements) {
  SqliteStore store(db_path(), calendar_);
  ASSERT_EQ(put(store, "before").status, RegisterStatus::stored);
  // Another file now answers to the name (a restore over a running server).
  fs::rename(db_path(), dir_ / "moved.db");
  { const sqlite::Connection other(db_path()); }
  EXPECT_EQ(put(store, "after").status, RegisterStatus::unavailable);
  EXPECT_FALSE(store.ready());
}

}  // namespace
}  // namespace cargomon
