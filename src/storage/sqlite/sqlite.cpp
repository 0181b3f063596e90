#include "storage/sqlite/sqlite.hpp"

#include <string>
#include <utility>
#include <vector>

#include "storage/migrations.hpp"

namespace cargomon::sqlite {

namespace {

const Migration kMigrations[] = {
#include "sqlite_migrations.inc"
};

class MigratedDatabase final : public MigrationDatabase {
 public:
  explicit MigratedDatabase(Connection& db) : db_(db) {}
  void create_schema_migrations() override {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (datetime('now')))");
  }
  // The write lock at once: another process migrating waits (busy timeout).
  void begin() override { db_.exec("BEGIN IMMEDIATE"); }
  bool is_applied(int version) override {
    auto applied = db_.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    applied.bind(1, std::int64_t{version});
    const bool found = applied.step();
    applied.reset();
    return found;
  }
  int latest_applied() override {
    auto latest = db_.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    const auto version = latest.step() ? latest.integer(0) : 0;
    latest.reset();
    return static_cast<int>(version);
  }
  void execute(std::string_view sql) override { db_.exec(std::string(sql)); }
  void record(int version) override {
    db_.prepare("INSERT INTO schema_migrations(version) VALUES (?)")
        .bind(1, std::int64_t{version})
        .run();
  }
  void commit() override { db_.exec("COMMIT"); }
  void rollback() noexcept override {
    try {
      db_.exec("ROLLBACK");
    } catch (const StoreUnavailable&) {
      // No transaction open (BEGIN itself failed): nothing to undo.
    }
  }

 private:
  Connection& db_;
};

}  // namespace

void fail(sqlite3* db, std::string_view what) {
  throw StoreUnavailable(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    fail(db_, "bind");
  }
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  sqlite3_reset(stmt_);
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() { sqlite3_reset(stmt_); }

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const { return std::string(text_view(column)); }

std::string_view Statement::text_view(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  const auto size = sqlite3_column_bytes(stmt_, column);
  return data
             ? std::string_view(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size))
             : std::string_view();
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Connection::Connection(const std::filesystem::path& path) {
  const int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreUnavailable("cannot open " + path.string() + ": " + message);
  }
  // A writer that finds the database locked (the CLI adding a user) waits
  // rather than failing at once.
  sqlite3_busy_timeout(db_, 5000);
  // WAL lets readers run beside the single writer. synchronous=FULL makes
  // every commit durable, also against power loss: the 200 promises that.
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Connection::on_commit(std::function<void(int frames)> committed) {
  committed_ = std::move(committed);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int frames) {
        // An exception must not unwind through SQLite's C frames; the commit
        // itself has succeeded whatever happens here.
        try {
          static_cast<Connection*>(self)->committed_(frames);
        } catch (...) {
        }
        return SQLITE_OK;
      },
      this);
}

void Connection::checkpoint() {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  // Busy: another checkpoint is running; the next one catches up.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) fail(db_, "checkpoint");
}

void Connection::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw StoreUnavailable(message);
  }
}

Statement Connection::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      fail(db_, "prepare");
    }
    it = statements_.emplace(std::string(sql), stmt).first;
  }
  sqlite3_reset(it->second);
  sqlite3_clear_bindings(it->second);
  return Statement(db_, it->second);
}

void migrate(Connection& db, int up_to) {
  MigratedDatabase migrated(db);
  run_migrations(kMigrations, migrated, up_to);
}

}  // namespace cargomon::sqlite
