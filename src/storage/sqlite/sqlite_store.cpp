#include "storage/sqlite/sqlite_store.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <utility>

namespace cargomon {
namespace {

using std::chrono::microseconds;

std::int64_t micros(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp timestamp(std::int64_t us) { return Timestamp{microseconds{us}}; }

constexpr const char* kOrderColumns =
    "seq, order_id, courier_id, courier_id_is_number, courier_name, reported_at, received_at,"
    " lines";

// An order's lines as stored in orders.lines (migration 002): a JSON array of
// [product_id, product_name, unit_price_cents, quantity], written and read
// with Boost.JSON as SQLite's json_array() wrote them in the migration.
std::string encode_lines(const std::vector<OrderLine>& lines) {
  unsigned char buffer[4096];
  boost::json::monotonic_resource memory(buffer);
  boost::json::array out(&memory);
  out.reserve(lines.size());
  for (const auto& line : lines) {
    out.push_back(boost::json::array{boost::json::string_view(line.product_id),
                                     boost::json::string_view(line.product_name),
                                     line.unit_price.cents(), line.quantity});
  }
  return boost::json::serialize(out);
}

std::vector<OrderLine> decode_lines(std::string_view text) {
  // Orders of a few lines parse without touching the heap for the tree.
  unsigned char buffer[4096];
  boost::json::monotonic_resource memory(buffer);
  boost::system::error_code error;
  const auto value = boost::json::parse(text, error, &memory);
  const auto corrupt = [] {
    return StoreUnavailable("an order's lines in the database are corrupt");
  };
  if (error || !value.is_array()) throw corrupt();
  std::vector<OrderLine> lines;
  lines.reserve(value.get_array().size());
  for (const auto& item : value.get_array()) {
    const auto* fields = item.if_array();
    if (fields == nullptr || fields->size() != 4 || !(*fields)[0].is_string() ||
        !(*fields)[1].is_string() || !(*fields)[2].is_int64() || !(*fields)[3].is_int64()) {
      throw corrupt();
    }
    lines.push_back({std::string((*fields)[0].get_string()), std::string((*fields)[1].get_string()),
                     Money::from_cents((*fields)[2].get_int64()),
                     static_cast<std::int32_t>((*fields)[3].get_int64())});
  }
  return lines;
}

// Reads every row of `rows` (columns as kOrderColumns).
std::vector<Order> read_orders(sqlite::Statement& rows) {
  std::vector<Order> orders;
  while (rows.step()) {
    Order order;
    order.sequence = rows.integer(0);
    order.order_id = rows.text(1);
    order.courier = {{rows.text(2), rows.integer(3) != 0}, rows.text(4)};
    if (!rows.is_null(5)) order.reported_at = timestamp(rows.integer(5));
    order.received_at = timestamp(rows.integer(6));
    order.lines = decode_lines(rows.text_view(7));
    orders.push_back(std::move(order));
  }
  return orders;
}

// What read_user reads, in its order.
constexpr std::string_view kUserColumns =
    "username, password_hash, role, disabled, token_generation";

User read_user(const sqlite::Statement& row) {
  User user;
  user.username = row.text(0);
  user.password_hash = row.text(1);
  user.role = parse_role(row.text(2)).value_or(Role::viewer);
  user.disabled = row.integer(3) != 0;
  user.token_generation = row.integer(4);
  return user;
}

// What read_session reads, in its order.
constexpr std::string_view kSessionColumns =
    "id, username, refresh_hash, previous_hash, token_generation, keep_signed_in, created_at,"
    " last_used_at, expires_at, address, user_agent, revoked";

StoredSession read_session(const sqlite::Statement& row) {
  StoredSession session;
  session.id = row.text(0);
  session.username = row.text(1);
  session.refresh_hash = row.text(2);
  session.previous_hash = row.text(3);
  session.token_generation = row.integer(4);
  session.keep_signed_in = row.integer(5) != 0;
  session.created_at = timestamp(row.integer(6));
  session.last_used_at = timestamp(row.integer(7));
  session.expires_at = timestamp(row.integer(8));
  session.address = row.text(9);
  session.user_agent = row.text(10);
  session.revoked = row.integer(11) != 0;
  return session;
}

UserChange update_user_in_transaction(sqlite::Connection& db, const User& user) {
  auto current = db.prepare("SELECT role = 'admin' AND disabled = 0 FROM users WHERE username = ?");
  current.bind(1, user.username);
  if (!current.step()) return UserChange::not_found;
  const bool was_enabled_admin = current.integer(0) != 0;
  current.reset();
  if (was_enabled_admin && !is_enabled_admin(user)) {
    auto others = db.prepare(
        "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND username <> ?");
    others.bind(1, user.username);
    others.step();
    const auto count = others.integer(0);
    others.reset();
    if (count == 0) return UserChange::last_enabled_admin;
  }
  db.prepare(
        "UPDATE users SET password_hash = ?, role = ?, disabled = ?, token_generation = ?"
        " WHERE username = ?")
      .bind(1, user.password_hash)
      .bind(2, to_string(user.role))
      .bind(3, std::int64_t{user.disabled})
      .bind(4, user.token_generation)
      .bind(5, user.username)
      .run();
  return UserChange::done;
}

// Every order and password hash is in the database and its -wal and -shm
// files: owner-only, whatever the umask. SQLite gives -wal and -shm the mode
// of the database file, so creating that one 0600 covers them; files left
// by an older version (0644) are tightened, and the log says so.
void make_owner_only(const std::filesystem::path& database) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string path = database.string() + suffix;
    const bool main_file = *suffix == '\0';
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (main_file ? O_CREAT : 0), 0600);
    if (fd < 0) {
      if (errno == ENOENT) continue;  // SQLite creates it from the database's mode
      throw StoreUnavailable("cannot open " + path + ": " + std::strerror(errno));
    }
    struct stat info {};
    if (::fstat(fd, &info) == 0 && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      if (::fchmod(fd, 0600) == 0) {
        spdlog::warn("{} was readable by other local users (mode {:04o}); it is now 0600", path,
                     info.st_mode & 07777U);
      } else {
        spdlog::error(
            "{} is readable by other local users (mode {:04o}) and cannot be made "
            "0600: {}",
            path, info.st_mode & 07777U, std::strerror(errno));
      }
    }
    ::close(fd);
  }
}

}  // namespace

