// The storage contract: every Store implementation must pass these
// unchanged. Each test gets a fresh store from the fixture's factory: SQLite
// in a temporary directory, PostgreSQL in a throwaway schema on the server at
// CARGOMON_TEST_PG_URL (skipped, saying so, when it is unset), the memory
// store (where "reopening" is a new handle on the same memory), and DynamoDB
// in throwaway tables on the server at CARGOMON_TEST_DYNAMODB_ENDPOINT
// (skipped, saying so, when it is unset).

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <latch>
#include <random>
#include <set>
#include <thread>

#include "storage/dynamodb/dynamodb_store.hpp"
#include "storage/dynamodb/throwaway_tables.hpp"
#include "storage/forwarding_store.hpp"
#include "storage/memory/memory_store.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/postgres/throwaway_schema.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace cargomon {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

// Where a store keeps its data for one test; open() may be called again
// (reopening) and finds what was stored.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::unique_ptr<Store> open(const BusinessCalendar& calendar) = 0;
};

class SqliteBackend final : public Backend {
 public:
  std::unique_ptr<Store> open(const BusinessCalendar& calendar) override {
    return std::make_unique<SqliteStore>(dir_.path() / "cargomon.db", calendar);
  }

 private:
  TempDir dir_;
};

class PostgresBackend final : public Backend {
 public:
  explicit PostgresBackend(std::string server_url) : schema_(std::move(server_url)) {}
  std::unique_ptr<Store> open(const BusinessCalendar& calendar) override {
    return std::make_unique<PostgresStore>(schema_.url(), calendar);
  }

 private:
  testing::ThrowawaySchema schema_;
};

class MemoryBackend final : public Backend {
 public:
  std::unique_ptr<Store> open(const BusinessCalendar& calendar) override {
    if (!memory_) memory_ = std::make_unique<MemoryStore>(calendar);
    return std::make_unique<ForwardingStore>(*memory_);
  }

 private:
  std::unique_ptr<MemoryStore> memory_;
};

class DynamoDbBackend final : public Backend {
 public:
  explicit DynamoDbBackend(aws::ServiceConfig config) : tables_(std::move(config)) {}
  std::unique_ptr<Store> open(const BusinessCalendar& calendar) override {
    DynamoDbStoreOptions options;
    options.table_prefix = tables_.prefix();
    return std::make_unique<DynamoDbStore>(tables_.config(), options, calendar);
  }

 private:
  testing::ThrowawayTables tables_;
};

struct StoreKind {
  std::string name;
  // Null when this kind cannot run here; `why` says so.
  std::function<std::unique_ptr<Backend>(std::string& why)> make;
};

class StoreContract : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    std::string why;
    backend_ = GetParam().make(why);
    if (!backend_) GTEST_SKIP() << why;
    reopen();
  }

  void reopen() {
    store_.reset();
    store_ = backend_->open(calendar_);
  }

  RegisterResult put(Order order) {
    std::promise<RegisterResult> result;
    auto future = result.get_future();
    store_->register_order(std::move(order),
                           [&](RegisterResult r) { result.set_value(std::move(r)); });
    return future.get();
  }

  Order make(std::string id, std::string local_time, std::string courier = "102",
             std::vector<OrderLine> lines = {}) {
    Order order;
    order.order_id = std::move(id);
    order.courier = {{std::move(courier), true}, "Carlos García"};
    order.lines =
        lines.empty()
            ? std::vector<OrderLine>{{"pk0001", "Moneda", Money::from_cents(100), 1},
                                     {"pk0007", "Tijeras pequeñas", Money::from_cents(1400), 1}}
            : std::move(lines);
    order.reported_at = calendar_.parse_timestamp(local_time);
    order.received_at = *calendar_.parse_timestamp("2024-09-12 12:00:00");
    return order;
  }

  BusinessDay day(const char* text) { return *parse_business_day(text); }

  BusinessCalendar calendar_{"America/Bogota"};
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Store> store_;
};

// Every store kind, for each suite of this file.
std::vector<StoreKind> store_kinds() {
  return {StoreKind{"Sqlite",
                    [](std::string&) -> std::unique_ptr<Backend> {
                      return std::make_unique<SqliteBackend>();
                    }},
          StoreKind{"Postgres",
                    [](std::string& why) -> std::unique_ptr<Backend> {
                      const auto url = testing::test_postgres_url();
                      if (!url) {
                        why = testing::kNoPostgres;
                        return nullptr;
                      }
                      return std::make_unique<PostgresBackend>(*url);
                    }},
          StoreKind{"Memory",
                    [](std::string&) -> std::unique_ptr<Backend> {
                      return std::make_unique<MemoryBackend>();
                    }},
          StoreKind{"DynamoDb", [](std::string& why) -> std::unique_ptr<Backend> {
                      auto config = testing::test_dynamodb_config();
                      if (!config) {
                        why = testing::kNoDynamoDb;
                        return nullptr;
                      }
                      return std::make_unique<DynamoDbBackend>(std::move(*config));
                    }}};
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreContract, ::testing::ValuesIn(store_kinds()),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param.name;
                         });

TEST_P(StoreContract, StoresAnOrderAndReadsItBackUnchanged) {
  auto order = make("a", "2024-09-12 03:50:58.363972");
  order.lines[1].quantity = 3;
  // Text that any encoding of the lines must carry through unchanged.
  order.lines.push_back(
      {R"(pk"8\)", R"(Cable "USB-C" 2\1 [m], {x}: ñ €)", Money::from_cents(10'000'000'000), 7});
  order.lines.push_back({"pk0001", "Moneda", Money::from_cents(0), 1});
  const auto result = put(order);
  ASSERT_EQ(result.status, RegisterStatus::stored);
  EXPECT_GT(result.order.sequence, 0);
  const auto found = store_->find_order("a");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->same_content(order));
  EXPECT_EQ(found->sequence, result.order.sequence);
  EXPECT_EQ(found->received_at, order.received_at);
  EXPECT_FALSE(store_->find_order("missing"));
}

