#include "storage/postgres/postgres_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <random>
#include <unordered_map>

#include "storage/migrations.hpp"
#include "storage/postgres/order_relay.hpp"

namespace cargomon {
namespace {

using std::chrono::microseconds;
using SteadyClock = std::chrono::steady_clock;

const Migration kMigrations[] = {
#include "postgres_migrations.inc"
};

// Advisory lock keys (per database). Migrations take one bigint key; write
// transactions claim a day-totals shard as (kShardLockClass, shard).
constexpr std::int64_t kMigrationLock = 0x636172676f6d6f6e;  // "cargomon"
constexpr std::int32_t kShardLockClass = 0x63676d6e;         // "cgmn"
// Enough that the writers of several instances (one transaction each at a
// time) practically never look for a free shard in vain, few enough that a
// day's totals stay a handful of rows to sum.
constexpr std::int32_t kShards = 16;

std::int64_t micros(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp timestamp(std::int64_t us) { return Timestamp{microseconds{us}}; }

constexpr const char* kOrderColumns =
    "seq, order_id, courier_id, courier_id_is_number, courier_name, reported_at, received_at";

// Takes a transaction id before any sequence value is drawn (settled_sequence
// relies on it), and claims a free day-totals shard, starting from $1.
constexpr const char* kBeginBatch =
    "SELECT pg_current_xact_id()::text,"
    " (SELECT s FROM (SELECT (($1::int + i) % $2::int) AS s FROM generate_series(0, $2::int - 1)"
    "   AS i) AS shards WHERE pg_try_advisory_xact_lock($3::int, s) LIMIT 1)";

constexpr const char* kInsertOrders =
    "INSERT INTO orders (order_id, courier_id, courier_id_is_number, courier_name, reported_at,"
    " received_at, occurred_at, business_day, total_cents, units)"
    " SELECT * FROM unnest($1::text[], $2::text[], $3::bool[], $4::text[], $5::int8[], $6::int8[],"
    " $7::int8[], $8::date[], $9::int8[], $10::int8[])"
    " ON CONFLICT (order_id) DO NOTHING RETURNING seq, order_id";

constexpr const char* kInsertLines =
    "INSERT INTO order_lines (order_seq, line_no, product_id, product_name, unit_price_cents,"
    " quantity) SELECT * FROM unnest($1::int8[], $2::int4[], $3::text[], $4::text[], $5::int8[],"
    " $6::int4[])";

constexpr const char* kAddDayTotals =
    "INSERT INTO day_totals AS t (day, shard, orders, units, sales_cents, last_seq,"
    " last_occurred_at, last_received_at)"
    " SELECT d, $1::smallint, o, u, s, ls, lo, lr FROM unnest($2::date[], $3::int8[], $4::int8[],"
    " $5::int8[], $6::int8[], $7::int8[], $8::int8[]) AS x(d, o, u, s, ls, lo, lr)"
    " ON CONFLICT (day, shard) DO UPDATE SET orders = t.orders + excluded.orders,"
    " units = t.units + excluded.units, sales_cents = t.sales_cents + excluded.sales_cents,"
    " last_occurred_at = CASE WHEN excluded.last_seq > t.last_seq"
    "   THEN excluded.last_occurred_at ELSE t.last_occurred_at END,"
    " last_received_at = CASE WHEN excluded.last_seq > t.last_seq"
    "   THEN excluded.last_received_at ELSE t.last_received_at END,"
    " last_seq = greatest(t.last_seq, excluded.last_seq)";

constexpr const char* kAddDayProducts =
    "INSERT INTO day_products AS t (day, shard, product_name, units, sales_cents)"
    " SELECT d, $1::smallint, n, u, s FROM unnest($2::date[], $3::text[], $4::int8[], $5::int8[])"
    " AS x(d, n, u, s) ON CONFLICT (day, shard, product_name) DO UPDATE SET"
    " units = t.units + excluded.units, sales_cents = t.sales_cents + excluded.sales_cents";

constexpr const char* kAddDayHours =
    "INSERT INTO day_hours AS t (day, shard, hour, orders, sales_cents)"
    " SELECT d, $1::smallint, h, o, s FROM unnest($2::date[], $3::int2[], $4::int8[], $5::int8[])"
    " AS x(d, h, o, s) ON CONFLICT (day, shard, hour) DO UPDATE SET"
    " orders = t.orders + excluded.orders, sales_cents = t.sales_cents + excluded.sales_cents";

constexpr const char* kAddDayCouriers =
    "INSERT INTO day_couriers AS t (day, shard, courier_id, courier_id_is_number, courier_name,"
    " orders, units, sales_cents, last_seq)"
    " SELECT d, $1::smallint, c, num, n, o, u, s, ls FROM unnest($2::date[], $3::text[],"
    " $4::bool[], $5::text[], $6::int8[], $7::int8[], $8::int8[], $9::int8[])"
    " AS x(d, c, num, n, o, u, s, ls) ON CONFLICT (day, shard, courier_id) DO UPDATE SET"
    " courier_id_is_number = CASE WHEN excluded.last_seq > t.last_seq"
    "   THEN excluded.courier_id_is_number ELSE t.courier_id_is_number END,"
    " courier_name = CASE WHEN excluded.last_seq > t.last_seq"
    "   THEN excluded.courier_name ELSE t.courier_name END,"
    " orders = t.orders + excluded.orders, units = t.units + excluded.units,"
    " sales_cents = t.sales_cents + excluded.sales_cents,"
    " last_seq = greatest(t.last_seq, excluded.last_seq)";

// One statement, so one snapshot: the four tables agree with each other.
// Each kind of row sums the day's shards.
constexpr const char* kDayMetrics =
    "SELECT 0, NULL::text, NULL::text, sum(orders)::int8, sum(units)::int8,"
    "  sum(sales_cents)::int8, NULL::int8 FROM day_totals WHERE day = $1::date"
    "  HAVING count(*) > 0"
    " UNION ALL (SELECT 1, NULL, NULL, last_seq, last_occurred_at, last_received_at, NULL"
    "  FROM day_totals WHERE day = $1::date ORDER BY last_seq DESC LIMIT 1)"
    // $2 and $3 cut the rankings (NULL: all), in DayMetrics::rank()'s order
    // ("C" compares bytes, as std::string does); row 5 counts them whole.
    " UNION ALL (SELECT 2, product_name, NULL, sum(units)::int8, sum(sales_cents)::int8, NULL,"
    "  NULL FROM day_products WHERE day = $1::date GROUP BY product_name"
    "  ORDER BY 4 DESC, 5 DESC, product_name COLLATE \"C\" LIMIT $2::int8)"
    " UNION ALL SELECT 3, hour::text, NULL, sum(orders)::int8, sum(sales_cents)::int8, NULL, NULL"
    "  FROM day_hours WHERE day = $1::date GROUP BY hour"
    " UNION ALL (SELECT 4, courier_id, (array_agg(courier_name ORDER BY last_seq DESC))[1],"
    "  sum(orders)::int8, sum(units)::int8, sum(sales_cents)::int8,"
    "  (array_agg(courier_id_is_number::int ORDER BY last_seq DESC))[1]::int8"
    "  FROM day_couriers WHERE day = $1::date GROUP BY courier_id"
    "  ORDER BY 6 DESC, courier_id COLLATE \"C\" LIMIT $3::int8)"
    " UNION ALL SELECT 5, NULL, NULL,"
    "  (SELECT count(DISTINCT product_name) FROM day_products WHERE day = $1::date),"
    "  (SELECT count(DISTINCT courier_id) FROM day_couriers WHERE day = $1::date), NULL, NULL";

// What read_session reads, in its order.
constexpr std::string_view kSessionColumns =
    "id, username, refresh_hash, previous_hash, token_generation, keep_signed_in, created_at,"
    " last_used_at, expires_at, address, user_agent, revoked";

StoredSession read_session(const pg::Result& rows, std::size_t row) {
  StoredSession session;
  session.id = rows.text(row, 0);
  session.username = rows.text(row, 1);
  session.refresh_hash = rows.text(row, 2);
  session.previous_hash = rows.text(row, 3);
  session.token_generation = rows.integer(row, 4);
  session.keep_signed_in = rows.boolean(row, 5);
  session.created_at = timestamp(rows.integer(row, 6));
  session.last_used_at = timestamp(rows.integer(row, 7));
  session.expires_at = timestamp(rows.integer(row, 8));
  session.address = rows.text(row, 9);
  session.user_agent = rows.text(row, 10);
  session.revoked = rows.boolean(row, 11);
  return session;
}

User read_user(const pg::Result& rows, std::size_t row) {
  User user;
  user.username = rows.text(row, 0);
  user.password_hash = rows.text(row, 1);
  user.role = parse_role(rows.text(row, 2)).value_or(Role::viewer);
  user.disabled = rows.boolean(row, 3);
  user.token_generation = rows.integer(row, 4);
  return user;
}

class MigratedDatabase final : public MigrationDatabase {
 public:
  explicit MigratedDatabase(pg::Connection& db) : db_(db) {}
  void create_schema_migrations() override {
    // Under the lock too: two concurrent CREATE TABLE IF NOT EXISTS can
    // both try to create it.
    begin();
    try {
      db_.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
          " applied_at timestamptz NOT NULL DEFAULT now())");
      commit();
    } catch (...) {
      rollback();
      throw;
    }
  }
  // Instances starting at once apply each migration exactly once: the
  // others wait here, then find it recorded.
  void begin() override {
    db_.exec("BEGIN");
    db_.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
  }
  bool is_applied(int version) override {
    return db_.query("SELECT 1 FROM schema_migrations WHERE version = $1::int",
                     pg::Params().add(std::int64_t{version}))
               .rows() == 1;
  }
  int latest_applied() override {
    return static_cast<int>(
        db_.query("SELECT COALESCE(MAX(version), 0)::bigint FROM schema_migrations", pg::Params())
            .integer(0, 0));
  }
  void execute(std::string_view sql) override { db_.exec(std::string(sql)); }
  void record(int version) override {
    db_.query("INSERT INTO schema_migrations (version) VALUES ($1::int)",
              pg::Params().add(std::int64_t{version}));
  }
  void commit() override { db_.exec("COMMIT"); }
  void rollback() noexcept override {
    try {
      if (db_.in_transaction()) db_.exec("ROLLBACK");
    } catch (const std::exception&) {
      // The connection is gone, and the transaction with it.
    }
  }

 private:
  pg::Connection& db_;
};

}  // namespace

// A pooled connection borrowed for one call.
class PostgresStore::Lease {
 public:
  // Called with store.pool_mutex_ held.
  Lease(PostgresStore& store, std::unique_ptr<pg::Connection> db, bool reused)
      : store_(&store), db_(std::move(db)), reused_(reused) {
    store_->in_use_.push_back(db_.get());
  }
  Lease(Lease&& other) noexcept
      : store_(std::exchange(other.store_, nullptr)),
        db_(std::move(other.db_)),
        reused_(other.reused_) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (store_ == nullptr) return;
    {
      std::lock_guard lock(store_->pool_mutex_);
      --store_->leased_;
      std::erase(store_->in_use_, db_.get());
      if (db_) db_->clear_cancel();  // meant for this lease's statements only
      if (db_ && !db_->in_transaction()) store_->idle_.push_back(std::move(db_));
    }
    store_->pool_returned_.notify_one();
  }
  pg::Connection& operator*() { return *db_; }
  pg::Connection* operator->() { return db_.get(); }
  bool reused() const { return reused_; }
  void discard() {
    std::lock_guard lock(store_->pool_mutex_);
    std::erase(store_->in_use_, db_.get());
    db_.reset();
  }

