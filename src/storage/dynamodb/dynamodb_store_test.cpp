// What only the DynamoDB store has (the contract suite covers the rest), on
// DynamoDB Local at CARGOMON_TEST_DYNAMODB_ENDPOINT (skipped, saying so,
// when it is unset).

#include "storage/dynamodb/dynamodb_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "storage/dynamodb/fault_proxy.hpp"
#include "storage/dynamodb/throwaway_tables.hpp"

namespace cargomon {
namespace {

class DynamoDbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = testing::test_dynamodb_config();
    if (!config) GTEST_SKIP() << testing::kNoDynamoDb;
    tables_ = std::make_unique<testing::ThrowawayTables>(std::move(*config));
  }

  DynamoDbStoreOptions options() const {
    DynamoDbStoreOptions options;
    options.table_prefix = tables_->prefix();
    return options;
  }

  // The tables' configuration, pointed at `url` (a proxy).
  aws::ServiceConfig through(const std::string& url) const {
    auto config = tables_->config();
    config.endpoint = aws::Endpoint::parse(url);
    return config;
  }

  std::string upstream() const {
    const auto& endpoint = tables_->config().endpoint;
    return "http://" + endpoint.host_header;
  }

  Order make(std::string id, int cents = 1500) {
    Order order;
    order.order_id = std::move(id);
    order.courier = {{"102", true}, "Carlos García"};
    order.lines = {{"pk0001", "Moneda", Money::from_cents(cents), 1}};
    order.reported_at = calendar_.parse_timestamp("2024-09-12 10:00:00");
    order.received_at = *calendar_.parse_timestamp("2024-09-12 12:00:00");
    return order;
  }

  static RegisterResult put(Store& store, Order order) {
    std::promise<RegisterResult> result;
    auto future = result.get_future();
    store.register_order(std::move(order),
                         [&](RegisterResult r) { result.set_value(std::move(r)); });
    return future.get();
  }

  BusinessCalendar calendar_{"America/Bogota"};
  std::unique_ptr<testing::ThrowawayTables> tables_;
};

TEST_F(DynamoDbStoreTest, MissingTablesAreAnErrorWhenCreatingThemIsTurnedOff) {
  auto no_create = options();
  no_create.create_tables = false;
  EXPECT_THROW(DynamoDbStore(tables_->config(), no_create, calendar_), StoreUnavailable);
  { DynamoDbStore created(tables_->config(), options(), calendar_); }
  EXPECT_NO_THROW(DynamoDbStore(tables_->config(), no_create, calendar_));
}

TEST_F(DynamoDbStoreTest, ABadPrefixIsRefused) {
  auto bad = options();
  bad.table_prefix = "no spaces";
  EXPECT_THROW(DynamoDbStore(tables_->config(), bad, calendar_), std::runtime_error);
}

TEST_F(DynamoDbStoreTest, AnUnreachableServerIsUnavailable) {
  auto config = tables_->config();
  config.endpoint = aws::Endpoint::parse("http://127.0.0.1:1");
  auto quick = options();
  quick.client.call_deadline = std::chrono::milliseconds(200);
  EXPECT_THROW(DynamoDbStore(config, quick, calendar_), StoreUnavailable);
}