// A read connection borrowed from the pool for one call.
class SqliteStore::ReadLease {
 public:
  ReadLease(SqliteStore& store, std::unique_ptr<sqlite::Connection> db)
      : store_(store), db_(std::move(db)) {}
  ReadLease(ReadLease&&) = default;
  ~ReadLease() {
    if (!db_) return;
    std::lock_guard lock(store_.pool_mutex_);
    store_.idle_readers_.push_back(std::move(db_));
  }
  sqlite::Connection& operator*() { return *db_; }
  sqlite::Connection* operator->() { return db_.get(); }

 private:
  SqliteStore& store_;
  std::unique_ptr<sqlite::Connection> db_;
};

SqliteStore::SqliteStore(std::filesystem::path path, const BusinessCalendar& calendar,
                         SqliteStoreOptions options)
    : path_(std::move(path)), calendar_(calendar), options_(options) {
  make_owner_only(path_);
  writer_db_ = std::make_unique<sqlite::Connection>(path_);
  sqlite::migrate(*writer_db_);
  struct stat opened {};
  if (::stat(path_.c_str(), &opened) == 0) database_identity_ = {opened.st_dev, opened.st_ino};
  writer_db_->exec("PRAGMA cache_size=-" + std::to_string(options_.writer_cache_kib));
  writer_db_->exec("PRAGMA wal_autocheckpoint=0");
  // The syncer makes each commit durable before it is acknowledged (see
  // sync_loop), so the commit itself need not wait for the disk.
  writer_db_->exec("PRAGMA synchronous=NORMAL");
  // Bounds the log on disk once a checkpoint has let it start over.
  writer_db_->exec("PRAGMA journal_size_limit=" + std::to_string(64 << 20));
  writer_db_->on_commit([this](int frames) {
    if (frames < options_.checkpoint_frames) return;
    if (frames >= 8 * options_.checkpoint_frames) {
      // Under sustained load new frames arrive while the checkpointer works,
      // so the log might never be fully copied and start over: the writer
      // then copies it itself, between two batches, and the next batch
      // starts the log over.
      writer_db_->checkpoint();
      return;
    }
    {
      std::lock_guard lock(checkpoint_mutex_);
      checkpoint_wanted_ = true;
    }
    checkpoint_ready_.notify_one();
  });
  checkpointer_ = std::thread([this] { checkpoint_loop(); });
  syncer_ = std::thread([this] { sync_loop(); });
  writer_ = std::make_unique<BatchWriter>(
      options_.batches, [this](std::vector<PendingOrder>& batch) { commit_batch(batch); });
}

SqliteStore::~SqliteStore() {
  writer_->stop();  // commits what is queued, and hands it to the syncer
  {
    std::lock_guard lock(sync_mutex_);
    sync_stopping_ = true;
  }
  sync_ready_.notify_one();
  syncer_.join();
  if (wal_fd_ >= 0) ::close(wal_fd_);
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stopping_ = true;
  }
  checkpoint_ready_.notify_one();
  checkpointer_.join();
}

void SqliteStore::checkpoint_loop() {
  std::unique_ptr<sqlite::Connection> db;
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      checkpoint_ready_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_stopping_; });
      if (checkpoint_stopping_) return;
      checkpoint_wanted_ = false;
    }
    try {
      if (!db) db = std::make_unique<sqlite::Connection>(path_);
      db->checkpoint();
    } catch (const StoreUnavailable&) {
      // A full disk, say: the log keeps growing and the next commit asks again.
      db.reset();
    }
  }
}

SqliteStore::ReadLease SqliteStore::read() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_readers_.empty()) {
      auto db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReadLease(*this, std::move(db));
    }
  }
  // Connections are created on demand: at most one per concurrent reader
  // thread, which the server bounds.
  return ReadLease(*this, std::make_unique<sqlite::Connection>(path_));
}

void SqliteStore::sync_loop() {
  std::vector<Committed> committed;
  for (;;) {
    {
      std::unique_lock lock(sync_mutex_);
      sync_ready_.wait(lock, [&] { return !to_sync_.empty() || sync_stopping_; });
      if (to_sync_.empty()) return;  // stopping, and everything committed is answered
      committed.swap(to_sync_);
    }
    bool durable = false;
    if (wal_fd_ < 0) wal_fd_ = ::open((path_.string() + "-wal").c_str(), O_RDWR | O_CLOEXEC);
    if (wal_fd_ >= 0) {
      const auto started = std::chrono::steady_clock::now();
      durable = options_.sync_log(wal_fd_) == 0;
      if (auto* observer = options_.batches.observer) {
        const int sync_errno = errno;  // for the message below
        observer->log_synced(std::chrono::steady_clock::now() - started, durable);
        errno = sync_errno;
      }
    } else if (auto* observer = options_.batches.observer) {
      const int open_errno = errno;
      observer->log_synced({}, false);
      errno = open_errno;
    }
    // Why nothing more can be acknowledged, if so. A failed fsync: the
    // kernel may have dropped the pages it could not write, so what the
    // database shows can no longer be trusted to be on disk. A deleted or
    // replaced file: SQLite goes on writing where no path leads any more,
    // and every order from now on would vanish at the next start. Either
    // way acknowledgements stop (as PostgreSQL does) until an operator
    // restarts.
    std::string failure;
    if (!durable) {
      failure =
          fmt::format("cannot make the database's write-ahead log durable ({}: {}); check the disk",
                      wal_fd_ < 0 ? "open" : "fdatasync", std::strerror(errno));
    } else if (database_gone()) {
      failure = fmt::format(
          "the database file {} was deleted or replaced while cargomon runs; restore the data "
          "directory (or its backup)",
          path_.string());
      durable = false;
    }
    if (!failure.empty()) {
      bool first = false;
      {
        const std::lock_guard lock(sync_mutex_);
        first = !std::exchange(sync_failed_, true);
      }
      if (first) {
        spdlog::critical(
            "{}: every order from now on is refused (503) and /readyz fails until cargomon is "
            "restarted",
            failure);
      }
    }
    for (auto& [batch, results] : committed) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i].done(durable ? std::move(results[i])
                              : RegisterResult{RegisterStatus::unavailable, {}});
      }
    }
    committed.clear();
  }
}