TEST_P(StoreContract, OrderWithoutReportedTimeKeepsThatFact) {
  auto order = make("a", "");
  ASSERT_FALSE(order.reported_at);
  put(order);
  const auto found = store_->find_order("a");
  EXPECT_FALSE(found->reported_at);
  EXPECT_EQ(found->occurred_at(), order.received_at);
}

TEST_P(StoreContract, ReplayWithSameContentIsCountedOnce) {
  const auto first = put(make("a", "2024-09-12 10:00:00"));
  auto again = make("a", "2024-09-12 10:00:00");
  again.received_at += std::chrono::seconds(30);  // a retry arrives later
  const auto second = put(again);
  EXPECT_EQ(second.status, RegisterStatus::already_stored);
  EXPECT_EQ(second.order.sequence, first.order.sequence);
  EXPECT_EQ(second.order.received_at, first.order.received_at);
  const auto metrics = store_->day_metrics(day("2024-09-12"));
  EXPECT_EQ(metrics.orders, 1);
  EXPECT_EQ(metrics.sales.cents(), 1500);
}

TEST_P(StoreContract, SameIdWithDifferentContentConflictsAndChangesNothing) {
  put(make("a", "2024-09-12 10:00:00"));
  auto changed = make("a", "2024-09-12 10:00:00");
  changed.lines[0].unit_price = Money::from_cents(999);
  const auto result = put(changed);
  EXPECT_EQ(result.status, RegisterStatus::conflict);
  EXPECT_EQ(result.order.lines[0].unit_price.cents(), 100);
  EXPECT_EQ(store_->find_order("a")->lines[0].unit_price.cents(), 100);
  EXPECT_EQ(store_->day_metrics(day("2024-09-12")).sales.cents(), 1500);
}

TEST_P(StoreContract, ConcurrentDuplicatesAreStoredExactlyOnce) {
  std::atomic<int> stored{0}, replayed{0}, pending{64};
  std::promise<void> all_done;
  for (int i = 0; i < 64; ++i) {
    store_->register_order(make("dup", "2024-09-12 10:00:00"), [&](RegisterResult r) {
      if (r.status == RegisterStatus::stored) ++stored;
      if (r.status == RegisterStatus::already_stored) ++replayed;
      if (--pending == 0) all_done.set_value();
    });
  }
  all_done.get_future().wait();
  EXPECT_EQ(stored.load(), 1);
  EXPECT_EQ(replayed.load(), 63);
  EXPECT_EQ(store_->day_metrics(day("2024-09-12")).orders, 1);
}

TEST_P(StoreContract, DayMetricsFollowBusinessDaysProductsHoursAndCouriers) {
  put(make("late", "2024-09-12 23:59:59", "1", {{"p1", "Moneda", Money::from_cents(100), 1}}));
  put(make("next", "2024-09-13 00:00:00", "2", {{"p1", "Moneda", Money::from_cents(100), 2}}));
  put(make("utc", "2024-09-13T03:00:00Z", "1",
           {{"p2", "Tarjeta SIM", Money::from_cents(550), 1},
            {"p1", "Moneda", Money::from_cents(100), 1}}));

  const auto d12 = store_->day_metrics(day("2024-09-12"));
  EXPECT_EQ(d12.orders, 2);  // the UTC order is 22:00 in Bogotá on the 12th
  EXPECT_EQ(d12.units, 3);
  EXPECT_EQ(d12.sales.cents(), 750);
  ASSERT_EQ(d12.products.size(), 2u);
  EXPECT_EQ(d12.products[0].name, "Moneda");
  EXPECT_EQ(d12.products[0].units, 2);
  EXPECT_EQ(d12.hours[23].orders, 1);
  EXPECT_EQ(d12.hours[22].sales.cents(), 650);
  ASSERT_EQ(d12.couriers.size(), 1u);
  EXPECT_EQ(d12.couriers[0].orders, 2);
  ASSERT_TRUE(d12.last_order);

  const auto d13 = store_->day_metrics(day("2024-09-13"));
  EXPECT_EQ(d13.orders, 1);
  EXPECT_EQ(d13.units, 2);
  EXPECT_EQ(d13.hours[0].sales.cents(), 200);

  const auto empty = store_->day_metrics(day("2024-09-14"));
  EXPECT_EQ(empty.orders, 0);
  EXPECT_FALSE(empty.last_order);
}

TEST_P(StoreContract, RankedDayMetricsKeepTheFirstOfEachRankingAndCountTheRest) {
  // Ties on units are broken by sales, then by name; couriers by sales, then id.
  put(make(
      "o1", "2024-09-12 10:00:00", "3",
      {{"a", "Moneda", Money::from_cents(100), 3}, {"b", "Tarjeta", Money::from_cents(500), 3}}));
  put(make("o2", "2024-09-12 11:00:00", "1",
           {{"c", "Chip", Money::from_cents(500), 3}, {"d", "Zeta", Money::from_cents(50), 1}}));
  put(make("o3", "2024-09-12 12:00:00", "2", {{"e", "Alfa", Money::from_cents(50), 1}}));

  const auto full = store_->day_metrics(day("2024-09-12"));
  ASSERT_EQ(full.products.size(), 5u);
  EXPECT_EQ(full.product_count, 5);
  const auto top = store_->ranked_day_metrics(day("2024-09-12"), {2, 1});
  EXPECT_EQ(top.orders, full.orders);
  EXPECT_EQ(top.sales, full.sales);
  ASSERT_EQ(top.products.size(), 2u);
  EXPECT_EQ(top.products[0].name, "Chip");  // 3 units, 15.00 (tie with Tarjeta, by name)
  EXPECT_EQ(top.products[1].name, "Tarjeta");
  EXPECT_EQ(top.product_count, 5);
  ASSERT_EQ(top.couriers.size(), 1u);
  EXPECT_EQ(top.couriers[0].courier.id.text, "3");  // 18.00, before 1 (15.50) and 2 (0.50)
  EXPECT_EQ(top.courier_count, 3);
  const auto others = top.other_products();
  EXPECT_EQ(others.count, 3);
  EXPECT_EQ(others.units, 3 + 1 + 1);
  EXPECT_EQ(others.sales.cents(), 300 + 50 + 50);
  const auto other_couriers = top.other_couriers();
  EXPECT_EQ(other_couriers.count, 2);
  EXPECT_EQ(other_couriers.orders, 2);

  // A read leaves nothing open: the next one sees a new order (SQLite reuses
  // its connections and their cached statements).
  put(make("o4", "2024-09-12 13:00:00", "2", {{"e", "Alfa", Money::from_cents(50), 1}}));
  EXPECT_EQ(store_->ranked_day_metrics(day("2024-09-12"), {2, 1}).orders, full.orders + 1);
  EXPECT_EQ(store_->list_orders({}).orders.size(), 4u);

  const auto none = store_->ranked_day_metrics(day("2024-09-14"), {2, 1});
  EXPECT_EQ(none.product_count, 0);
  EXPECT_TRUE(none.products.empty());
}