TEST_F(DynamoDbStoreTest, ThrottlingConflictsAndLostAnswersLoseNothingAndCountNothingTwice) {
  { DynamoDbStore created(tables_->config(), options(), calendar_); }
  // Every other write is refused in one of DynamoDB's ways, or done with its
  // answer lost (the retry then meets its own earlier write).
  std::atomic<int> writes{0};
  testing::FaultProxy proxy(upstream(), [&](std::string_view operation, std::int64_t) {
    if (operation != "TransactWriteItems" && operation != "UpdateItem") return testing::Fault::none;
    constexpr testing::Fault kCycle[] = {
        testing::Fault::throttling,           testing::Fault::none,
        testing::Fault::transaction_conflict, testing::Fault::none,
        testing::Fault::provisioned,          testing::Fault::none,
        testing::Fault::lost_answer,          testing::Fault::none,
        testing::Fault::server_error,         testing::Fault::none};
    return kCycle[writes++ % 10];
  });
  constexpr int kOrders = 120;
  std::map<std::string, RegisterResult> answers;
  {
    DynamoDbStore store(through(proxy.url()), options(), calendar_);
    std::mutex mutex;
    std::promise<void> all_done;
    int pending = kOrders;
    for (int i = 0; i < kOrders; ++i) {
      const auto id = "o" + std::to_string(i);
      store.register_order(make(id, 100 + i), [&, id](RegisterResult r) {
        const std::lock_guard lock(mutex);
        answers[id] = std::move(r);
        if (--pending == 0) all_done.set_value();
      });
    }
    all_done.get_future().wait();
  }
  EXPECT_GT(proxy.faults(), 20);

  DynamoDbStore store(tables_->config(), options(), calendar_);
  std::int64_t stored_orders = 0;
  std::int64_t stored_cents = 0;
  std::set<std::int64_t> sequences;
  for (const auto& [id, answer] : answers) {
    const auto found = store.find_order(id);
    if (answer.status == RegisterStatus::stored ||
        answer.status == RegisterStatus::already_stored) {
      ASSERT_TRUE(found) << id << " was acknowledged and is not there";
      EXPECT_EQ(found->sequence, answer.order.sequence) << id;
      EXPECT_TRUE(sequences.insert(found->sequence).second) << id;
    } else {
      EXPECT_EQ(answer.status, RegisterStatus::unavailable) << id;
    }
    if (found) {
      ++stored_orders;
      stored_cents += found->total().cents();
    }
  }
  const auto metrics = store.day_metrics(*parse_business_day("2024-09-12"));
  EXPECT_EQ(metrics.orders, stored_orders);
  EXPECT_EQ(metrics.sales.cents(), stored_cents);
  EXPECT_GE(stored_orders, kOrders - 5) << "retries should have carried almost every order";
  EXPECT_EQ(store.orders_after(0, 1000).size(), static_cast<std::size_t>(stored_orders));
}

TEST_F(DynamoDbStoreTest, AFailedConditionIsAnsweredWithoutRetrying) {
  std::atomic<int> transactions{0};
  testing::FaultProxy proxy(upstream(), [&](std::string_view operation, std::int64_t) {
    if (operation == "TransactWriteItems") ++transactions;
    return testing::Fault::none;
  });
  DynamoDbStore store(through(proxy.url()), options(), calendar_);
  ASSERT_EQ(put(store, make("a")).status, RegisterStatus::stored);
  ASSERT_EQ(transactions.load(), 1);
  EXPECT_EQ(put(store, make("a", 999)).status, RegisterStatus::conflict);
  EXPECT_EQ(transactions.load(), 2);
  EXPECT_EQ(store.create_user(User{"ana", "h", Role::admin, false}), UserChange::done);
  EXPECT_EQ(store.create_user(User{"ana", "h", Role::admin, false}), UserChange::already_exists);
  EXPECT_EQ(transactions.load(), 4);
}

TEST_F(DynamoDbStoreTest, AStoreThatKeepsThrottlingIsUnavailable) {
  auto quick = options();
  quick.client.call_deadline = std::chrono::milliseconds(300);
  quick.client.backoff_base = std::chrono::milliseconds(5);
  quick.client.backoff_cap = std::chrono::milliseconds(50);
  // Opened while DynamoDB answers; then it throttles everything.
  std::unique_ptr<DynamoDbStore> store;
  {
    std::atomic<bool> fault{false};
    testing::FaultProxy switching(upstream(), [&](std::string_view, std::int64_t) {
      return fault ? testing::Fault::throttling : testing::Fault::none;
    });
    store = std::make_unique<DynamoDbStore>(through(switching.url()), quick, calendar_);
    fault = true;
    EXPECT_EQ(put(*store, make("a")).status, RegisterStatus::unavailable);
    EXPECT_THROW(store->find_order("a"), StoreUnavailable);
    EXPECT_THROW(store->day_metrics(*parse_business_day("2024-09-12")), StoreUnavailable);
    EXPECT_FALSE(store->ready());
    store.reset();
  }
  DynamoDbStore direct(tables_->config(), options(), calendar_);
  EXPECT_FALSE(direct.find_order("a"));
}

