// PostgreSQL-specific behaviour beyond the storage contract: the settled
// sequence that keeps live streams from skipping orders, the relay, and
// several stores (instances) on one database. Each test uses a throwaway
// schema on the server at CARGOMON_TEST_PG_URL; skipped without it.

#include "storage/postgres/postgres_store.hpp"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "storage/postgres/order_relay.hpp"
#include "storage/postgres/throwaway_schema.hpp"

namespace cargomon {
namespace {

using namespace std::chrono_literals;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto url = testing::test_postgres_url();
    if (!url) GTEST_SKIP() << testing::kNoPostgres;
    schema_ = std::make_unique<testing::ThrowawaySchema>(*url);
    store_ = std::make_unique<PostgresStore>(schema_->url(), calendar_);
  }

  static RegisterResult put(PostgresStore& store, Order order) {
    std::promise<RegisterResult> result;
    auto future = result.get_future();
    store.register_order(std::move(order),
                         [&](RegisterResult r) { result.set_value(std::move(r)); });
    return future.get();
  }

  Order make(const std::string& id) {
    Order order;
    order.order_id = id;
    order.courier = {{"7", true}, "Ana Ruiz"};
    order.lines = {{"pk0002", "Tarjeta SIM", Money::from_cents(550), 1}};
    order.reported_at = calendar_.parse_timestamp("2024-09-12 10:00:00");
    order.received_at = *calendar_.parse_timestamp("2024-09-12 12:00:00");
    return order;
  }

  // Another session that draws a sequence value the way a writer does
  // (transaction id first) and keeps its transaction open.
  std::int64_t hold_sequence_value(pg::Connection& other) {
    other.exec("BEGIN");
    other.exec("SELECT pg_current_xact_id()");
    return other.exec("SELECT nextval('order_sequence')").integer(0, 0);
  }

  static std::vector<std::int64_t> sequences(const std::vector<Order>& orders) {
    std::vector<std::int64_t> out;
    for (const auto& o : orders) out.push_back(o.sequence);
    return out;
  }

  BusinessCalendar calendar_{"America/Bogota"};
  std::unique_ptr<testing::ThrowawaySchema> schema_;
  std::unique_ptr<PostgresStore> store_;
};

TEST_F(PostgresStoreTest, AnOrderCommittedEarlierWithALaterSequenceWaitsForTheEarlierOne) {
  pg::Connection other({schema_->url(), "test"});
  const auto held = hold_sequence_value(other);
  const auto later = put(*store_, make("later")).order.sequence;
  ASSERT_EQ(later, held + 1);

  auto reading = std::async(std::launch::async, [&] { return store_->orders_after(0, 10); });
  // While the earlier value's transaction is open, nothing after it may be
  // handed to a stream (observed for a moment; a wrong answer comes at once).
  EXPECT_EQ(reading.wait_for(300ms), std::future_status::timeout);
  other.query(
      "INSERT INTO orders (seq, order_id, courier_id, courier_id_is_number, courier_name,"
      " received_at, occurred_at, business_day, total_cents, units)"
      " VALUES ($1::int8, 'earlier', '7', true, 'Ana', 0, 0, '2024-09-12', 0, 0)",
      pg::Params().add(held));
  other.exec("COMMIT");
  EXPECT_EQ(sequences(reading.get()), (std::vector<std::int64_t>{held, later}));
}

TEST_F(PostgresStoreTest, ASequenceValueLostToARollbackIsPassedOverExactly) {
  pg::Connection other({schema_->url(), "test"});
  const auto lost = hold_sequence_value(other);
  const auto later = put(*store_, make("later")).order.sequence;
  other.exec("ROLLBACK");
  EXPECT_EQ(store_->settled_sequence(), later);
  const auto after = store_->orders_after(lost - 1, 10);
  EXPECT_EQ(sequences(after), std::vector<std::int64_t>{later});
}