 private:
  PostgresStore* store_;
  std::unique_ptr<pg::Connection> db_;
  bool reused_;
};

pg::ConnectOptions PostgresStore::connect_options(const char* role) const {
  return pg::ConnectOptions{url_, role};
}

std::unique_ptr<pg::Connection> PostgresStore::connect(const char* role) {
  // After a failed attempt, callers are answered at once for a short while
  // instead of each waiting for its own attempt to fail.
  const auto now = SteadyClock::now().time_since_epoch().count();
  const auto failed = last_connect_failure_.load();
  if (failed != 0 && now - failed < SteadyClock::duration(options_.reconnect_interval).count()) {
    throw StoreUnavailable("PostgreSQL is unreachable; trying again shortly");
  }
  try {
    return std::make_unique<pg::Connection>(connect_options(role));
  } catch (const StoreUnavailable&) {
    last_connect_failure_.store(SteadyClock::now().time_since_epoch().count());
    throw;
  }
}

PostgresStore::PostgresStore(std::string url, const BusinessCalendar& calendar,
                             PostgresStoreOptions options)
    : url_(std::move(url)),
      calendar_(calendar),
      options_(options),
      shard_hint_(static_cast<std::int32_t>(std::random_device{}() % kShards)) {
  auto db = std::make_unique<pg::Connection>(connect_options("cargomon writer"));
  MigratedDatabase migrated(*db);
  run_migrations(kMigrations, migrated);
  const auto schema = db->exec("SELECT coalesce(current_schema(), 'public')");
  // Per schema, so deployments (or tests) sharing a database do not wake
  // each other; channel names are at most 63 bytes.
  channel_ = ("cargomon:" + std::string(schema.text(0, 0))).substr(0, 63);
  writer_db_ = std::move(db);
  writer_ = std::make_unique<BatchWriter>(
      options_.batches, [this](std::vector<PendingOrder>& batch) { commit_batch(batch); });
}

PostgresStore::~PostgresStore() {
  writer_->stop();  // commits what is queued
}

PostgresStore::Lease PostgresStore::lease() {
  std::unique_lock lock(pool_mutex_);
  if (!pool_returned_.wait_for(lock, std::chrono::seconds(5), [&] {
        return !idle_.empty() || leased_ < options_.max_read_connections;
      })) {
    throw StoreUnavailable("every PostgreSQL connection of this instance is busy");
  }
  while (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    if (db->healthy()) {
      ++leased_;
      return Lease(*this, std::move(db), true);
    }
    // Cut while idle (e.g. the server restarted): replace it.
  }
  ++leased_;
  lock.unlock();
  try {
    auto db = connect("cargomon");
    lock.lock();
    return Lease(*this, std::move(db), false);
  } catch (...) {
    if (!lock.owns_lock()) lock.lock();
    --leased_;
    lock.unlock();
    pool_returned_.notify_one();
    throw;
  }
}

template <class Work>
auto PostgresStore::read(Work&& work) {
  for (int attempt = 0;; ++attempt) {
    Lease db = lease();
    try {
      return work(*db);
    } catch (const StoreUnavailable&) {
      const bool cut = !db->healthy();
      if (cut) db.discard();
      if (cut && db.reused() && attempt == 0) continue;
      throw;
    } catch (...) {
      if (db->in_transaction()) db.discard();
      throw;
    }
  }
}