bool SqliteStore::database_gone() const {
  // One stat and one fstat per synced batch: microseconds, against a
  // millisecond fdatasync.
  struct stat now {};
  if (::stat(path_.c_str(), &now) != 0) return true;
  if (database_identity_ && *database_identity_ != std::pair(now.st_dev, now.st_ino)) return true;
  struct stat log {};
  return ::fstat(wal_fd_, &log) == 0 && log.st_nlink == 0;
}

void SqliteStore::register_order(Order order, RegisterDone done) {
  bool failed = false;
  {
    const std::lock_guard lock(sync_mutex_);
    failed = sync_failed_;
  }
  if (failed) return done(RegisterResult{RegisterStatus::unavailable, {}});
  writer_->submit(std::move(order), std::move(done));
}

void SqliteStore::commit_batch(std::vector<PendingOrder>& batch) {
  auto& db = *writer_db_;
  std::vector<RegisterResult> results(batch.size());
  try {
    db.exec("BEGIN IMMEDIATE");
    DayTotalsChange change;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Order& order = batch[i].order;
      auto insert = db.prepare(
          "INSERT INTO orders (order_id, courier_id, courier_id_is_number, courier_name,"
          " reported_at, received_at, occurred_at, business_day, total_cents, units, lines)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING");
      insert.bind(1, order.order_id)
          .bind(2, order.courier.id.text)
          .bind(3, std::int64_t{order.courier.id.is_number})
          .bind(4, order.courier.name)
          .bind(5, order.reported_at ? std::optional<std::int64_t>(micros(*order.reported_at))
                                     : std::nullopt)
          .bind(6, micros(order.received_at))
          .bind(7, micros(order.occurred_at()))
          .bind(8, format_business_day(calendar_.day_of(order.occurred_at())))
          .bind(9, order.total().cents())
          .bind(10, order.units())
          .bind(11, encode_lines(order.lines));
      // Not RETURNING: SQLite buffers returned rows in a temporary table,
      // which cost more than asking for the rowid.
      insert.run();
      if (db.changes() == 1) {
        order.sequence = db.last_insert_rowid();
        change.add(order, calendar_);
        results[i] = {RegisterStatus::stored, std::move(order)};
      } else {
        auto existing =
            db.prepare(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE order_id = ?");
        existing.bind(1, order.order_id);
        auto found = read_orders(existing);
        if (found.empty()) throw StoreUnavailable("order vanished during its transaction");
        Order stored = std::move(found.front());
        const auto status =
            stored.same_content(order) ? RegisterStatus::already_stored : RegisterStatus::conflict;
        results[i] = {status, std::move(stored)};
      }
    }
    for (const auto& [day, totals] : change.days()) {
      db.prepare(
            "INSERT INTO day_totals (day, orders, units, sales_cents, last_seq, last_occurred_at,"
            " last_received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET"
            " orders = orders + excluded.orders, units = units + excluded.units,"
            " sales_cents = sales_cents + excluded.sales_cents,"
            " last_occurred_at = CASE WHEN excluded.last_seq > last_seq"
            "   THEN excluded.last_occurred_at ELSE last_occurred_at END,"
            " last_received_at = CASE WHEN excluded.last_seq > last_seq"
            "   THEN excluded.last_received_at ELSE last_received_at END,"
            " last_seq = max(last_seq, excluded.last_seq)")
          .bind(1, day)
          .bind(2, totals.orders)
          .bind(3, totals.units)
          .bind(4, totals.sales.cents())
          .bind(5, totals.last_order->sequence)
          .bind(6, micros(totals.last_order->occurred_at))
          .bind(7, micros(totals.last_order->received_at))
          .run();
      for (const auto& [name, product] : totals.products) {
        db.prepare(
              "INSERT INTO day_products (day, product_name, units, sales_cents) VALUES (?, ?, ?, ?)"
              " ON CONFLICT (day, product_name) DO UPDATE SET units = units + excluded.units,"
              " sales_cents = sales_cents + excluded.sales_cents")
            .bind(1, day)
            .bind(2, name)
            .bind(3, product.units)
            .bind(4, product.sales.cents())
            .run();
      }
      for (const auto& [hour, hour_totals] : totals.hours) {
        db.prepare(
              "INSERT INTO day_hours (day, hour, orders, sales_cents) VALUES (?, ?, ?, ?)"
              " ON CONFLICT (day, hour) DO UPDATE SET orders = orders + excluded.orders,"
              " sales_cents = sales_cents + excluded.sales_cents")
            .bind(1, day)
            .bind(2, std::int64_t{hour})
            .bind(3, hour_totals.orders)
            .bind(4, hour_totals.sales.cents())
            .run();
      }
      for (const auto& [id, courier] : totals.couriers) {
        db.prepare(
              "INSERT INTO day_couriers (day, courier_id, courier_id_is_number, courier_name,"
              " orders, units, sales_cents) VALUES (?, ?, ?, ?, ?, ?, ?)"
              " ON CONFLICT (day, courier_id) DO UPDATE SET"
              " courier_id_is_number = excluded.courier_id_is_number,"
              " courier_name = excluded.courier_name, orders = orders + excluded.orders,"
              " units = units + excluded.units, sales_cents = sales_cents + excluded.sales_cents")
            .bind(1, day)
            .bind(2, id)
            .bind(3, std::int64_t{courier.courier.id.is_number})
            .bind(4, courier.courier.name)
            .bind(5, courier.orders)
            .bind(6, courier.units)
            .bind(7, courier.sales.cents())
            .run();
      }
    }
    db.exec("COMMIT");
  } catch (const StoreUnavailable&) {
    try {
      db.exec("ROLLBACK");
    } catch (const StoreUnavailable&) {
      // No transaction open (BEGIN itself failed): nothing to undo.
    }
    for (auto& pending : batch) pending.done(RegisterResult{RegisterStatus::unavailable, {}});
    return;
  }
  {
    const std::lock_guard lock(sync_mutex_);
    to_sync_.push_back({std::move(batch), std::move(results)});
  }
  sync_ready_.notify_one();
}