TEST_F(PostgresStoreTest, TheRelayPublishesEveryInstancesOrdersInSequenceOrder) {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::int64_t> published;
  OrderRelay relay(*store_, [&](const Order& order) {
    std::lock_guard lock(mutex);
    published.push_back(order.sequence);
    arrived.notify_all();
  });
  PostgresStore second(schema_->url(), calendar_);  // another instance
  pg::Connection other({schema_->url(), "test"});
  const auto held = hold_sequence_value(other);
  std::vector<std::int64_t> stored;
  for (int i = 0; i < 10; ++i) {
    stored.push_back(put(i % 2 ? second : *store_, make("r" + std::to_string(i))).order.sequence);
  }
  other.exec("ROLLBACK");  // a gap before them all
  std::unique_lock lock(mutex);
  EXPECT_TRUE(arrived.wait_for(lock, 5s, [&] { return published.size() >= stored.size(); }));
  EXPECT_EQ(published, stored);
  EXPECT_GT(stored.front(), held);
}

// A relay whose reads do not return for a while (here: settled_sequence()
// waits for another session's open write transaction; in the benchmark: a
// slow plan over a large backlog) still stops at once when destroyed.
TEST_F(PostgresStoreTest, TheRelayStopsPromptlyWhileItsReadsAreSlow) {
  auto relay = std::make_unique<OrderRelay>(*store_, [](const Order&) {});
  pg::Connection other({schema_->url(), "test"});
  hold_sequence_value(other);
  pg::Connection watcher({schema_->url(), "watcher"});
  const std::string since(watcher.exec("SELECT clock_timestamp()::text").text(0, 0));
  put(*store_, make("later"));  // wakes the relay, which then waits for `other`
  // Still polling 300 ms later: it is in the wait.
  const auto deadline = std::chrono::steady_clock::now() + 4s;
  bool waiting = false;
  while (!waiting && std::chrono::steady_clock::now() < deadline) {
    waiting = watcher
                  .query(
                      "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cargomon'"
                      " AND query LIKE '%pg_snapshot_xmin%'"
                      " AND query_start > $1::timestamptz + interval '300 ms'",
                      pg::Params().add(since))
                  .integer(0, 0) > 0;
  }
  ASSERT_TRUE(waiting) << "the relay never waited for the open transaction";
  auto stopping = std::async(std::launch::async, [&] { relay.reset(); });
  const bool prompt = stopping.wait_for(1s) == std::future_status::ready;
  other.exec("ROLLBACK");  // frees a relay that did not stop, so the test ends either way
  stopping.get();
  EXPECT_TRUE(prompt) << "the relay finished its slow read instead of cancelling it";
}

TEST_F(PostgresStoreTest, ConcurrentDuplicatesOnTwoInstancesAreStoredOnceAndCountedOnce) {
  PostgresStore second(schema_->url(), calendar_);
  std::vector<std::future<RegisterResult>> results;
  for (int i = 0; i < 40; ++i) {
    results.push_back(std::async(std::launch::async, [&, i] {
      return put(i % 2 ? second : *store_, make("dup-" + std::to_string(i / 4)));
    }));
  }
  int stored = 0, replayed = 0;
  for (auto& r : results) {
    const auto status = r.get().status;
    stored += status == RegisterStatus::stored;
    replayed += status == RegisterStatus::already_stored;
  }
  EXPECT_EQ(stored, 10);
  EXPECT_EQ(replayed, 30);
  const auto metrics = second.day_metrics(*parse_business_day("2024-09-12"));
  EXPECT_EQ(metrics.orders, 10);
  EXPECT_EQ(metrics.sales.cents(), 5500);
  ASSERT_EQ(metrics.couriers.size(), 1u);
  EXPECT_EQ(metrics.couriers[0].orders, 10);
}

TEST_F(PostgresStoreTest, AnUnreachableServerMeansUnavailableNotAnError) {
  // Nothing listens on this socket directory.
  PostgresStoreOptions options;
  EXPECT_THROW(PostgresStore("postgresql:///postgres?host=/nonexistent-cargomon&connect_timeout=2",
                             calendar_, options),
               StoreUnavailable);
}

}  // namespace
}  // namespace cargomon