void PostgresStore::register_order(Order order, RegisterDone done) {
  writer_->submit(std::move(order), std::move(done));
}

std::unique_ptr<LiveSubscription> PostgresStore::subscribe(Publish publish) {
  return std::make_unique<OrderRelay>(*this, std::move(publish));
}

pg::Connection* PostgresStore::writer_connection() {
  if (writer_db_ && writer_db_->healthy()) return writer_db_.get();
  if (writer_db_) spdlog::warn("PostgreSQL: the writer's connection was lost; reconnecting");
  writer_db_.reset();
  try {
    writer_db_ = connect("cargomon writer");
    spdlog::info("PostgreSQL: the writer is connected again");
  } catch (const StoreUnavailable& e) {
    if (SteadyClock::now() >= writer_retry_at_) {
      spdlog::warn("{}", e.what());
      writer_retry_at_ = SteadyClock::now() + std::chrono::seconds(10);  // one line per 10 s
    }
    return nullptr;
  }
  return writer_db_.get();
}

void PostgresStore::commit_batch(std::vector<PendingOrder>& batch) {
  const auto fail_all = [&] {
    for (auto& pending : batch) pending.done(RegisterResult{RegisterStatus::unavailable, {}});
  };
  const auto abandon_transaction = [&] {
    // Keep the connection only if it is sound and back out of the transaction.
    try {
      if (writer_db_ && writer_db_->healthy()) {
        if (writer_db_->in_transaction()) writer_db_->exec("ROLLBACK");
        return;
      }
    } catch (const std::exception&) {
      // Fall through: drop it.
    }
    writer_db_.reset();
  };
  std::vector<RegisterResult> results(batch.size());
  for (int attempt = 1;; ++attempt) {
    pg::Connection* db = writer_connection();
    if (db == nullptr) return fail_all();
    try {
      store_batch(*db, batch, results);
      break;
    } catch (const pg::RetryableError& e) {
      abandon_transaction();
      if (attempt < 3) continue;
      spdlog::warn("PostgreSQL: {}", e.what());
      return fail_all();
    } catch (const StoreUnavailable& e) {
      // Not committed, or not known to be: the client retries, and the
      // retry is answered from the store.
      spdlog::warn("PostgreSQL: {}", e.what());
      abandon_transaction();
      return fail_all();
    } catch (const pg::Error& e) {
      abandon_transaction();
      if (batch.size() > 1) {
        // One order the server refuses must not fail the others: store each
        // on its own.
        for (auto& pending : batch) {
          std::vector<PendingOrder> one;
          one.push_back(std::move(pending));
          commit_batch(one);
        }
        return;
      }
      spdlog::error("PostgreSQL refused order {}: {}", batch.front().order.order_id, e.what());
      return fail_all();
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
}

void PostgresStore::store_batch(pg::Connection& db, std::vector<PendingOrder>& batch,
                                std::vector<RegisterResult>& results) {
  // Distinct order ids in sorted order: every instance inserts (and, on a
  // concurrent duplicate, waits for) rows in the same order, so two batches
  // never deadlock. Copies of an id within the batch are compared with the
  // first.
  std::map<std::string, std::vector<std::size_t>> by_id;
  for (std::size_t i = 0; i < batch.size(); ++i) by_id[batch[i].order.order_id].push_back(i);

  db.exec("BEGIN");
  const auto begun =
      db.query(kBeginBatch, pg::Params().add(shard_hint_).add(kShards).add(kShardLockClass));
  std::int64_t shard = shard_hint_;
  if (begun.is_null(0, 1)) {
    // Every shard is taken (more concurrent writers than shards): wait for ours.
    db.query("SELECT pg_advisory_xact_lock($1::int, $2::int)",
             pg::Params().add(kShardLockClass).add(shard));
  } else {
    shard = begun.integer(0, 1);
  }
  shard_hint_ = static_cast<std::int32_t>(shard);  // keep to one shard while it is free

  pg::ArrayLiteral ids, courier_ids, courier_numeric, courier_names, reported, received, occurred,
      days, totals, units;
  for (const auto& [id, indexes] : by_id) {
    const Order& order = batch[indexes.front()].order;
    ids.add(id);
    courier_ids.add(order.courier.id.text);
    courier_numeric.add(order.courier.id.is_number);
    courier_names.add(order.courier.name);
    if (order.reported_at) {
      reported.add(micros(*order.reported_at));
    } else {
      reported.add_null();
    }
    received.add(micros(order.received_at));
    occurred.add(micros(order.occurred_at()));
    days.add(format_business_day(calendar_.day_of(order.occurred_at())));
    totals.add(order.total().cents());
    units.add(order.units());
  }
  const auto inserted = db.query(kInsertOrders, pg::Params()
                                                    .add(ids.str())
                                                    .add(courier_ids.str())
                                                    .add(courier_numeric.str())
                                                    .add(courier_names.str())
                                                    .add(reported.str())
                                                    .add(received.str())
                                                    .add(occurred.str())
                                                    .add(days.str())
                                                    .add(totals.str())
                                                    .add(units.str()));
  std::unordered_map<std::string, std::int64_t> sequence_of;
  for (std::size_t row = 0; row < inserted.rows(); ++row) {
    sequence_of.emplace(std::string(inserted.text(row, 1)), inserted.integer(row, 0));
  }

  const auto answer_copies = [&](const std::vector<std::size_t>& indexes, const Order& stored,
                                 bool first_is_new) {
    for (std::size_t k = 0; k < indexes.size(); ++k) {
      const auto status = k == 0 && first_is_new ? RegisterStatus::stored
                          : stored.same_content(batch[indexes[k]].order)
                              ? RegisterStatus::already_stored
                              : RegisterStatus::conflict;
      results[indexes[k]] = {status, stored};
    }
  };

  pg::ArrayLiteral line_orders, line_numbers, product_ids, product_names, prices, quantities;
  DayTotalsChange change;
  std::map<std::pair<std::string, std::string>, std::int64_t> courier_last;  // (day, id) → seq
  std::int64_t newest = 0;
  pg::ArrayLiteral already_there;
  std::size_t already_there_count = 0;
  for (const auto& [id, indexes] : by_id) {
    const auto found = sequence_of.find(id);
    if (found == sequence_of.end()) {
      already_there.add(id);
      ++already_there_count;
      continue;
    }
    Order stored = batch[indexes.front()].order;
    stored.sequence = found->second;
    newest = std::max(newest, stored.sequence);
    std::int64_t line_no = 0;
    for (const auto& line : stored.lines) {
      line_orders.add(stored.sequence);
      line_numbers.add(line_no++);
      product_ids.add(line.product_id);
      product_names.add(line.product_name);
      prices.add(line.unit_price.cents());
      quantities.add(std::int64_t{line.quantity});
    }
    change.add(stored, calendar_);
    auto& last = courier_last[{format_business_day(calendar_.day_of(stored.occurred_at())),
                               stored.courier.id.text}];
    last = std::max(last, stored.sequence);
    answer_copies(indexes, stored, true);
  }

  if (already_there_count > 0) {
    // Stored before, or by another instance's transaction that committed
    // while this insert waited for it.
    const auto rows = db.query(
        std::string("SELECT ") + kOrderColumns + " FROM orders WHERE order_id = ANY($1::text[])",
        pg::Params().add(already_there.str()));
    auto existing = read_orders(db, rows);
    for (auto& order : existing) {
      const auto& indexes = by_id.at(order.order_id);
      answer_copies(indexes, order, false);
    }
    if (existing.size() != already_there_count) {
      throw StoreUnavailable("an order vanished during its transaction");
    }
  }

  if (newest > 0) {
    db.query(kInsertLines, pg::Params()
                               .add(line_orders.str())
                               .add(line_numbers.str())
                               .add(product_ids.str())
                               .add(product_names.str())
                               .add(prices.str())
                               .add(quantities.str()));
    pg::ArrayLiteral t_day, t_orders, t_units, t_sales, t_seq, t_occurred, t_received;
    pg::ArrayLiteral p_day, p_name, p_units, p_sales;
    pg::ArrayLiteral h_day, h_hour, h_orders, h_sales;
    pg::ArrayLiteral c_day, c_id, c_numeric, c_name, c_orders, c_units, c_sales, c_seq;
    for (const auto& [day, day_totals] : change.days()) {
      t_day.add(day);
      t_orders.add(day_totals.orders);
      t_units.add(day_totals.units);
      t_sales.add(day_totals.sales.cents());
      t_seq.add(day_totals.last_order->sequence);
      t_occurred.add(micros(day_totals.last_order->occurred_at));
      t_received.add(micros(day_totals.last_order->received_at));
      for (const auto& [name, product] : day_totals.products) {
        p_day.add(day);
        p_name.add(name);
        p_units.add(product.units);
        p_sales.add(product.sales.cents());
      }
      for (const auto& [hour, hour_totals] : day_totals.hours) {
        h_day.add(day);
        h_hour.add(std::int64_t{hour});
        h_orders.add(hour_totals.orders);
        h_sales.add(hour_totals.sales.cents());
      }
      for (const auto& [courier_id, courier] : day_totals.couriers) {
        c_day.add(day);
        c_id.add(courier_id);
        c_numeric.add(courier.courier.id.is_number);
        c_name.add(courier.courier.name);
        c_orders.add(courier.orders);
        c_units.add(courier.units);
        c_sales.add(courier.sales.cents());
        c_seq.add(courier_last[{day, courier_id}]);
      }
    }
    db.query(kAddDayTotals, pg::Params()
                                .add(shard)
                                .add(t_day.str())
                                .add(t_orders.str())
                                .add(t_units.str())
                                .add(t_sales.str())
                                .add(t_seq.str())
                                .add(t_occurred.str())
                                .add(t_received.str()));
    db.query(kAddDayProducts, pg::Params()
                                  .add(shard)
                                  .add(p_day.str())
                                  .add(p_name.str())
                                  .add(p_units.str())
                                  .add(p_sales.str()));
    db.query(kAddDayHours, pg::Params()
                               .add(shard)
                               .add(h_day.str())
                               .add(h_hour.str())
                               .add(h_orders.str())
                               .add(h_sales.str()));
    db.query(kAddDayCouriers, pg::Params()
                                  .add(shard)
                                  .add(c_day.str())
                                  .add(c_id.str())
                                  .add(c_numeric.str())
                                  .add(c_name.str())
                                  .add(c_orders.str())
                                  .add(c_units.str())
                                  .add(c_sales.str())
                                  .add(c_seq.str()));
    // Delivered to every listener when (and only if) this commits.
    db.query("SELECT pg_notify($1, $2)", pg::Params().add(channel_).add(newest));
  }
  db.exec("COMMIT");
}

std::vector<Order> PostgresStore::read_orders(pg::Connection& db, const pg::Result& rows) {
  std::vector<Order> orders;
  orders.reserve(rows.rows());
  std::unordered_map<std::int64_t, std::size_t> index_of;
  pg::ArrayLiteral sequences;
  for (std::size_t row = 0; row < rows.rows(); ++row) {
    Order order;
    order.sequence = rows.integer(row, 0);
    order.order_id = rows.text(row, 1);
    order.courier = {{std::string(rows.text(row, 2)), rows.boolean(row, 3)},
                     std::string(rows.text(row, 4))};
    if (!rows.is_null(row, 5)) order.reported_at = timestamp(rows.integer(row, 5));
    order.received_at = timestamp(rows.integer(row, 6));
    index_of.emplace(order.sequence, orders.size());
    sequences.add(order.sequence);
    orders.push_back(std::move(order));
  }
  if (orders.empty()) return orders;
  // Planned for each call: a generic plan made while order_lines was small
  // is a sequential scan that tests every row against the whole array, and it
  // stays until autovacuum next analyzes the table; with hundreds of
  // thousands of lines each page of the relay's catch-up then took seconds.
  const auto lines = db.query_planned_each_time(
      "SELECT order_seq, product_id, product_name, unit_price_cents, quantity FROM order_lines"
      " WHERE order_seq = ANY($1::int8[]) ORDER BY order_seq, line_no",
      pg::Params().add(sequences.str()));
  for (std::size_t row = 0; row < lines.rows(); ++row) {
    auto& order = orders[index_of.at(lines.integer(row, 0))];
    order.lines.push_back({std::string(lines.text(row, 1)), std::string(lines.text(row, 2)),
                           Money::from_cents(lines.integer(row, 3)),
                           static_cast<std::int32_t>(lines.integer(row, 4))});
  }
  return orders;
}

OrderPage PostgresStore::list_orders(const OrderQuery& query) {
  std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders";
  std::vector<std::string> where;
  pg::Params params;
  int index = 1;
  const auto next = [&] { return "$" + std::to_string(index++); };
  if (query.day) {
    where.push_back("business_day = " + next() + "::date");
    params.add(format_business_day(*query.day));
  }
  if (query.courier_id) {
    where.push_back("courier_id = " + next());
    params.add(*query.courier_id);
  }
  if (query.from) {
    where.push_back("occurred_at >= " + next() + "::int8");
    params.add(micros(*query.from));
  }
  if (query.until) {
    where.push_back("occurred_at < " + next() + "::int8");
    params.add(micros(*query.until));
  }
  if (query.after) {
    const auto at = next();
    where.push_back("(occurred_at, seq) < (" + at + "::int8, " + next() + "::int8)");
    params.add(micros(query.after->occurred_at)).add(query.after->sequence);
  }
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY occurred_at DESC, seq DESC LIMIT " + next() + "::int8";
  // One extra row tells whether another page follows.
  params.add(static_cast<std::int64_t>(query.limit + 1));

  OrderPage page;
  page.orders = read([&](pg::Connection& db) { return read_orders(db, db.query(sql, params)); });
  if (page.orders.size() > query.limit) {
    page.orders.pop_back();
    const auto& last = page.orders.back();
    page.next = OrderCursor{last.occurred_at(), last.sequence};
  }
  return page;
}

std::optional<Order> PostgresStore::find_order(const std::string& order_id) {
  auto orders = read([&](pg::Connection& db) {
    return read_orders(
        db, db.query(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE order_id = $1",
                     pg::Params().add(order_id)));
  });
  if (orders.empty()) return std::nullopt;
  return std::move(orders.front());
}

// Sequence values are drawn when a transaction inserts an order, but those
// transactions (on every instance) commit in any order: order 41 may become
// visible after 42, and values consumed by a rolled-back transaction never
// appear at all. A stream that published 42 and later saw 41 would have to
// skip it (event ids must increase), and a client resuming after 42 would
// never get 41. So the stream publishes only up to the settled sequence: the
// highest value S such that every value <= S is committed or never will be.
//
// Computing it exactly, without guessing timeouts:
//  1. M = the sequence's last value. Every value <= M has been handed out.
//  2. R = a transaction id taken now (and committed at once). Each writer
//     takes its transaction id before it draws a sequence value
//     (kBeginBatch), and ids are assigned in increasing order, so every
//     transaction holding a value <= M has an id < R.
//  3. Wait until a new snapshot's xmin (the oldest running transaction id)
//     is > R. Since R has completed, every running id < R is in the
//     snapshot, so then every transaction that could hold a value <= M has
//     ended, and a new snapshot sees each such value committed, or never will.
// (A snapshot's xmax is not a substitute for R: it is the latest *completed*
// id + 1, and a running transaction with a larger id would go unseen.)
// Each step is its own statement, in this order. The wait lasts as long as
// the write transactions in flight at step 2, a few milliseconds; a write
// transaction left open elsewhere on the same server delays live events until
// it ends, but never makes them skip an order.
std::int64_t PostgresStore::settled_sequence() {
  return read([&](pg::Connection& db) {
    const std::int64_t issued =
        db.exec("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM order_sequence")
            .integer(0, 0);
    const std::string horizon(db.exec("SELECT pg_current_xact_id()::text").text(0, 0));
    const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
    auto pause = std::chrono::microseconds(200);
    for (;;) {
      const auto ended = db.query("SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8",
                                  pg::Params().add(horizon));
      if (ended.boolean(0, 0)) return issued;
      if (SteadyClock::now() > deadline) {
        throw StoreUnavailable(
            "a write transaction has been open for more than 5 s; live events wait for it");
      }
      std::this_thread::sleep_for(pause);  // polling the server, bounded by the deadline
      pause = std::min(pause * 2, std::chrono::microseconds(20'000));
    }
  });
}

std::vector<Order> PostgresStore::orders_after(std::int64_t after, std::size_t limit) {
  const std::int64_t settled = settled_sequence();
  if (settled <= after) return {};
  return read([&](pg::Connection& db) {
    return read_orders(
        db, db.query(std::string("SELECT ") + kOrderColumns +
                         " FROM orders WHERE seq > $1::int8 AND seq <= $2::int8"
                         " ORDER BY seq LIMIT $3::int8",
                     pg::Params().add(after).add(settled).add(static_cast<std::int64_t>(limit))));
  });
}

DayMetrics PostgresStore::day_metrics(BusinessDay day) { return read_day_metrics(day, {}); }

DayMetrics PostgresStore::ranked_day_metrics(BusinessDay day, MetricsTop top) {
  return read_day_metrics(day, top);
}

std::vector<DayFigures> PostgresStore::days_figures(BusinessDay first, BusinessDay last) {
  const auto rows = read([&](pg::Connection& db) {
    pg::Params params;
    params.add(format_business_day(first)).add(format_business_day(last));
    // The shards of each day summed: at most N rows a day.
    return db.query(
        "SELECT to_char(day, 'YYYY-MM-DD'), sum(orders)::int8, sum(units)::int8,"
        " sum(sales_cents)::int8 FROM day_totals WHERE day BETWEEN $1::date AND $2::date"
        " GROUP BY day ORDER BY day",
        params);
  });
  std::vector<DayFigures> days;
  for (std::size_t row = 0; row < rows.rows(); ++row) {
    if (const auto day = parse_business_day(rows.text(row, 0))) {
      days.push_back(
          {*day,
           {rows.integer(row, 1), rows.integer(row, 2), Money::from_cents(rows.integer(row, 3))}});
    }
  }
  return days;
}

DayMetrics PostgresStore::read_day_metrics(BusinessDay day, std::optional<MetricsTop> top) {
  DayMetrics metrics;
  metrics.day = day;
  const auto rows = read([&](pg::Connection& db) {
    pg::Params params;
    params.add(format_business_day(day));
    if (top) {
      params.add(static_cast<std::int64_t>(std::min<std::size_t>(top->products, INT64_MAX)));
      params.add(static_cast<std::int64_t>(std::min<std::size_t>(top->couriers, INT64_MAX)));
    } else {
      params.add_null().add_null();
    }
    return db.query(kDayMetrics, params);
  });
  std::optional<std::pair<std::int64_t, std::int64_t>> counts;
  for (std::size_t row = 0; row < rows.rows(); ++row) {
    switch (rows.integer(row, 0)) {
      case 0:
        metrics.orders = rows.integer(row, 3);
        metrics.units = rows.integer(row, 4);
        metrics.sales = Money::from_cents(rows.integer(row, 5));
        break;
      case 1:
        metrics.last_order = LastOrder{rows.integer(row, 3), timestamp(rows.integer(row, 4)),
                                       timestamp(rows.integer(row, 5))};
        break;
      case 2:
        metrics.products.push_back({std::string(rows.text(row, 1)), rows.integer(row, 3),
                                    Money::from_cents(rows.integer(row, 4))});
        break;
      case 3: {
        const auto hour = std::stoi(std::string(rows.text(row, 1)));
        if (hour >= 0 && hour < 24) {
          metrics.hours[static_cast<std::size_t>(hour)] = {rows.integer(row, 3),
                                                           Money::from_cents(rows.integer(row, 4))};
        }
        break;
      }
      case 4:
        metrics.couriers.push_back({{{std::string(rows.text(row, 1)), rows.integer(row, 6) != 0},
                                     std::string(rows.text(row, 2))},
                                    rows.integer(row, 3),
                                    rows.integer(row, 4),
                                    Money::from_cents(rows.integer(row, 5))});
        break;
      case 5:
        counts = {rows.integer(row, 3), rows.integer(row, 4)};
        break;
      default:
        break;
    }
  }
  metrics.rank();
  if (top && counts) std::tie(metrics.product_count, metrics.courier_count) = *counts;
  return metrics;
}

bool PostgresStore::ready() {
  try {
    return read([](pg::Connection& db) { return db.exec("SELECT 1").rows() == 1; });
  } catch (const StoreUnavailable&) {
    return false;
  }
}

void PostgresStore::cancel_reads() {
  std::lock_guard lock(pool_mutex_);
  for (auto* db : in_use_) db->cancel();
}

std::unique_ptr<pg::Connection> PostgresStore::listen() {
  auto db = connect("cargomon listener");
  db->exec("LISTEN " + db->quote_identifier(channel_));
  return db;
}

std::optional<User> PostgresStore::find_user(const std::string& username) {
  return read([&](pg::Connection& db) -> std::optional<User> {
    const auto rows = db.query(
        "SELECT username, password_hash, role, disabled, token_generation FROM users"
        " WHERE username = $1",
        pg::Params().add(username));
    if (rows.rows() == 0) return std::nullopt;
    return read_user(rows, 0);
  });
}

std::vector<User> PostgresStore::list_users() {
  return read([](pg::Connection& db) {
    const auto rows = db.query(
        "SELECT username, password_hash, role, disabled, token_generation FROM users"
        " ORDER BY username");
    std::vector<User> users;
    for (std::size_t row = 0; row < rows.rows(); ++row) users.push_back(read_user(rows, row));
    return users;
  });
}

UserChange PostgresStore::create_user(const User& user) {
  // Not retried on a cut connection: the insert may have happened.
  auto db = lease();
  const auto rows = (*db).query(
      "INSERT INTO users (username, password_hash, role, disabled, token_generation)"
      " VALUES ($1, $2, $3, $4::bool, $5::int8) ON CONFLICT (username) DO NOTHING RETURNING 1",
      pg::Params()
          .add(user.username)
          .add(user.password_hash)
          .add(std::string(to_string(user.role)))
          .add(std::string(user.disabled ? "t" : "f"))
          .add(user.token_generation));
  return rows.rows() == 1 ? UserChange::done : UserChange::already_exists;
}

UserChange PostgresStore::update_user(const User& user) {
  auto db = lease();
  (*db).exec("BEGIN");
  try {
    if (!is_enabled_admin(user)) {
      // Locks every enabled admin's row, in one order (no deadlock between
      // two of these), until this transaction ends. A concurrent change
      // that would remove an admin waits here, then sees this one's result:
      // under READ COMMITTED a row changed meanwhile is checked again
      // against the WHERE clause, so of two demotions of the last two admins
      // (on any instances) the second finds one admin, itself, and refuses.
      const auto admins = (*db).query(
          "SELECT username FROM users WHERE role = 'admin' AND NOT disabled"
          " ORDER BY username FOR UPDATE");
      bool is_one = false;
      for (std::size_t row = 0; row < admins.rows(); ++row) {
        is_one = is_one || admins.text(row, 0) == user.username;
      }
      if (is_one && admins.rows() == 1) {
        (*db).exec("ROLLBACK");
        return UserChange::last_enabled_admin;
      }
    }
    const auto rows = (*db).query(
        "UPDATE users SET password_hash = $1, role = $2, disabled = $3::bool,"
        " token_generation = $4::int8 WHERE username = $5 RETURNING 1",
        pg::Params()
            .add(user.password_hash)
            .add(std::string(to_string(user.role)))
            .add(std::string(user.disabled ? "t" : "f"))
            .add(user.token_generation)
            .add(user.username));
    (*db).exec("COMMIT");
    return rows.rows() == 1 ? UserChange::done : UserChange::not_found;
  } catch (...) {
    try {
      if ((*db).in_transaction()) (*db).exec("ROLLBACK");
    } catch (const StoreUnavailable&) {
      // The connection is gone, and the transaction with it.
    }
    throw;
  }
}

std::size_t PostgresStore::count_users() {
  return read([](pg::Connection& db) {
    return static_cast<std::size_t>(db.exec("SELECT count(*) FROM users").integer(0, 0));
  });
}

void PostgresStore::create_session(const StoredSession& session) {
  auto db = lease();
  (*db).query("INSERT INTO sessions (" + std::string(kSessionColumns) +
                  ") VALUES ($1, $2, $3, $4, $5::int8, $6::bool, $7::int8, $8::int8, $9::int8,"
                  " $10, $11, $12::bool)",
              pg::Params()
                  .add(session.id)
                  .add(session.username)
                  .add(session.refresh_hash)
                  .add(session.previous_hash)
                  .add(session.token_generation)
                  .add(std::string(session.keep_signed_in ? "t" : "f"))
                  .add(micros(session.created_at))
                  .add(micros(session.last_used_at))
                  .add(micros(session.expires_at))
                  .add(session.address)
                  .add(session.user_agent)
                  .add(std::string(session.revoked ? "t" : "f")));
}

std::optional<StoredSession> PostgresStore::find_session(const std::string& id) {
  return read([&](pg::Connection& db) -> std::optional<StoredSession> {
    const auto rows =
        db.query("SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE id = $1",
                 pg::Params().add(id));
    if (rows.rows() == 0) return std::nullopt;
    return read_session(rows, 0);
  });
}

RotationOutcome PostgresStore::rotate_session(const SessionRotation& rotation) {
  auto db = lease();
  (*db).exec("BEGIN");
  try {
    // The row lock makes a second renewal with the same secret wait, then
    // read the rotated row and see the secret is no longer current.
    const auto rows = (*db).query(
        "SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE id = $1 FOR UPDATE",
        pg::Params().add(rotation.id));
    if (rows.rows() == 0) {
      (*db).exec("ROLLBACK");
      return RotationOutcome::gone;
    }
    auto session = read_session(rows, 0);
    const auto outcome = decide_rotation(session, rotation);
    if (outcome == RotationOutcome::rotated) {
      apply_rotation(session, rotation);
      (*db).query(
          "UPDATE sessions SET refresh_hash = $1, previous_hash = $2, last_used_at = $3::int8,"
          " expires_at = $4::int8, address = $5 WHERE id = $6",
          pg::Params()
              .add(session.refresh_hash)
              .add(session.previous_hash)
              .add(micros(session.last_used_at))
              .add(micros(session.expires_at))
              .add(session.address)
              .add(session.id));
    } else if (outcome == RotationOutcome::reused) {
      (*db).query("UPDATE sessions SET revoked = true WHERE id = $1", pg::Params().add(session.id));
    }
    (*db).exec("COMMIT");
    return outcome;
  } catch (...) {
    try {
      if ((*db).in_transaction()) (*db).exec("ROLLBACK");
    } catch (const StoreUnavailable&) {
      // The connection is gone, and the transaction with it.
    }
    throw;
  }
}

std::vector<StoredSession> PostgresStore::list_sessions(const std::string& username, Timestamp now,
                                                        std::size_t limit) {
  return read([&](pg::Connection& db) {
    const auto rows = db.query(
        "SELECT " + std::string(kSessionColumns) +
            " FROM sessions WHERE NOT revoked AND expires_at > $1::int8"
            " AND ($2 = '' OR username = $2) ORDER BY last_used_at DESC, id LIMIT $3::int8",
        pg::Params().add(micros(now)).add(username).add(static_cast<std::int64_t>(limit)));
    std::vector<StoredSession> sessions;
    for (std::size_t row = 0; row < rows.rows(); ++row) {
      sessions.push_back(read_session(rows, row));
    }
    return sessions;
  });
}

bool PostgresStore::revoke_session(const std::string& id, Timestamp now) {
  auto db = lease();
  const auto rows = (*db).query(
      "UPDATE sessions SET revoked = true WHERE id = $1 AND NOT revoked AND expires_at > $2::int8"
      " RETURNING 1",
      pg::Params().add(id).add(micros(now)));
  return rows.rows() == 1;
}

std::size_t PostgresStore::prune_sessions(Timestamp now, std::size_t limit) {
  auto db = lease();
  const auto rows = (*db).query(
      "DELETE FROM sessions WHERE id IN"
      " (SELECT id FROM sessions WHERE expires_at <= $1::int8 LIMIT $2::int8) RETURNING 1",
      pg::Params().add(micros(now)).add(static_cast<std::int64_t>(limit)));
  return rows.rows();
}

}  // namespace cargomon

// Webhooks (storage/webhook_store.hpp), in the tables of migration 005.
namespace cargomon {
namespace {

constexpr std::int64_t kWebhookEventsLock = 0x63676d6e77686b;  // "cgmnwhk"

constexpr std::string_view kEndpointColumns =
    "id, url, description, events, secret, disabled, created_at";

WebhookEndpoint read_endpoint(const pg::Result& rows, std::size_t row) {
  WebhookEndpoint endpoint;
  endpoint.id = std::string(rows.text(row, 0));
  endpoint.url = std::string(rows.text(row, 1));
  endpoint.description = std::string(rows.text(row, 2));
  endpoint.events = split_events(rows.text(row, 3));
  endpoint.secret = std::string(rows.text(row, 4));
  endpoint.disabled = rows.boolean(row, 5);
  endpoint.created_at = timestamp(rows.integer(row, 6));
  return endpoint;
}

std::optional<std::string> micros_text(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return std::to_string(micros(*t));
}

std::optional<Timestamp> optional_timestamp(const pg::Result& rows, std::size_t row, int column) {
  if (rows.is_null(row, column)) return std::nullopt;
  return timestamp(rows.integer(row, column));
}

// Runs `work` in a transaction on `db`, committed when it returns true.
template <class Work>
bool in_transaction(pg::Connection& db, Work&& work) {
  db.exec("BEGIN");
  try {
    const bool commit = work();
    db.exec(commit ? "COMMIT" : "ROLLBACK");
    return commit;
  } catch (...) {
    try {
      if (db.in_transaction()) db.exec("ROLLBACK");
    } catch (const StoreUnavailable&) {
      // The connection is gone, and the transaction with it.
    }
    throw;
  }
}

}  // namespace

bool PostgresStore::create_webhook(const WebhookEndpoint& endpoint) {
  // The orders' end that no later commit can pass under (see orders_after).
  const auto settled = settled_sequence();
  auto db = lease();
  return in_transaction(*db, [&] {
    // Serializes creations, so the count holds until commit.
    (*db).exec("LOCK TABLE webhook_endpoints IN SHARE ROW EXCLUSIVE MODE");
    const auto count = (*db).exec("SELECT count(*) FROM webhook_endpoints").integer(0, 0);
    if (static_cast<std::size_t>(count) >= kMaxWebhookEndpoints) return false;
    const auto inserted = (*db).query(
        "INSERT INTO webhook_endpoints (id, url, description, events, secret, disabled,"
        " created_at) VALUES ($1, $2, $3, $4, $5, $6::bool, $7::int8)"
        " ON CONFLICT (id) DO NOTHING RETURNING 1",
        pg::Params()
            .add(endpoint.id)
            .add(endpoint.url)
            .add(endpoint.description)
            .add(join_events(endpoint.events))
            .add(endpoint.secret)
            .add(std::string(endpoint.disabled ? "t" : "f"))
            .add(micros(endpoint.created_at)));
    if (inserted.rows() != 1) return false;
    (*db).query("INSERT INTO webhook_progress (endpoint_id, log, done) VALUES ($1, 0, $2::int8)",
                pg::Params().add(endpoint.id).add(settled));
    (*db).query(
        "INSERT INTO webhook_progress (endpoint_id, log, done)"
        " SELECT $1, 1, coalesce(max(position), 0) FROM webhook_events",
        pg::Params().add(endpoint.id));
    return true;
  });
}

std::vector<WebhookEndpoint> PostgresStore::list_webhooks() {
  return read([](pg::Connection& db) {
    const auto rows =
        db.exec("SELECT " + std::string(kEndpointColumns) + " FROM webhook_endpoints ORDER BY id");
    std::vector<WebhookEndpoint> endpoints;
    for (std::size_t row = 0; row < rows.rows(); ++row) {
      endpoints.push_back(read_endpoint(rows, row));
    }
    return endpoints;
  });
}

std::optional<WebhookEndpoint> PostgresStore::find_webhook(const std::string& id) {
  return read([&](pg::Connection& db) -> std::optional<WebhookEndpoint> {
    const auto rows = db.query(
        "SELECT " + std::string(kEndpointColumns) + " FROM webhook_endpoints WHERE id = $1",
        pg::Params().add(id));
    if (rows.rows() == 0) return std::nullopt;
    return read_endpoint(rows, 0);
  });
}

bool PostgresStore::update_webhook(const WebhookEndpoint& endpoint) {
  auto db = lease();
  return (*db)
             .query(
                 "UPDATE webhook_endpoints SET url = $1, description = $2, events = $3,"
                 " disabled = $4::bool WHERE id = $5 RETURNING 1",
                 pg::Params()
                     .add(endpoint.url)
                     .add(endpoint.description)
                     .add(join_events(endpoint.events))
                     .add(std::string(endpoint.disabled ? "t" : "f"))
                     .add(endpoint.id))
             .rows() == 1;
}

bool PostgresStore::delete_webhook(const std::string& id) {
  // Its progress and parked deliveries go by ON DELETE CASCADE.
  auto db = lease();
  return (*db)
             .query("DELETE FROM webhook_endpoints WHERE id = $1 RETURNING 1", pg::Params().add(id))
             .rows() == 1;
}

std::optional<WebhookProgress> PostgresStore::webhook_progress(const std::string& id,
                                                               WebhookLog log) {
  return read([&](pg::Connection& db) -> std::optional<WebhookProgress> {
    const auto rows = db.query(
        "SELECT done, failures, failing_since, next_attempt FROM webhook_progress"
        " WHERE endpoint_id = $1 AND log = $2::int4",
        pg::Params().add(id).add(static_cast<std::int64_t>(log)));
    if (rows.rows() == 0) return std::nullopt;
    return WebhookProgress{rows.integer(0, 0), static_cast<int>(rows.integer(0, 1)),
                           optional_timestamp(rows, 0, 2), optional_timestamp(rows, 0, 3)};
  });
}

bool PostgresStore::save_webhook_progress(const std::string& id, WebhookLog log,
                                          const WebhookProgress& progress,
                                          const std::optional<ParkedDelivery>& parked) {
  auto db = lease();
  return in_transaction(*db, [&] {
    const auto updated = (*db).query(
        "UPDATE webhook_progress SET done = $1::int8, failures = $2::int4,"
        " failing_since = $3::int8, next_attempt = $4::int8"
        " WHERE endpoint_id = $5 AND log = $6::int4 RETURNING 1",
        pg::Params()
            .add(progress.done)
            .add(std::int64_t{progress.failures})
            .add(micros_text(progress.failing_since))
            .add(micros_text(progress.next_attempt))
            .add(id)
            .add(static_cast<std::int64_t>(log)));
    if (updated.rows() != 1) return false;
    if (!parked) return true;
    (*db).query(
        "INSERT INTO webhook_parked (endpoint_id, delivery_id, payload, attempts, last_error,"
        " parked_at) VALUES ($1, $2, $3, $4::int4, $5, $6::int8)"
        " ON CONFLICT (endpoint_id, delivery_id) DO UPDATE SET payload = excluded.payload,"
        " attempts = excluded.attempts, last_error = excluded.last_error,"
        " parked_at = excluded.parked_at, replay_requested = false",
        pg::Params()
            .add(id)
            .add(parked->delivery_id)
            .add(parked->payload)
            .add(std::int64_t{parked->attempts})
            .add(parked->last_error)
            .add(micros(parked->parked_at)));
    (*db).query(
        "DELETE FROM webhook_parked WHERE endpoint_id = $1 AND id NOT IN"
        " (SELECT id FROM webhook_parked WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2::int8)",
        pg::Params().add(id).add(static_cast<std::int64_t>(kMaxParkedDeliveries)));
    return true;
  });
}

std::int64_t PostgresStore::enqueue_webhook_event(const QueuedWebhookEvent& event) {
  auto db = lease();
  std::int64_t position = 0;
  in_transaction(*db, [&] {
    // Held until commit: positions commit in the order they are taken.
    (*db).exec("SELECT pg_advisory_xact_lock(" + std::to_string(kWebhookEventsLock) + ")");
    position = (*db)
                   .query(
                       "INSERT INTO webhook_events (type, data, occurred_at)"
                       " VALUES ($1, $2, $3::int8) RETURNING position",
                       pg::Params()
                           .add(std::string(to_string(event.type)))
                           .add(event.data)
                           .add(micros(event.occurred_at)))
                   .integer(0, 0);
    return true;
  });
  return position;
}

std::vector<QueuedWebhookEvent> PostgresStore::webhook_events_after(std::int64_t after,
                                                                    std::size_t limit) {
  return read([&](pg::Connection& db) {
    const auto rows = db.query(
        "SELECT position, type, data, occurred_at FROM webhook_events"
        " WHERE position > $1::int8 ORDER BY position LIMIT $2::int8",
        pg::Params().add(after).add(static_cast<std::int64_t>(limit)));
    std::vector<QueuedWebhookEvent> events;
    for (std::size_t row = 0; row < rows.rows(); ++row) {
      events.push_back({rows.integer(row, 0),
                        parse_webhook_event(rows.text(row, 1)).value_or(WebhookEvent::alert_opened),
                        std::string(rows.text(row, 2)), timestamp(rows.integer(row, 3))});
    }
    return events;
  });
}

std::vector<ParkedDelivery> PostgresStore::parked_deliveries(const std::string& id,
                                                             std::size_t limit) {
  return read_parked(id, limit, false);
}

std::vector<ParkedDelivery> PostgresStore::replays_requested(const std::string& id,
                                                             std::size_t limit) {
  return read_parked(id, limit, true);
}

std::vector<ParkedDelivery> PostgresStore::read_parked(const std::string& id, std::size_t limit,
                                                       bool only_requested) {
  return read([&](pg::Connection& db) {
    const auto rows = db.query(
        "SELECT endpoint_id, delivery_id, payload, attempts, last_error, parked_at,"
        " replay_requested FROM webhook_parked WHERE endpoint_id = $1"
        " AND (replay_requested OR NOT $3::bool) ORDER BY id LIMIT $2::int8",
        pg::Params()
            .add(id)
            .add(static_cast<std::int64_t>(limit))
            .add(std::string(only_requested ? "t" : "f")));
    std::vector<ParkedDelivery> parked;
    for (std::size_t row = 0; row < rows.rows(); ++row) {
      parked.push_back({std::string(rows.text(row, 0)), std::string(rows.text(row, 1)),
                        std::string(rows.text(row, 2)), static_cast<int>(rows.integer(row, 3)),
                        std::string(rows.text(row, 4)), timestamp(rows.integer(row, 5)),
                        rows.boolean(row, 6)});
    }
    return parked;
  });
}

bool PostgresStore::request_replay(const std::string& id, const std::string& delivery_id) {
  auto db = lease();
  return (*db)
             .query(
                 "UPDATE webhook_parked SET replay_requested = true"
                 " WHERE endpoint_id = $1 AND delivery_id = $2 RETURNING 1",
                 pg::Params().add(id).add(delivery_id))
             .rows() == 1;
}

void PostgresStore::finish_replay(const std::string& id, const std::string& delivery_id,
                                  bool delivered, const std::string& error) {
  auto db = lease();
  if (delivered) {
    (*db).query("DELETE FROM webhook_parked WHERE endpoint_id = $1 AND delivery_id = $2",
                pg::Params().add(id).add(delivery_id));
    return;
  }
  (*db).query(
      "UPDATE webhook_parked SET replay_requested = false, attempts = attempts + 1,"
      " last_error = $1 WHERE endpoint_id = $2 AND delivery_id = $3",
      pg::Params().add(error).add(id).add(delivery_id));
}

bool PostgresStore::lease_webhook(const std::string& id, const std::string& holder, Timestamp now,
                                  Timestamp until) {
  auto db = lease();
  // One statement: the check and the take are one atomic write (a
  // concurrent one waits for the row and checks again).
  return (*db)
             .query(
                 "UPDATE webhook_endpoints SET lease_holder = $1, lease_until = $2::int8"
                 " WHERE id = $3 AND (lease_holder = $1 OR lease_holder = ''"
                 " OR lease_until <= $4::int8) RETURNING 1",
                 pg::Params().add(holder).add(micros(until)).add(id).add(micros(now)))
             .rows() == 1;
}

void PostgresStore::append_audit(const AuditEntry& entry) {
  // Retried on a cut connection: an entry stored twice is kept once.
  read([&](pg::Connection& db) {
    db.query(
        "INSERT INTO audit (at, id, action, actor, address, subject, detail)"
        " VALUES ($1::int8, $2, $3, $4, $5, $6, $7) ON CONFLICT (at, id) DO NOTHING",
        pg::Params()
            .add(micros(entry.at))
            .add(entry.id)
            .add(entry.action)
            .add(entry.actor)
            .add(entry.address)
            .add(entry.subject)
            .add(encode_audit_detail(entry.detail)));
    return 0;
  });
}

AuditPage PostgresStore::list_audit(const AuditQuery& query) {
  std::string sql = "SELECT at, id, action, actor, address, subject, detail FROM audit";
  std::vector<std::string> where;
  pg::Params params;
  int index = 1;
  const auto next = [&] { return "$" + std::to_string(index++); };
  if (query.action) {
    where.push_back("action = " + next());
    params.add(*query.action);
  }
  if (query.actor) {
    where.push_back("actor = " + next());
    params.add(*query.actor);
  }
  if (query.from) {
    where.push_back("at >= " + next() + "::int8");
    params.add(micros(*query.from));
  }
  if (query.until) {
    where.push_back("at < " + next() + "::int8");
    params.add(micros(*query.until));
  }
  if (query.after) {
    const auto at = next();
    where.push_back("(at, id) < (" + at + "::int8, " + next() + "::text)");
    params.add(micros(query.after->at)).add(query.after->id);
  }
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY at DESC, id DESC LIMIT " + next() + "::int8";
  params.add(static_cast<std::int64_t>(query.limit + 1));

  AuditPage page;
  page.entries = read([&](pg::Connection& db) {
    const auto rows = db.query(sql, params);
    std::vector<AuditEntry> entries;
    for (std::size_t row = 0; row < rows.rows(); ++row) {
      entries.push_back({std::string(rows.text(row, 1)),
                         Timestamp(std::chrono::microseconds(rows.integer(row, 0))),
                         std::string(rows.text(row, 2)), std::string(rows.text(row, 3)),
                         std::string(rows.text(row, 4)), std::string(rows.text(row, 5)),
                         decode_audit_detail(rows.text(row, 6))});
    }
    return entries;
  });
  if (page.entries.size() > query.limit) {
    page.entries.pop_back();
    if (!page.entries.empty())
      page.next = AuditCursor{page.entries.back().at, page.entries.back().id};
  }
  return page;
}

std::size_t PostgresStore::prune_audit(Timestamp before, std::size_t max) {
  return read([&](pg::Connection& db) {
    const auto rows = db.query(
        "DELETE FROM audit WHERE (at, id) IN"
        " (SELECT at, id FROM audit WHERE at < $1::int8 ORDER BY at LIMIT $2::int8)"
        " RETURNING 1",
        pg::Params().add(micros(before)).add(static_cast<std::int64_t>(max)));
    return rows.rows();
  });
}

}  // namespace cargomon