TEST_P(StoreContract, DaysFiguresListTheDaysOfARangeThatHaveOrdersOldestFirst) {
  put(make("a", "2024-09-10 09:00:00", "1", {{"p1", "Moneda", Money::from_cents(100), 2}}));
  put(make("b", "2024-09-12 23:59:59", "1", {{"p1", "Moneda", Money::from_cents(100), 1}}));
  put(make("c", "2024-09-13T03:00:00Z", "2", {{"p2", "Chip", Money::from_cents(550), 3}}));
  put(make("d", "2024-10-01 08:00:00", "2", {{"p2", "Chip", Money::from_cents(550), 1}}));

  const auto days = store_->days_figures(day("2024-09-11"), day("2024-10-01"));
  ASSERT_EQ(days.size(), 2u);  // the 10th is before the range; nothing on most days
  EXPECT_EQ(days[0].day, day("2024-09-12"));
  EXPECT_EQ(days[0].figures.orders, 2);  // the UTC order is 22:00 in Bogotá on the 12th
  EXPECT_EQ(days[0].figures.units, 4);
  EXPECT_EQ(days[0].figures.sales.cents(), 100 + 1650);
  EXPECT_EQ(days[1].day, day("2024-10-01"));
  EXPECT_EQ(days[1].figures.sales.cents(), 550);
  EXPECT_TRUE(store_->days_figures(day("2024-09-14"), day("2024-09-30")).empty());
  EXPECT_EQ(store_->days_figures(day("2024-09-10"), day("2024-09-10")).size(), 1u);
}

TEST_P(StoreContract, PagesCoverEveryOrderNewestFirstWithoutGapsOrDuplicates) {
  // Several orders share a timestamp so the sequence must break ties.
  for (int i = 0; i < 250; ++i) {
    char time[32];
    std::snprintf(time, sizeof time, "2024-09-12 10:%02d:00", i / 5 % 60);
    put(make("o" + std::to_string(i), time));
  }
  std::set<std::string> seen;
  std::optional<OrderCursor> cursor;
  Order previous;
  bool first = true;
  int pages = 0;
  do {
    OrderQuery query;
    query.limit = 100;
    query.after = cursor;
    const auto page = store_->list_orders(query);
    ++pages;
    for (const auto& order : page.orders) {
      EXPECT_TRUE(seen.insert(order.order_id).second) << order.order_id;
      if (!first) {
        EXPECT_TRUE(
            order.occurred_at() < previous.occurred_at() ||
            (order.occurred_at() == previous.occurred_at() && order.sequence < previous.sequence));
      }
      previous = order;
      first = false;
    }
    cursor = page.next;
  } while (cursor);
  EXPECT_EQ(seen.size(), 250u);
  EXPECT_EQ(pages, 3);
}

TEST_P(StoreContract, ListingFiltersByDayCourierAndTimeRange) {
  put(make("a", "2024-09-12 08:00:00", "1"));
  put(make("b", "2024-09-12 09:00:00", "2"));
  put(make("c", "2024-09-13 08:00:00", "1"));
  const auto ids = [&](OrderQuery q) {
    std::vector<std::string> out;
    for (const auto& o : store_->list_orders(q).orders) out.push_back(o.order_id);
    return out;
  };
  OrderQuery by_day;
  by_day.day = day("2024-09-12");
  EXPECT_EQ(ids(by_day), (std::vector<std::string>{"b", "a"}));
  OrderQuery by_courier;
  by_courier.courier_id = "1";
  EXPECT_EQ(ids(by_courier), (std::vector<std::string>{"c", "a"}));
  OrderQuery by_range;
  by_range.from = calendar_.parse_timestamp("2024-09-12 08:30:00");
  by_range.until = calendar_.parse_timestamp("2024-09-13 08:00:00");
  EXPECT_EQ(ids(by_range), (std::vector<std::string>{"b"}));
}

TEST_P(StoreContract, OrdersAfterASequenceComeOldestFirst) {
  const auto a = put(make("a", "2024-09-12 08:00:00"));
  put(make("b", "2024-09-12 07:00:00"));
  put(make("c", "2024-09-12 09:00:00"));
  const auto after = store_->orders_after(a.order.sequence, 10);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].order_id, "b");
  EXPECT_EQ(after[1].order_id, "c");
  EXPECT_EQ(store_->orders_after(a.order.sequence, 1).size(), 1u);
}

TEST_P(StoreContract, AcknowledgedOrdersSurviveReopening) {
  for (int i = 0; i < 20; ++i) put(make("o" + std::to_string(i), "2024-09-12 10:00:00"));
  const auto before = store_->day_metrics(day("2024-09-12"));
  reopen();
  const auto after = store_->day_metrics(day("2024-09-12"));
  EXPECT_EQ(after.orders, 20);
  EXPECT_EQ(after.sales, before.sales);
  EXPECT_TRUE(store_->find_order("o19"));
  EXPECT_TRUE(store_->ready());
}