OrderPage SqliteStore::list_orders(const OrderQuery& query) {
  std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders";
  std::vector<std::string> where;
  if (query.day) where.emplace_back("business_day = :day");
  if (query.courier_id) where.emplace_back("courier_id = :courier");
  if (query.from) where.emplace_back("occurred_at >= :from");
  if (query.until) where.emplace_back("occurred_at < :until");
  if (query.after) where.emplace_back("(occurred_at, seq) < (:cursor_at, :cursor_seq)");
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY occurred_at DESC, seq DESC LIMIT :limit";

  auto db = read();
  auto rows = db->prepare(sql);
  int index = 1;
  if (query.day) rows.bind(index++, format_business_day(*query.day));
  if (query.courier_id) rows.bind(index++, *query.courier_id);
  if (query.from) rows.bind(index++, micros(*query.from));
  if (query.until) rows.bind(index++, micros(*query.until));
  if (query.after) {
    rows.bind(index++, micros(query.after->occurred_at));
    rows.bind(index++, query.after->sequence);
  }
  // One extra row tells whether another page follows.
  rows.bind(index, static_cast<std::int64_t>(query.limit + 1));
  OrderPage page;
  page.orders = read_orders(rows);
  if (page.orders.size() > query.limit) {
    page.orders.pop_back();
    const auto& last = page.orders.back();
    page.next = OrderCursor{last.occurred_at(), last.sequence};
  }
  return page;
}