TEST_F(DynamoDbStoreTest, DayMetricsReadOnlyTheDaysCounterShards) {
  std::atomic<int> queries{0};
  testing::FaultProxy proxy(upstream(), [&](std::string_view operation, std::int64_t) {
    if (operation == "Query") ++queries;
    return testing::Fault::none;
  });
  DynamoDbStore store(through(proxy.url()), options(), calendar_);
  for (int i = 0; i < 60; ++i)
    ASSERT_EQ(put(store, make("o" + std::to_string(i))).status, RegisterStatus::stored);
  queries = 0;
  const auto metrics = store.day_metrics(*parse_business_day("2024-09-12"));
  EXPECT_EQ(metrics.orders, 60);
  EXPECT_EQ(metrics.sales.cents(), 60 * 1500);
  EXPECT_EQ(queries.load(), 1);  // one Query of at most counter_shards small items
}

// The items under partition key `p`, read directly.
std::size_t items_under(const aws::ServiceConfig& config, const std::string& table,
                        const std::string& p) {
  aws::DynamoDbClient client(config);
  const auto answer = client.call("Query", {{"TableName", table},
                                            {"KeyConditionExpression", "#p = :p"},
                                            {"ExpressionAttributeNames", {{"#p", "p"}}},
                                            {"ExpressionAttributeValues", {{":p", {{"S", p}}}}},
                                            {"Select", "COUNT"},
                                            {"ConsistentRead", true}});
  EXPECT_EQ(answer.kind, aws::DynamoDbResult::Kind::ok) << answer.detail;
  return answer.kind == aws::DynamoDbResult::Kind::ok
             ? static_cast<std::size_t>(answer.body.at("Count").to_number<std::int64_t>())
             : 0;
}

// Every page of `query`, followed by its cursors: the orders' ids in order.
std::vector<std::string> every_page(Store& store, OrderQuery query) {
  std::vector<std::string> ids;
  for (int page = 0; page < 1000; ++page) {
    const auto got = store.list_orders(query);
    for (const auto& order : got.orders) ids.push_back(order.order_id);
    if (!got.next) return ids;
    query.after = got.next;
  }
  ADD_FAILURE() << "the cursors never ended";
  return ids;
}

TEST_F(DynamoDbStoreTest, ANewTableSpreadsItsIndexAndLogOverPartitionsAndKeepsItsLayout) {
  const auto orders_table = tables_->prefix() + "-orders";
  {
    DynamoDbStore store(tables_->config(), options(), calendar_);
    ASSERT_EQ(store.index_shards(), 8);
    for (int i = 0; i < 64; ++i) {
      ASSERT_EQ(put(store, make("o" + std::to_string(i))).status, RegisterStatus::stored);
    }
  }
  // Sequences 1..64: eight to each partition of the day's index and of the log.
  for (int shard = 0; shard < 8; ++shard) {
    EXPECT_EQ(items_under(tables_->config(), orders_table, "d#2024-09-12#" + std::to_string(shard)),
              8U);
    EXPECT_EQ(items_under(tables_->config(), orders_table, "s#0#" + std::to_string(shard)), 8U);
  }
  EXPECT_EQ(items_under(tables_->config(), orders_table, "d#2024-09-12"), 0U);
  // The layout is the tables', not the configuration's.
  auto other = options();
  other.index_shards = 3;
  DynamoDbStore reopened(tables_->config(), other, calendar_);
  EXPECT_EQ(reopened.index_shards(), 8);
  OrderQuery query;
  query.limit = 10;
  EXPECT_EQ(every_page(reopened, query).size(), 64U);
  EXPECT_EQ(reopened.orders_after(0, 1000).size(), 64U);
}