TEST_P(StoreContract, UsersCanBeCreatedFoundUpdatedAndListed) {
  EXPECT_EQ(store_->count_users(), 0u);
  User ana{"ana", "hash1", Role::courier, false};
  EXPECT_EQ(store_->create_user(ana), UserChange::done);
  EXPECT_EQ(store_->create_user(ana), UserChange::already_exists);
  ana.role = Role::viewer;
  ana.disabled = true;
  ana.password_hash = "hash2";
  EXPECT_EQ(store_->update_user(ana), UserChange::done);
  const auto found = store_->find_user("ana");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->role, Role::viewer);
  EXPECT_TRUE(found->disabled);
  EXPECT_EQ(found->password_hash, "hash2");
  EXPECT_EQ(store_->update_user(User{"nobody", "x", Role::admin, false}), UserChange::not_found);
  EXPECT_FALSE(store_->find_user("nobody"));
  store_->create_user(User{"bob", "h", Role::admin, false});
  const auto users = store_->list_users();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].username, "ana");
}

TEST_P(StoreContract, AUsersTokenGenerationIsKeptThroughCreateAndUpdate) {
  // Microseconds since the epoch: more than 32 bits.
  User ana{"ana", "hash1", Role::courier, false, 1'780'000'000'123'456};
  ASSERT_EQ(store_->create_user(ana), UserChange::done);
  EXPECT_EQ(store_->find_user("ana")->token_generation, 1'780'000'000'123'456);
  ana.token_generation = 1'780'000'000'123'457;
  ASSERT_EQ(store_->update_user(ana), UserChange::done);
  EXPECT_EQ(store_->find_user("ana")->token_generation, 1'780'000'000'123'457);
  EXPECT_EQ(store_->list_users().at(0).token_generation, 1'780'000'000'123'457);
}

TEST_P(StoreContract, TheLastEnabledAdminCanBeNeitherDemotedNorDisabled) {
  store_->create_user(User{"root", "h", Role::admin, false});
  store_->create_user(User{"old", "h", Role::admin, true});  // disabled admins do not count
  store_->create_user(User{"ana", "h", Role::viewer, false});
  EXPECT_EQ(store_->update_user(User{"root", "h", Role::viewer, false}),
            UserChange::last_enabled_admin);
  EXPECT_EQ(store_->update_user(User{"root", "h", Role::admin, true}),
            UserChange::last_enabled_admin);
  const auto root = store_->find_user("root");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->role, Role::admin);
  EXPECT_FALSE(root->disabled);
  // Everything else still goes: its own new password, other users' changes.
  EXPECT_EQ(store_->update_user(User{"root", "h2", Role::admin, false}), UserChange::done);
  EXPECT_EQ(store_->update_user(User{"ana", "h", Role::courier, true}), UserChange::done);
  EXPECT_EQ(store_->update_user(User{"old", "h", Role::admin, false}), UserChange::done);
  EXPECT_EQ(store_->update_user(User{"root", "h2", Role::viewer, false}), UserChange::done);
  EXPECT_EQ(store_->update_user(User{"nobody", "h", Role::viewer, false}), UserChange::not_found);
}

TEST_P(StoreContract, ConcurrentRemovalsOfTheLastTwoAdminsLeaveExactlyOne) {
  // A check made before the write would let both pass; the store decides in
  // the write's transaction. One thread demotes, the other disables, each
  // time from the same starting line, through two stores on the same data
  // (two instances, or the server and `cargomon user`).
  const auto other = backend_->open(calendar_);
  const User a{"admin-a", "h", Role::admin, false};
  const User b{"admin-b", "h", Role::admin, false};
  store_->create_user(a);
  store_->create_user(b);
  for (int round = 0; round < 30; ++round) {
    std::latch start(2);
    const auto change = [&](UserStore& users, User user) {
      return std::async(std::launch::async, [&users, &start, user] {
        start.arrive_and_wait();
        return users.update_user(user);
      });
    };
    auto demoted = change(*store_, User{"admin-a", "h", Role::viewer, false});
    auto disabled = change(*other, User{"admin-b", "h", Role::admin, true});
    const std::multiset<UserChange> changes{demoted.get(), disabled.get()};
    EXPECT_EQ(changes,
              (std::multiset<UserChange>{UserChange::done, UserChange::last_enabled_admin}))
        << "round " << round;
    std::size_t enabled_admins = 0;
    for (const auto& user : store_->list_users()) enabled_admins += is_enabled_admin(user);
    ASSERT_EQ(enabled_admins, 1u) << "round " << round;
    // Both admins again for the next round (adding one is always allowed).
    ASSERT_EQ(store_->update_user(a), UserChange::done);
    ASSERT_EQ(store_->update_user(b), UserChange::done);
  }
}

// A session as POST /token stores one, at `now`, for 30 days.
StoredSession make_session(std::string id, std::string username, Timestamp now,
                           std::string hash = std::string(64, 'a')) {
  StoredSession session;
  session.id = std::move(id);
  session.username = std::move(username);
  session.refresh_hash = std::move(hash);
  session.token_generation = 1'780'000'000'123'456;
  session.keep_signed_in = true;
  session.created_at = now;
  session.last_used_at = now;
  session.expires_at = now + std::chrono::days(30);
  session.address = "192.0.2.7";
  session.user_agent = "Mozilla/5.0 (pantalla del almacén)";
  return session;
}

SessionRotation rotation_of(const std::string& id, std::string presented, std::string fresh,
                            Timestamp now, std::chrono::seconds grace = std::chrono::seconds(30)) {
  return {id,          std::move(presented), std::move(fresh), now, now + std::chrono::days(30),
          now - grace, "198.51.100.4"};
}

const Timestamp kSessionStart{std::chrono::microseconds(1'780'000'000'000'000)};

TEST_P(StoreContract, ASessionIsStoredAndFoundUnchanged) {
  const auto session = make_session("0123456789abcdef0123456789abcdef", "ana", kSessionStart);
  store_->create_session(session);
  EXPECT_EQ(store_->find_session(session.id), session);
  EXPECT_FALSE(store_->find_session("ffffffffffffffffffffffffffffffff"));
  reopen();
  EXPECT_EQ(store_->find_session(session.id), session);
}

TEST_P(StoreContract, RotationTakesTheCurrentSecretAndMovesTheSessionOn) {
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c');
  store_->create_session(make_session("s1", "ana", kSessionStart, a));
  const auto later = kSessionStart + std::chrono::hours(1);
  ASSERT_EQ(store_->rotate_session(rotation_of("s1", a, b, later)), RotationOutcome::rotated);
  auto found = store_->find_session("s1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->refresh_hash, b);
  EXPECT_EQ(found->previous_hash, a);
  EXPECT_EQ(found->last_used_at, later);
  EXPECT_EQ(found->expires_at, later + std::chrono::days(30));
  EXPECT_EQ(found->address, "198.51.100.4");
  EXPECT_EQ(found->created_at, kSessionStart);
  EXPECT_FALSE(found->revoked);
  // The next renewal takes the new secret.
  EXPECT_EQ(store_->rotate_session(rotation_of("s1", b, c, later + std::chrono::hours(1))),
            RotationOutcome::rotated);
  EXPECT_EQ(store_->rotate_session(rotation_of("nobody", a, b, later)), RotationOutcome::gone);
}

TEST_P(StoreContract, ARotatedSecretPresentedAgainRevokesTheSession) {
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c'), d(64, 'd');
  store_->create_session(make_session("s1", "ana", kSessionStart, a));
  auto now = kSessionStart + std::chrono::hours(1);
  ASSERT_EQ(store_->rotate_session(rotation_of("s1", a, b, now)), RotationOutcome::rotated);
  now += std::chrono::hours(1);
  ASSERT_EQ(store_->rotate_session(rotation_of("s1", b, c, now)), RotationOutcome::rotated);
  // `a`, two renewals back, is a kept copy: the session ends for everyone.
  EXPECT_EQ(store_->rotate_session(rotation_of("s1", a, d, now)), RotationOutcome::reused);
  EXPECT_TRUE(store_->find_session("s1")->revoked);
  // Also the holder of the current secret is signed out now.
  EXPECT_EQ(store_->rotate_session(rotation_of("s1", c, d, now)), RotationOutcome::gone);
  EXPECT_TRUE(store_->list_sessions("", now, 100).empty());
}

TEST_P(StoreContract, TheSecretJustReplacedIsTakenAgainOnlyWithinTheGrace) {
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c'), d(64, 'd');
  store_->create_session(make_session("s1", "ana", kSessionStart, a));
  store_->create_session(make_session("s2", "ana", kSessionStart, a));
  auto now = kSessionStart + std::chrono::hours(1);
  ASSERT_EQ(store_->rotate_session(rotation_of("s1", a, b, now)), RotationOutcome::rotated);
  ASSERT_EQ(store_->rotate_session(rotation_of("s2", a, b, now)), RotationOutcome::rotated);
  // The answer was lost: the screen tries again with `a` 10 s later.
  now += std::chrono::seconds(10);
  ASSERT_EQ(store_->rotate_session(rotation_of("s1", a, c, now)), RotationOutcome::rotated);
  EXPECT_EQ(store_->find_session("s1")->refresh_hash, c);
  EXPECT_EQ(store_->find_session("s1")->previous_hash, a);
  // A minute after the renewal, past the grace, `a` is a kept copy.
  now += std::chrono::seconds(50);
  EXPECT_EQ(store_->rotate_session(rotation_of("s2", a, d, now)), RotationOutcome::reused);
  EXPECT_TRUE(store_->find_session("s2")->revoked);
  EXPECT_FALSE(store_->find_session("s1")->revoked);
}

TEST_P(StoreContract, ConcurrentRenewalsWithOneSecretRotateItOnce) {
  // Two instances (or tabs) renewing with the same secret at once, no grace:
  // exactly one gets the session, the other is taken for a copy.
  const auto other = backend_->open(calendar_);
  for (int round = 0; round < 10; ++round) {
    const auto id = "race" + std::to_string(round);
    const std::string a(64, 'a');
    store_->create_session(make_session(id, "ana", kSessionStart, a));
    std::latch start(2);
    const auto renew = [&](SessionStore& sessions, char fresh) {
      return std::async(std::launch::async, [&sessions, &start, id, a, fresh] {
        start.arrive_and_wait();
        return sessions.rotate_session(rotation_of(id, a, std::string(64, fresh),
                                                   kSessionStart + std::chrono::minutes(1),
                                                   std::chrono::seconds(0)));
      });
    };
    auto first = renew(*store_, 'b');
    auto second = renew(*other, 'c');
    const std::multiset<RotationOutcome> outcomes{first.get(), second.get()};
    EXPECT_EQ(outcomes,
              (std::multiset<RotationOutcome>{RotationOutcome::rotated, RotationOutcome::reused}))
        << "round " << round;
    EXPECT_TRUE(store_->find_session(id)->revoked) << "round " << round;
  }
}

TEST_P(StoreContract, ExpiredAndRevokedSessionsNeitherRenewNorList) {
  const std::string a(64, 'a'), b(64, 'b');
  auto old = make_session("old", "ana", kSessionStart, a);
  old.expires_at = kSessionStart + std::chrono::hours(1);
  store_->create_session(old);
  store_->create_session(make_session("kept", "ana", kSessionStart, a));
  store_->create_session(make_session("gone", "bob", kSessionStart, a));
  const auto now = kSessionStart + std::chrono::hours(2);
  EXPECT_EQ(store_->rotate_session(rotation_of("old", a, b, now)), RotationOutcome::gone);
  EXPECT_TRUE(store_->revoke_session("gone", now));
  EXPECT_FALSE(store_->revoke_session("gone", now));
  EXPECT_FALSE(store_->revoke_session("old", now));
  EXPECT_FALSE(store_->revoke_session("nobody", now));
  EXPECT_EQ(store_->rotate_session(rotation_of("gone", a, b, now)), RotationOutcome::gone);
  const auto listed = store_->list_sessions("", now, 100);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, "kept");
  // Pruning deletes what has expired, and only that.
  EXPECT_EQ(store_->prune_sessions(now, 100), 1u);
  EXPECT_FALSE(store_->find_session("old"));
  EXPECT_TRUE(store_->find_session("kept"));
  EXPECT_TRUE(store_->find_session("gone"));
  EXPECT_EQ(store_->prune_sessions(now, 100), 0u);
}

TEST_P(StoreContract, SessionsListByUserMostRecentlyUsedFirstUpToTheLimit) {
  const std::string a(64, 'a'), b(64, 'b');
  store_->create_session(make_session("s-ana-1", "ana", kSessionStart, a));
  store_->create_session(
      make_session("s-ana-2", "ana", kSessionStart + std::chrono::minutes(1), a));
  store_->create_session(make_session("s-bob", "bob", kSessionStart + std::chrono::minutes(2), a));
  // Renewed last: listed first.
  ASSERT_EQ(
      store_->rotate_session(rotation_of("s-ana-1", a, b, kSessionStart + std::chrono::minutes(3))),
      RotationOutcome::rotated);
  const auto now = kSessionStart + std::chrono::minutes(4);
  const auto all = store_->list_sessions("", now, 100);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "s-ana-1");
  EXPECT_EQ(all[1].id, "s-bob");
  EXPECT_EQ(all[2].id, "s-ana-2");
  const auto ana = store_->list_sessions("ana", now, 100);
  ASSERT_EQ(ana.size(), 2u);
  EXPECT_EQ(ana[0].id, "s-ana-1");
  EXPECT_EQ(ana[1].id, "s-ana-2");
  const auto first = store_->list_sessions("", now, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].id, "s-bob");
  // Sessions are not users: the users' listing and count are unchanged.
  EXPECT_EQ(store_->count_users(), 0u);
  EXPECT_TRUE(store_->list_users().empty());
}

}  // namespace
}  // namespace cargomon

namespace cargomon {
namespace {

// Webhooks: every store that keeps them (Store::webhooks()) keeps them alike.
class WebhookContract : public StoreContract {
 protected:
  WebhookStore& hooks() { return *store_->webhooks(); }

  static WebhookEndpoint endpoint(std::string id) {
    WebhookEndpoint e;
    e.id = std::move(id);
    e.url = "https://hooks.example.com/in";
    e.description = "ERP ñ";
    e.events = static_cast<std::uint8_t>(WebhookEvent::order_registered) |
               static_cast<std::uint8_t>(WebhookEvent::day_closed);
    e.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    e.created_at = Timestamp(std::chrono::seconds(1'700'000'000));
    return e;
  }

  static ParkedDelivery parked(std::string id, std::string delivery) {
    return {std::move(id),
            std::move(delivery),
            R"({"type":"pedido.registrado"})",
            12,
            "HTTP 500",
            Timestamp(std::chrono::seconds(1'700'100'000)),
            false};
  }
};

#define SKIP_WITHOUT_WEBHOOKS() \
  if (store_->webhooks() == nullptr) GTEST_SKIP() << "no webhooks in this store yet"

TEST_P(WebhookContract, EndpointsAreCreatedListedUpdatedAndDeleted) {
  SKIP_WITHOUT_WEBHOOKS();
  ASSERT_TRUE(hooks().create_webhook(endpoint("we_b")));
  ASSERT_TRUE(hooks().create_webhook(endpoint("we_a")));
  EXPECT_FALSE(hooks().create_webhook(endpoint("we_a")));  // the id is taken
  const auto listed = hooks().list_webhooks();
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].id, "we_a");
  EXPECT_EQ(listed[0].url, "https://hooks.example.com/in");
  EXPECT_EQ(listed[0].description, "ERP ñ");
  EXPECT_EQ(listed[0].events, endpoint("x").events);
  EXPECT_EQ(listed[0].secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  EXPECT_EQ(listed[0].created_at, endpoint("x").created_at);
  EXPECT_FALSE(listed[0].disabled);

  auto changed = endpoint("we_a");
  changed.url = "https://other.example.com/";
  changed.events = kAllWebhookEvents;
  changed.disabled = true;
  changed.secret = "whsec_ignored";
  ASSERT_TRUE(hooks().update_webhook(changed));
  const auto found = hooks().find_webhook("we_a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->url, "https://other.example.com/");
  EXPECT_EQ(found->events, kAllWebhookEvents);
  EXPECT_TRUE(found->disabled);
  EXPECT_EQ(found->secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");  // not replaced
  EXPECT_FALSE(hooks().update_webhook(endpoint("we_missing")));

  EXPECT_TRUE(hooks().delete_webhook("we_a"));
  EXPECT_FALSE(hooks().delete_webhook("we_a"));
  EXPECT_FALSE(hooks().find_webhook("we_a"));
  EXPECT_FALSE(hooks().webhook_progress("we_a", WebhookLog::orders));
  reopen();
  ASSERT_EQ(hooks().list_webhooks().size(), 1U);
}

TEST_P(WebhookContract, ProgressStartsAtTheLogsEndsAndSurvivesReopening) {
  SKIP_WITHOUT_WEBHOOKS();
  put(make("a", "2024-09-12 10:00:00"));
  const auto second = put(make("b", "2024-09-12 10:01:00"));
  const auto first_event =
      hooks().enqueue_webhook_event({0, WebhookEvent::day_closed, R"({"fecha":"2024-09-12"})",
                                     Timestamp(std::chrono::seconds(1'700'000'000))});
  ASSERT_TRUE(hooks().create_webhook(endpoint("we_a")));
  const auto orders = hooks().webhook_progress("we_a", WebhookLog::orders);
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->done, second.order.sequence);
  EXPECT_EQ(orders->failures, 0);
  EXPECT_FALSE(orders->failing_since);
  EXPECT_FALSE(orders->next_attempt);
  EXPECT_EQ(hooks().webhook_progress("we_a", WebhookLog::events)->done, first_event);

  const auto third = put(make("c", "2024-09-12 10:02:00"));
  const auto after = store_->orders_after(orders->done, 10);
  ASSERT_EQ(after.size(), 1U);
  EXPECT_EQ(after[0].sequence, third.order.sequence);

  const WebhookProgress failing{orders->done, 3, Timestamp(std::chrono::seconds(1'700'000'000)),
                                Timestamp(std::chrono::seconds(1'700'000'040))};
  ASSERT_TRUE(hooks().save_webhook_progress("we_a", WebhookLog::orders, failing, std::nullopt));
  EXPECT_FALSE(
      hooks().save_webhook_progress("we_missing", WebhookLog::orders, failing, std::nullopt));
  reopen();
  const auto kept = hooks().webhook_progress("we_a", WebhookLog::orders);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->done, failing.done);
  EXPECT_EQ(kept->failures, 3);
  EXPECT_EQ(kept->failing_since, failing.failing_since);
  EXPECT_EQ(kept->next_attempt, failing.next_attempt);
  // The other log's progress is its own.
  EXPECT_EQ(hooks().webhook_progress("we_a", WebhookLog::events)->done, first_event);
}

TEST_P(WebhookContract, QueuedEventsComeBackInOrderAfterAPosition) {
  SKIP_WITHOUT_WEBHOOKS();
  const Timestamp at(std::chrono::seconds(1'700'000'000));
  const auto a = hooks().enqueue_webhook_event({0, WebhookEvent::alert_opened, R"({"n":1})", at});
  const auto b = hooks().enqueue_webhook_event({0, WebhookEvent::alert_resolved, R"({"n":2})", at});
  EXPECT_GT(b, a);
  const auto all = hooks().webhook_events_after(0, 10);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].position, a);
  EXPECT_EQ(all[0].type, WebhookEvent::alert_opened);
  EXPECT_EQ(all[0].data, R"({"n":1})");
  EXPECT_EQ(all[0].occurred_at, at);
  EXPECT_EQ(all[1].type, WebhookEvent::alert_resolved);
  const auto later = hooks().webhook_events_after(a, 10);
  ASSERT_EQ(later.size(), 1U);
  EXPECT_EQ(later[0].position, b);
  EXPECT_EQ(hooks().webhook_events_after(0, 1).size(), 1U);
}

TEST_P(WebhookContract, ParkingMovesTheCursorAndKeepsTheDeliveryForReplay) {
  SKIP_WITHOUT_WEBHOOKS();
  ASSERT_TRUE(hooks().create_webhook(endpoint("we_a")));
  ASSERT_TRUE(hooks().create_webhook(endpoint("we_b")));
  ASSERT_TRUE(hooks().save_webhook_progress("we_a", WebhookLog::orders, {5, 0, {}, {}},
                                            parked("we_a", "msg_we_a_p5")));
  hooks().save_webhook_progress("we_a", WebhookLog::orders, {6, 0, {}, {}},
                                parked("we_a", "msg_we_a_p6"));
  EXPECT_EQ(hooks().webhook_progress("we_a", WebhookLog::orders)->done, 6);
  reopen();
  auto list = hooks().parked_deliveries("we_a", 10);
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].delivery_id, "msg_we_a_p5");
  EXPECT_EQ(list[0].endpoint_id, "we_a");
  EXPECT_EQ(list[0].payload, R"({"type":"pedido.registrado"})");
  EXPECT_EQ(list[0].attempts, 12);
  EXPECT_EQ(list[0].last_error, "HTTP 500");
  EXPECT_EQ(list[0].parked_at, parked("", "").parked_at);
  EXPECT_FALSE(list[0].replay_requested);
  EXPECT_EQ(hooks().parked_deliveries("we_a", 1).size(), 1U);
  EXPECT_TRUE(hooks().parked_deliveries("we_b", 10).empty());

  EXPECT_TRUE(hooks().request_replay("we_a", "msg_we_a_p5"));
  EXPECT_FALSE(hooks().request_replay("we_b", "msg_we_a_p5"));  // another endpoint's
  EXPECT_FALSE(hooks().request_replay("we_a", "msg_missing"));
  EXPECT_TRUE(hooks().parked_deliveries("we_a", 10)[0].replay_requested);
  const auto requested = hooks().replays_requested("we_a", 10);
  ASSERT_EQ(requested.size(), 1U);
  EXPECT_EQ(requested[0].delivery_id, "msg_we_a_p5");
  EXPECT_EQ(requested[0].payload, R"({"type":"pedido.registrado"})");
  EXPECT_TRUE(hooks().replays_requested("we_b", 10).empty());

  hooks().finish_replay("we_a", "msg_we_a_p5", false, "HTTP 503");
  list = hooks().parked_deliveries("we_a", 10);
  ASSERT_EQ(list.size(), 2U);
  EXPECT_FALSE(list[0].replay_requested);
  EXPECT_EQ(list[0].attempts, 13);
  EXPECT_EQ(list[0].last_error, "HTTP 503");
  EXPECT_TRUE(hooks().replays_requested("we_a", 10).empty());

  hooks().finish_replay("we_a", "msg_we_a_p5", true, "");
  list = hooks().parked_deliveries("we_a", 10);
  ASSERT_EQ(list.size(), 1U);
  EXPECT_EQ(list[0].delivery_id, "msg_we_a_p6");

  EXPECT_TRUE(hooks().delete_webhook("we_a"));
  EXPECT_TRUE(hooks().parked_deliveries("we_a", 10).empty());
}

TEST_P(WebhookContract, OneHolderAtATimeLeasesAnEndpointUntilItsLeaseExpires) {
  SKIP_WITHOUT_WEBHOOKS();
  ASSERT_TRUE(hooks().create_webhook(endpoint("we_a")));
  const Timestamp t0(std::chrono::seconds(1'700'000'000));
  const auto later = [&](int s) { return t0 + std::chrono::seconds(s); };
  EXPECT_TRUE(hooks().lease_webhook("we_a", "one", t0, later(30)));
  EXPECT_FALSE(hooks().lease_webhook("we_a", "two", later(10), later(40)));
  EXPECT_TRUE(hooks().lease_webhook("we_a", "one", later(20), later(50)));  // renewed
  EXPECT_FALSE(hooks().lease_webhook("we_a", "two", later(40), later(70)));
  EXPECT_TRUE(hooks().lease_webhook("we_a", "two", later(51), later(80)));  // taken over
  EXPECT_FALSE(hooks().lease_webhook("we_a", "one", later(60), later(90)));
  EXPECT_FALSE(hooks().lease_webhook("we_missing", "one", t0, later(30)));
}

INSTANTIATE_TEST_SUITE_P(Stores, WebhookContract, ::testing::ValuesIn(store_kinds()),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param.name;
                         });

AuditEntry audit_entry(std::string id, std::int64_t seconds, std::string action = "usuario.creado",
                       std::string actor = "root") {
  return {std::move(id),
          Timestamp(std::chrono::seconds(seconds)),
          std::move(action),
          std::move(actor),
          "10.0.0.1",
          "ana",
          {{"rol", "viewer"}, {"nota", "a=b&c 100% ñ\n"}}};
}

// 2024-01-31 23:59:00 UTC and later: the trail crosses a month.
constexpr std::int64_t kJan31 = 1'706'745'540;
constexpr std::int64_t kFortyDays = std::int64_t{86'400} * 40;

std::vector<std::string> ids_of(const std::vector<AuditEntry>& entries) {
  std::vector<std::string> ids;
  for (const auto& entry : entries) ids.push_back(entry.id);
  return ids;
}

// Every page of `query`, followed by its cursors; fails past `max_pages`.
std::vector<AuditEntry> all_audit_pages(AuditLog& log, AuditQuery query, int max_pages = 100) {
  std::vector<AuditEntry> all;
  for (int page = 0; page < max_pages; ++page) {
    const auto got = log.list_audit(query);
    EXPECT_LE(got.entries.size(), query.limit);
    all.insert(all.end(), got.entries.begin(), got.entries.end());
    if (!got.next) return all;
    query.after = got.next;
  }
  ADD_FAILURE() << "the trail did not end within " << max_pages << " pages";
  return all;
}

TEST_P(StoreContract, AuditEntriesComeBackUnchangedNewestFirstAndSurviveReopening) {
  const auto first = audit_entry("0a", kJan31);
  store_->append_audit(first);
  store_->append_audit(audit_entry("0b", kJan31 + 120, "login.fallido", "luis"));
  store_->append_audit(first);  // again: kept once
  reopen();
  const auto page = store_->list_audit({});
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_FALSE(page.next);
  EXPECT_EQ(page.entries[0].id, "0b");
  EXPECT_EQ(page.entries[1], first);
}

TEST_P(StoreContract, AuditPagesCoverEveryEntryNewestFirstWithoutGapsOrDuplicates) {
  // Some share a time: then the id orders them.
  std::vector<std::string> expected;
  for (std::int64_t i = 0; i < 11; ++i) {
    const auto id = "e" + std::to_string(10 + i);
    store_->append_audit(audit_entry(id, kJan31 + (i / 2) * 30));
    expected.insert(expected.begin(), id);
  }
  AuditQuery query;
  query.limit = 3;
  EXPECT_EQ(ids_of(all_audit_pages(*store_, query)), expected);
  query.limit = 11;
  const auto whole = store_->list_audit(query);
  EXPECT_EQ(ids_of(whole.entries), expected);
  EXPECT_FALSE(whole.next);
}

TEST_P(StoreContract, AuditListingFiltersByActionActorAndTime) {
  store_->append_audit(audit_entry("1", kJan31, "usuario.creado", "root"));
  store_->append_audit(audit_entry("2", kJan31 + 60, "login.fallido", "ana"));
  store_->append_audit(audit_entry("3", kJan31 + 120, "login.fallido", "luis"));
  store_->append_audit(audit_entry("4", kJan31 + 180, "usuario.creado", "ana"));
  AuditQuery by_action;
  by_action.action = "login.fallido";
  EXPECT_EQ(ids_of(all_audit_pages(*store_, by_action)), (std::vector<std::string>{"3", "2"}));
  AuditQuery by_actor;
  by_actor.actor = "ana";
  by_actor.limit = 1;
  EXPECT_EQ(ids_of(all_audit_pages(*store_, by_actor)), (std::vector<std::string>{"4", "2"}));
  AuditQuery both = by_action;
  both.actor = "ana";
  EXPECT_EQ(ids_of(all_audit_pages(*store_, both)), (std::vector<std::string>{"2"}));
  AuditQuery in_time;
  in_time.from = Timestamp(std::chrono::seconds(kJan31 + 60));    // inclusive
  in_time.until = Timestamp(std::chrono::seconds(kJan31 + 180));  // exclusive
  EXPECT_EQ(ids_of(all_audit_pages(*store_, in_time)), (std::vector<std::string>{"3", "2"}));
  AuditQuery none;
  none.action = "importacion";
  EXPECT_TRUE(all_audit_pages(*store_, none).empty());
}

TEST_P(StoreContract, AuditPruningDeletesOnlyOlderEntriesBoundedAndIdempotently) {
  for (std::int64_t i = 0; i < 6; ++i) {
    store_->append_audit(audit_entry("p" + std::to_string(i), kJan31 - kFortyDays + i * 60));
  }
  store_->append_audit(audit_entry("kept", kJan31 + 60));
  const Timestamp cutoff{std::chrono::seconds(kJan31)};
  EXPECT_EQ(store_->prune_audit(cutoff, 4), 4u);
  EXPECT_EQ(store_->prune_audit(cutoff, 4), 2u);
  EXPECT_EQ(store_->prune_audit(cutoff, 4), 0u);
  EXPECT_EQ(ids_of(all_audit_pages(*store_, {})), (std::vector<std::string>{"kept"}));
  // The trail goes on after pruning, in the pruned months too.
  store_->append_audit(audit_entry("late", kJan31 - kFortyDays));
  EXPECT_EQ(ids_of(all_audit_pages(*store_, {})), (std::vector<std::string>{"kept", "late"}));
}

}  // namespace
}  // namespace cargomon