std::optional<Order> SqliteStore::find_order(const std::string& order_id) {
  auto db = read();
  auto row =
      db->prepare(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE order_id = ?");
  row.bind(1, order_id);
  auto orders = read_orders(row);
  if (orders.empty()) return std::nullopt;
  return std::move(orders.front());
}

std::vector<Order> SqliteStore::orders_after(std::int64_t after, std::size_t limit) {
  auto db = read();
  auto rows = db->prepare(std::string("SELECT ") + kOrderColumns +
                          " FROM orders WHERE seq > ? ORDER BY seq LIMIT ?");
  rows.bind(1, after).bind(2, static_cast<std::int64_t>(limit));
  return read_orders(rows);
}

DayMetrics SqliteStore::day_metrics(BusinessDay day) { return read_day_metrics(day, {}); }

DayMetrics SqliteStore::ranked_day_metrics(BusinessDay day, MetricsTop top) {
  return read_day_metrics(day, top);
}

std::vector<DayFigures> SqliteStore::days_figures(BusinessDay first, BusinessDay last) {
  auto db = read();
  // Days are "YYYY-MM-DD" text: their order is the calendar's.
  auto rows = db->prepare(
      "SELECT day, orders, units, sales_cents FROM day_totals WHERE day BETWEEN ? AND ?"
      " ORDER BY day");
  rows.bind(1, format_business_day(first)).bind(2, format_business_day(last));
  std::vector<DayFigures> days;
  while (rows.step()) {
    if (const auto day = parse_business_day(rows.text(0))) {
      days.push_back(
          {*day, {rows.integer(1), rows.integer(2), Money::from_cents(rows.integer(3))}});
    }
  }
  return days;
}

DayMetrics SqliteStore::read_day_metrics(BusinessDay day, std::optional<MetricsTop> top) {
  const std::string key = format_business_day(day);
  // With a top, SQLite keeps only the first rows of each ranking as it reads
  // (ORDER BY … LIMIT: a bounded sorter), the same order as DayMetrics::rank()
  // (BINARY collation compares bytes, as std::string does).
  const auto limit = [&](std::size_t n) {
    return top ? static_cast<std::int64_t>(std::min<std::size_t>(n, INT64_MAX)) : -1;
  };
  DayMetrics metrics;
  metrics.day = day;
  auto db = read();
  // One read transaction so the four tables agree with each other.
  db->exec("BEGIN");
  try {
    auto totals = db->prepare(
        "SELECT orders, units, sales_cents, last_seq, last_occurred_at, last_received_at"
        " FROM day_totals WHERE day = ?");
    totals.bind(1, key);
    if (totals.step()) {
      metrics.orders = totals.integer(0);
      metrics.units = totals.integer(1);
      metrics.sales = Money::from_cents(totals.integer(2));
      metrics.last_order =
          LastOrder{totals.integer(3), timestamp(totals.integer(4)), timestamp(totals.integer(5))};
      totals.reset();
    }
    auto products = db->prepare(
        "SELECT product_name, units, sales_cents FROM day_products WHERE day = ?"
        " ORDER BY units DESC, sales_cents DESC, product_name LIMIT ?");
    products.bind(1, key);
    products.bind(2, limit(top ? top->products : 0));
    while (products.step()) {
      metrics.products.push_back(
          {products.text(0), products.integer(1), Money::from_cents(products.integer(2))});
    }
    auto hours = db->prepare("SELECT hour, orders, sales_cents FROM day_hours WHERE day = ?");
    hours.bind(1, key);
    while (hours.step()) {
      const auto hour = hours.integer(0);
      if (hour >= 0 && hour < 24) {
        metrics.hours[static_cast<std::size_t>(hour)] = {hours.integer(1),
                                                         Money::from_cents(hours.integer(2))};
      }
    }
    auto couriers = db->prepare(
        "SELECT courier_id, courier_id_is_number, courier_name, orders, units, sales_cents"
        " FROM day_couriers WHERE day = ? ORDER BY sales_cents DESC, courier_id LIMIT ?");
    couriers.bind(1, key);
    couriers.bind(2, limit(top ? top->couriers : 0));
    while (couriers.step()) {
      metrics.couriers.push_back({{{couriers.text(0), couriers.integer(1) != 0}, couriers.text(2)},
                                  couriers.integer(3),
                                  couriers.integer(4),
                                  Money::from_cents(couriers.integer(5))});
    }
    metrics.rank();
    if (top) {
      auto counts = db->prepare(
          "SELECT (SELECT count(*) FROM day_products WHERE day = ?1),"
          " (SELECT count(*) FROM day_couriers WHERE day = ?1)");
      counts.bind(1, key);
      if (counts.step()) {
        metrics.product_count = counts.integer(0);
        metrics.courier_count = counts.integer(1);
        // Statements are cached: one left on a row keeps this connection's
        // read snapshot open past COMMIT, and every later read sees the past.
        counts.reset();
      }
    }
    db->exec("COMMIT");
  } catch (...) {
    db->exec("ROLLBACK");
    throw;
  }
  return metrics;
}

bool SqliteStore::ready() {
  {
    const std::lock_guard lock(sync_mutex_);
    if (sync_failed_) return false;
  }
  try {
    auto db = read();
    auto probe = db->prepare("SELECT count(*) FROM schema_migrations");
    const bool ok = probe.step();
    probe.reset();
    return ok;
  } catch (const StoreUnavailable&) {
    return false;
  }
}

std::optional<User> SqliteStore::find_user(const std::string& username) {
  auto db = read();
  auto row = db->prepare("SELECT " + std::string(kUserColumns) + " FROM users WHERE username = ?");
  row.bind(1, username);
  if (!row.step()) return std::nullopt;
  auto user = read_user(row);
  row.reset();
  return user;
}

std::vector<User> SqliteStore::list_users() {
  auto db = read();
  auto rows = db->prepare("SELECT " + std::string(kUserColumns) + " FROM users ORDER BY username");
  std::vector<User> users;
  while (rows.step()) users.push_back(read_user(rows));
  return users;
}

UserChange SqliteStore::create_user(const User& user) {
  auto db = read();
  auto insert = db->prepare(
      "INSERT INTO users (username, password_hash, role, disabled, token_generation)"
      " VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING");
  insert.bind(1, user.username)
      .bind(2, user.password_hash)
      .bind(3, to_string(user.role))
      .bind(4, std::int64_t{user.disabled})
      .bind(5, user.token_generation)
      .run();
  return db->changes() == 1 ? UserChange::done : UserChange::already_exists;
}

UserChange SqliteStore::update_user(const User& user) {
  auto db = read();
  // IMMEDIATE takes the database's write lock before the first read, so no
  // other connection (another request, the CLI, the order writer) writes
  // between the admin count and the update.
  db->exec("BEGIN IMMEDIATE");
  try {
    const auto change = update_user_in_transaction(*db, user);
    db->exec(change == UserChange::done ? "COMMIT" : "ROLLBACK");
    return change;
  } catch (const StoreUnavailable&) {
    try {
      db->exec("ROLLBACK");
    } catch (const StoreUnavailable&) {
      // No transaction open (BEGIN itself failed): nothing to undo.
    }
    throw;
  }
}

std::size_t SqliteStore::count_users() {
  auto db = read();
  auto row = db->prepare("SELECT count(*) FROM users");
  row.step();
  const auto n = row.integer(0);
  row.reset();
  return static_cast<std::size_t>(n);
}

void SqliteStore::create_session(const StoredSession& session) {
  auto db = read();
  db->prepare("INSERT INTO sessions (" + std::string(kSessionColumns) +
              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, session.id)
      .bind(2, session.username)
      .bind(3, session.refresh_hash)
      .bind(4, session.previous_hash)
      .bind(5, session.token_generation)
      .bind(6, std::int64_t{session.keep_signed_in})
      .bind(7, micros(session.created_at))
      .bind(8, micros(session.last_used_at))
      .bind(9, micros(session.expires_at))
      .bind(10, session.address)
      .bind(11, session.user_agent)
      .bind(12, std::int64_t{session.revoked})
      .run();
}

std::optional<StoredSession> SqliteStore::find_session(const std::string& id) {
  auto db = read();
  auto row = db->prepare("SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE id = ?");
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  auto session = read_session(row);
  row.reset();
  return session;
}

RotationOutcome SqliteStore::rotate_session(const SessionRotation& rotation) {
  auto db = read();
  // IMMEDIATE: the write lock before the read, so two renewals with one
  // secret cannot both see it current.
  db->exec("BEGIN IMMEDIATE");
  try {
    auto row =
        db->prepare("SELECT " + std::string(kSessionColumns) + " FROM sessions WHERE id = ?");
    row.bind(1, rotation.id);
    if (!row.step()) {
      db->exec("ROLLBACK");
      return RotationOutcome::gone;
    }
    auto session = read_session(row);
    row.reset();
    const auto outcome = decide_rotation(session, rotation);
    if (outcome == RotationOutcome::rotated) {
      apply_rotation(session, rotation);
      db->prepare(
            "UPDATE sessions SET refresh_hash = ?, previous_hash = ?, last_used_at = ?,"
            " expires_at = ?, address = ? WHERE id = ?")
          .bind(1, session.refresh_hash)
          .bind(2, session.previous_hash)
          .bind(3, micros(session.last_used_at))
          .bind(4, micros(session.expires_at))
          .bind(5, session.address)
          .bind(6, session.id)
          .run();
    } else if (outcome == RotationOutcome::reused) {
      db->prepare("UPDATE sessions SET revoked = 1 WHERE id = ?").bind(1, session.id).run();
    }
    db->exec("COMMIT");
    return outcome;
  } catch (const StoreUnavailable&) {
    try {
      db->exec("ROLLBACK");
    } catch (const StoreUnavailable&) {
      // No transaction open (BEGIN itself failed): nothing to undo.
    }
    throw;
  }
}

std::vector<StoredSession> SqliteStore::list_sessions(const std::string& username, Timestamp now,
                                                      std::size_t limit) {
  auto db = read();
  auto rows = db->prepare("SELECT " + std::string(kSessionColumns) +
                          " FROM sessions WHERE revoked = 0 AND expires_at > ?1"
                          " AND (?2 = '' OR username = ?2) ORDER BY last_used_at DESC, id"
                          " LIMIT ?3");
  rows.bind(1, micros(now)).bind(2, username).bind(3, static_cast<std::int64_t>(limit));
  std::vector<StoredSession> sessions;
  while (rows.step()) sessions.push_back(read_session(rows));
  return sessions;
}

bool SqliteStore::revoke_session(const std::string& id, Timestamp now) {
  auto db = read();
  db->prepare("UPDATE sessions SET revoked = 1 WHERE id = ? AND revoked = 0 AND expires_at > ?")
      .bind(1, id)
      .bind(2, micros(now))
      .run();
  return db->changes() == 1;
}

std::size_t SqliteStore::prune_sessions(Timestamp now, std::size_t limit) {
  auto db = read();
  db->prepare(
        "DELETE FROM sessions WHERE id IN"
        " (SELECT id FROM sessions WHERE expires_at <= ? LIMIT ?)")
      .bind(1, micros(now))
      .bind(2, static_cast<std::int64_t>(limit))
      .run();
  return static_cast<std::size_t>(db->changes());
}

void SqliteStore::append_audit(const AuditEntry& entry) {
  auto db = read();
  db->prepare(
        "INSERT INTO audit (at, id, action, actor, address, subject, detail)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (at, id) DO NOTHING")
      .bind(1, micros(entry.at))
      .bind(2, entry.id)
      .bind(3, entry.action)
      .bind(4, entry.actor)
      .bind(5, entry.address)
      .bind(6, entry.subject)
      .bind(7, encode_audit_detail(entry.detail))
      .run();
}

AuditPage SqliteStore::list_audit(const AuditQuery& query) {
  std::string sql = "SELECT at, id, action, actor, address, subject, detail FROM audit";
  std::vector<std::string> where;
  if (query.action) where.emplace_back("action = :action");
  if (query.actor) where.emplace_back("actor = :actor");
  if (query.from) where.emplace_back("at >= :from");
  if (query.until) where.emplace_back("at < :until");
  if (query.after) where.emplace_back("(at, id) < (:cursor_at, :cursor_id)");
  for (std::size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY at DESC, id DESC LIMIT :limit";

  auto db = read();
  auto rows = db->prepare(sql);
  int index = 1;
  if (query.action) rows.bind(index++, *query.action);
  if (query.actor) rows.bind(index++, *query.actor);
  if (query.from) rows.bind(index++, micros(*query.from));
  if (query.until) rows.bind(index++, micros(*query.until));
  if (query.after) {
    rows.bind(index++, micros(query.after->at));
    rows.bind(index++, query.after->id);
  }
  // One extra row tells whether another page follows.
  rows.bind(index, static_cast<std::int64_t>(query.limit + 1));
  AuditPage page;
  while (rows.step()) {
    page.entries.push_back({rows.text(1), timestamp(rows.integer(0)), rows.text(2), rows.text(3),
                            rows.text(4), rows.text(5), decode_audit_detail(rows.text_view(6))});
  }
  if (page.entries.size() > query.limit) {
    page.entries.pop_back();
    if (!page.entries.empty())
      page.next = AuditCursor{page.entries.back().at, page.entries.back().id};
  }
  return page;
}

std::size_t SqliteStore::prune_audit(Timestamp before, std::size_t max) {
  auto db = read();
  db->prepare(
        "DELETE FROM audit WHERE (at, id) IN"
        " (SELECT at, id FROM audit WHERE at < ? ORDER BY at LIMIT ?)")
      .bind(1, micros(before))
      .bind(2, static_cast<std::int64_t>(max))
      .run();
  return static_cast<std::size_t>(db->changes());
}

}  // namespace cargomon

// Webhooks (storage/webhook_store.hpp), in the tables of migration 006.

namespace cargomon {
namespace {

std::optional<std::int64_t> micros(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return micros(*t);
}
std::optional<Timestamp> optional_timestamp(const sqlite::Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return timestamp(row.integer(column));
}

constexpr std::string_view kEndpointColumns =
    "id, url, description, events, secret, disabled, created_at";

WebhookEndpoint read_endpoint(const sqlite::Statement& row) {
  WebhookEndpoint endpoint;
  endpoint.id = row.text(0);
  endpoint.url = row.text(1);
  endpoint.description = row.text(2);
  endpoint.events = split_events(row.text_view(3));
  endpoint.secret = row.text(4);
  endpoint.disabled = row.integer(5) != 0;
  endpoint.created_at = timestamp(row.integer(6));
  return endpoint;
}

constexpr std::string_view kParkedColumns =
    "endpoint_id, delivery_id, payload, attempts, last_error, parked_at, replay_requested";

ParkedDelivery read_parked(const sqlite::Statement& row) {
  return {row.text(0),        row.text(1),
          row.text(2),        static_cast<int>(row.integer(3)),
          row.text(4),        timestamp(row.integer(5)),
          row.integer(6) != 0};
}

// Runs `work` in an IMMEDIATE transaction (the write lock taken before the
// first read), committed when it returns true, rolled back otherwise.
bool in_transaction(sqlite::Connection& db, const std::function<bool()>& work) {
  db.exec("BEGIN IMMEDIATE");
  try {
    const bool commit = work();
    db.exec(commit ? "COMMIT" : "ROLLBACK");
    return commit;
  } catch (const StoreUnavailable&) {
    try {
      db.exec("ROLLBACK");
    } catch (const StoreUnavailable&) {
      // No transaction open (BEGIN itself failed): nothing to undo.
    }
    throw;
  }
}

bool endpoint_exists(sqlite::Connection& db, const std::string& id) {
  auto row = db.prepare("SELECT 1 FROM webhook_endpoints WHERE id = ?");
  row.bind(1, id);
  const bool found = row.step();
  row.reset();
  return found;
}

}  // namespace

bool SqliteStore::create_webhook(const WebhookEndpoint& endpoint) {
  auto db = read();
  return in_transaction(*db, [&] {
    auto count = db->prepare("SELECT count(*) FROM webhook_endpoints");
    count.step();
    const auto endpoints = count.integer(0);
    count.reset();
    if (static_cast<std::size_t>(endpoints) >= kMaxWebhookEndpoints) return false;
    if (endpoint_exists(*db, endpoint.id)) return false;
    db->prepare(
          "INSERT INTO webhook_endpoints"
          " (id, url, description, events, secret, disabled, created_at)"
          " VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, endpoint.id)
        .bind(2, endpoint.url)
        .bind(3, endpoint.description)
        .bind(4, join_events(endpoint.events))
        .bind(5, endpoint.secret)
        .bind(6, std::int64_t{endpoint.disabled})
        .bind(7, micros(endpoint.created_at))
        .run();
    // Both logs' ends, read in the transaction: what is committed after it
    // is sent.
    db->prepare(
          "INSERT INTO webhook_progress (endpoint_id, log, done)"
          " SELECT ?, 0, coalesce(max(seq), 0) FROM orders")
        .bind(1, endpoint.id)
        .run();
    db->prepare(
          "INSERT INTO webhook_progress (endpoint_id, log, done)"
          " SELECT ?, 1, coalesce(max(position), 0) FROM webhook_events")
        .bind(1, endpoint.id)
        .run();
    return true;
  });
}

std::vector<WebhookEndpoint> SqliteStore::list_webhooks() {
  auto db = read();
  auto rows = db->prepare("SELECT " + std::string(kEndpointColumns) +
                          " FROM webhook_endpoints ORDER BY id");
  std::vector<WebhookEndpoint> endpoints;
  while (rows.step()) endpoints.push_back(read_endpoint(rows));
  return endpoints;
}

std::optional<WebhookEndpoint> SqliteStore::find_webhook(const std::string& id) {
  auto db = read();
  auto row = db->prepare("SELECT " + std::string(kEndpointColumns) +
                         " FROM webhook_endpoints WHERE id = ?");
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  auto endpoint = read_endpoint(row);
  row.reset();
  return endpoint;
}

bool SqliteStore::update_webhook(const WebhookEndpoint& endpoint) {
  auto db = read();
  db->prepare(
        "UPDATE webhook_endpoints SET url = ?, description = ?, events = ?, disabled = ?"
        " WHERE id = ?")
      .bind(1, endpoint.url)
      .bind(2, endpoint.description)
      .bind(3, join_events(endpoint.events))
      .bind(4, std::int64_t{endpoint.disabled})
      .bind(5, endpoint.id)
      .run();
  return db->changes() == 1;
}

bool SqliteStore::delete_webhook(const std::string& id) {
  auto db = read();
  return in_transaction(*db, [&] {
    db->prepare("DELETE FROM webhook_endpoints WHERE id = ?").bind(1, id).run();
    if (db->changes() != 1) return false;
    db->prepare("DELETE FROM webhook_progress WHERE endpoint_id = ?").bind(1, id).run();
    db->prepare("DELETE FROM webhook_parked WHERE endpoint_id = ?").bind(1, id).run();
    return true;
  });
}

std::optional<WebhookProgress> SqliteStore::webhook_progress(const std::string& id,
                                                             WebhookLog log) {
  auto db = read();
  auto row = db->prepare(
      "SELECT done, failures, failing_since, next_attempt FROM webhook_progress"
      " WHERE endpoint_id = ? AND log = ?");
  row.bind(1, id).bind(2, static_cast<std::int64_t>(log));
  if (!row.step()) return std::nullopt;
  WebhookProgress progress{row.integer(0), static_cast<int>(row.integer(1)),
                           optional_timestamp(row, 2), optional_timestamp(row, 3)};
  row.reset();
  return progress;
}

bool SqliteStore::save_webhook_progress(const std::string& id, WebhookLog log,
                                        const WebhookProgress& progress,
                                        const std::optional<ParkedDelivery>& parked) {
  auto db = read();
  return in_transaction(*db, [&] {
    db->prepare(
          "UPDATE webhook_progress SET done = ?, failures = ?, failing_since = ?,"
          " next_attempt = ? WHERE endpoint_id = ? AND log = ?")
        .bind(1, progress.done)
        .bind(2, std::int64_t{progress.failures})
        .bind(3, micros(progress.failing_since))
        .bind(4, micros(progress.next_attempt))
        .bind(5, id)
        .bind(6, static_cast<std::int64_t>(log))
        .run();
    if (db->changes() != 1) return false;
    if (!parked) return true;
    db->prepare("INSERT OR REPLACE INTO webhook_parked (" + std::string(kParkedColumns) +
                ") VALUES (?, ?, ?, ?, ?, ?, 0)")
        .bind(1, id)
        .bind(2, parked->delivery_id)
        .bind(3, parked->payload)
        .bind(4, std::int64_t{parked->attempts})
        .bind(5, parked->last_error)
        .bind(6, micros(parked->parked_at))
        .run();
    db->prepare(
          "DELETE FROM webhook_parked WHERE endpoint_id = ? AND id NOT IN"
          " (SELECT id FROM webhook_parked WHERE endpoint_id = ? ORDER BY id DESC LIMIT ?)")
        .bind(1, id)
        .bind(2, id)
        .bind(3, static_cast<std::int64_t>(kMaxParkedDeliveries))
        .run();
    return true;
  });
}

std::int64_t SqliteStore::enqueue_webhook_event(const QueuedWebhookEvent& event) {
  auto db = read();
  db->prepare("INSERT INTO webhook_events (type, data, occurred_at) VALUES (?, ?, ?)")
      .bind(1, to_string(event.type))
      .bind(2, event.data)
      .bind(3, micros(event.occurred_at))
      .run();
  return db->last_insert_rowid();
}

std::vector<QueuedWebhookEvent> SqliteStore::webhook_events_after(std::int64_t after,
                                                                  std::size_t limit) {
  auto db = read();
  auto rows = db->prepare(
      "SELECT position, type, data, occurred_at FROM webhook_events WHERE position > ?"
      " ORDER BY position LIMIT ?");
  rows.bind(1, after).bind(2, static_cast<std::int64_t>(limit));
  std::vector<QueuedWebhookEvent> events;
  while (rows.step()) {
    events.push_back({rows.integer(0),
                      parse_webhook_event(rows.text_view(1)).value_or(WebhookEvent::alert_opened),
                      rows.text(2), timestamp(rows.integer(3))});
  }
  return events;
}

std::vector<ParkedDelivery> SqliteStore::parked_deliveries(const std::string& id,
                                                           std::size_t limit) {
  auto db = read();
  auto rows = db->prepare("SELECT " + std::string(kParkedColumns) +
                          " FROM webhook_parked WHERE endpoint_id = ? ORDER BY id LIMIT ?");
  rows.bind(1, id).bind(2, static_cast<std::int64_t>(limit));
  std::vector<ParkedDelivery> parked;
  while (rows.step()) parked.push_back(read_parked(rows));
  return parked;
}

std::vector<ParkedDelivery> SqliteStore::replays_requested(const std::string& id,
                                                           std::size_t limit) {
  auto db = read();
  auto rows = db->prepare("SELECT " + std::string(kParkedColumns) +
                          " FROM webhook_parked WHERE endpoint_id = ? AND replay_requested = 1"
                          " ORDER BY id LIMIT ?");
  rows.bind(1, id).bind(2, static_cast<std::int64_t>(limit));
  std::vector<ParkedDelivery> parked;
  while (rows.step()) parked.push_back(read_parked(rows));
  return parked;
}

bool SqliteStore::request_replay(const std::string& id, const std::string& delivery_id) {
  auto db = read();
  db->prepare(
        "UPDATE webhook_parked SET replay_requested = 1"
        " WHERE endpoint_id = ? AND delivery_id = ?")
      .bind(1, id)
      .bind(2, delivery_id)
      .run();
  return db->changes() == 1;
}

void SqliteStore::finish_replay(const std::string& id, const std::string& delivery_id,
                                bool delivered, const std::string& error) {
  auto db = read();
  if (delivered) {
    db->prepare("DELETE FROM webhook_parked WHERE endpoint_id = ? AND delivery_id = ?")
        .bind(1, id)
        .bind(2, delivery_id)
        .run();
    return;
  }
  db->prepare(
        "UPDATE webhook_parked SET replay_requested = 0, attempts = attempts + 1,"
        " last_error = ? WHERE endpoint_id = ? AND delivery_id = ?")
      .bind(1, error)
      .bind(2, id)
      .bind(3, delivery_id)
      .run();
}

bool SqliteStore::lease_webhook(const std::string& id, const std::string& holder, Timestamp now,
                                Timestamp until) {
  auto db = read();
  // One statement: the check and the take are one atomic write.
  db->prepare(
        "UPDATE webhook_endpoints SET lease_holder = ?, lease_until = ?"
        " WHERE id = ? AND (lease_holder = ? OR lease_holder = '' OR lease_until <= ?)")
      .bind(1, holder)
      .bind(2, micros(until))
      .bind(3, id)
      .bind(4, holder)
      .bind(5, micros(now))
      .run();
  return db->changes() == 1;
}

}  // namespace cargomon