TEST_F(DynamoDbStoreTest, TablesWrittenBeforeLayoutsWereRecordedAreStillReadUnsharded) {
  const auto orders_table = tables_->prefix() + "-orders";
  {
    auto unsharded = options();
    unsharded.index_shards = 1;
    DynamoDbStore store(tables_->config(), unsharded, calendar_);
    for (int i = 0; i < 20; ++i) {
      ASSERT_EQ(put(store, make("o" + std::to_string(i))).status, RegisterStatus::stored);
    }
  }
  ASSERT_EQ(items_under(tables_->config(), orders_table, "d#2024-09-12"), 20U);
  ASSERT_EQ(items_under(tables_->config(), orders_table, "s#0"), 20U);
  // As an earlier version left them: no layout item.
  aws::DynamoDbClient client(tables_->config());
  ASSERT_EQ(client
                .call("DeleteItem", {{"TableName", orders_table},
                                     {"Key", {{"p", {{"S", "meta"}}}, {"k", {{"S", "layout"}}}}}})
                .kind,
            aws::DynamoDbResult::Kind::ok);
  DynamoDbStore store(tables_->config(), options(), calendar_);  // configured: 8
  EXPECT_EQ(store.index_shards(), 1);
  ASSERT_EQ(put(store, make("new")).status, RegisterStatus::stored);
  OrderQuery query;
  query.limit = 7;
  EXPECT_EQ(every_page(store, query).size(), 21U);
  EXPECT_EQ(store.orders_after(0, 1000).size(), 21U);
  EXPECT_EQ(items_under(tables_->config(), orders_table, "d#2024-09-12"), 21U);
}

TEST_F(DynamoDbStoreTest, PagesThatRunOutOfQueriesResumeWithoutGapsOrDuplicates) {
  // Three partitions, six Query calls a page, four items a filtered Query:
  // a filter that matches one order in seven runs out of calls on most pages.
  auto small = options();
  small.index_shards = 3;
  small.max_listing_queries = 1;
  small.filtered_query_limit = 4;
  DynamoDbStore store(tables_->config(), small, calendar_);
  struct Expected {
    Timestamp at;
    std::int64_t sequence;
    std::string id;
    bool matches;
  };
  std::vector<Expected> expected;
  for (int i = 0; i < 90; ++i) {
    auto order = make("o" + std::to_string(i));
    // Three days, times not in sequence order (devices report their own).
    const int day = 12 + i % 3;
    const int minute = (i * 37) % 600;
    order.reported_at = calendar_.parse_timestamp(
        "2024-09-" + std::to_string(day) + " " + std::to_string(8 + minute / 60) + ":" +
        (minute % 60 < 10 ? "0" : "") + std::to_string(minute % 60) + ":00");
    const bool matches = i % 7 == 3;
    if (!matches) order.courier = {{"101", true}, "María López"};
    const auto stored = put(store, order);
    ASSERT_EQ(stored.status, RegisterStatus::stored);
    expected.push_back(
        {stored.order.occurred_at(), stored.order.sequence, order.order_id, matches});
  }
  std::sort(expected.begin(), expected.end(), [](const Expected& a, const Expected& b) {
    return std::tie(a.at, a.sequence) > std::tie(b.at, b.sequence);
  });
  std::vector<std::string> all;
  std::vector<std::string> matching;
  for (const auto& e : expected) {
    all.push_back(e.id);
    if (e.matches) matching.push_back(e.id);
  }
  for (const std::size_t limit : {1U, 4U, 25U}) {
    OrderQuery query;
    query.limit = limit;
    EXPECT_EQ(every_page(store, query), all) << "limit " << limit;
    query.courier_id = "102";
    EXPECT_EQ(every_page(store, query), matching) << "filtered, limit " << limit;
    query.day = parse_business_day("2024-09-13");
    std::vector<std::string> of_day;
    for (const auto& e : expected) {
      if (e.matches && calendar_.day_of(e.at) == *query.day) of_day.push_back(e.id);
    }
    EXPECT_EQ(every_page(store, query), of_day) << "one day, filtered, limit " << limit;
  }
}

TEST_F(DynamoDbStoreTest, AuditPagesThatRunOutOfQueriesResumeWithoutGapsOrDuplicates) {
  // Four months, two calls a page, four items a filtered Query: a filter
  // that matches one entry in five ends most pages early, with a cursor.
  auto small = options();
  small.max_listing_queries = 2;
  small.filtered_query_limit = 4;
  DynamoDbStore store(tables_->config(), small, calendar_);
  std::vector<std::string> all;
  std::vector<std::string> matching;
  const std::int64_t jan1 = 1'704'067'200;  // 2024-01-01T00:00:00Z
  for (std::int64_t i = 0; i < 60; ++i) {
    AuditEntry entry{"id" + std::to_string(100 + i),
                     Timestamp(std::chrono::seconds(jan1 + i * 2 * 86'400)),
                     i % 5 == 2 ? "login.fallido" : "usuario.creado",
                     "root",
                     "",
                     "ana",
                     {}};
    store.append_audit(entry);
    all.insert(all.begin(), entry.id);
    if (i % 5 == 2) matching.insert(matching.begin(), entry.id);
  }
  const auto every = [&store](AuditQuery query) {
    std::vector<std::string> ids;
    for (int page = 0; page < 200; ++page) {
      const auto got = store.list_audit(query);
      for (const auto& entry : got.entries) ids.push_back(entry.id);
      if (!got.next) break;
      query.after = got.next;
    }
    return ids;
  };
  for (const std::size_t limit : {1U, 4U, 25U}) {
    AuditQuery query;
    query.limit = limit;
    EXPECT_EQ(every(query), all) << "limit " << limit;
    query.action = "login.fallido";
    EXPECT_EQ(every(query), matching) << "filtered, limit " << limit;
  }
}

TEST_F(DynamoDbStoreTest, EveryInstancesOrdersReachAStreamInSequenceOrderNoneSkipped) {
  DynamoDbStore a(tables_->config(), options(), calendar_);
  DynamoDbStore b(tables_->config(), options(), calendar_);
  ASSERT_EQ(put(a, make("before")).status, RegisterStatus::stored);  // history, not streamed
  std::mutex mutex;
  std::condition_variable published_cv;
  std::vector<Order> published;
  const auto subscription = b.live_orders()->subscribe([&](const Order& order) {
    const std::lock_guard lock(mutex);
    published.push_back(order);
    published_cv.notify_all();
  });
  // Concurrent orders on both instances, with replays and a conflict among
  // them: their values are drawn but unused, and must not hold the stream up.
  constexpr int kOrders = 40;
  std::atomic<int> stored{0};
  std::vector<std::thread> senders;
  for (int i = 0; i < kOrders; ++i) {
    senders.emplace_back([&, i] {
      auto& store = i % 2 == 0 ? a : b;
      if (put(store, make("o" + std::to_string(i))).status == RegisterStatus::stored) ++stored;
      if (i % 10 == 0) put(store, make("o" + std::to_string(i)));       // a replay
      if (i % 10 == 5) put(store, make("o" + std::to_string(i), 999));  // a conflict
    });
  }
  for (auto& sender : senders) sender.join();
  ASSERT_EQ(stored.load(), kOrders);
  ASSERT_EQ(put(a, make("last")).status, RegisterStatus::stored);
  std::unique_lock lock(mutex);
  // Well under the relay's hole timeout (30 s): nothing waits for a timeout.
  ASSERT_TRUE(published_cv.wait_for(
      lock, std::chrono::seconds(15),
      [&] { return !published.empty() && published.back().order_id == "last"; }))
      << published.size() << " published";
  EXPECT_EQ(published.size(), static_cast<std::size_t>(kOrders + 1));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < published.size(); ++i) {
    EXPECT_TRUE(ids.insert(published[i].order_id).second) << published[i].order_id;
    if (i > 0) {
      EXPECT_LT(published[i - 1].sequence, published[i].sequence);
    }
  }
  EXPECT_FALSE(ids.contains("before"));
  EXPECT_EQ(a.orders_after(0, 1000).size(), static_cast<std::size_t>(kOrders + 2));
}

}  // namespace
}  // namespace cargomon
