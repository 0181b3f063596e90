#pragma once
// A thin RAII layer over the SQLite C API: one Connection per thread at a
// time, statements prepared once per connection and reused. Every SQLite
// failure becomes StoreUnavailable carrying SQLite's message.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "storage/store.hpp"

namespace cargomon::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  // Statements are cached by their connection: one left on a row would keep
  // the connection's read snapshot open after COMMIT, and every later read
  // on it would see the past. A handle going away always resets it.
  ~Statement() {
    if (stmt_ != nullptr) sqlite3_reset(stmt_);
  }

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::int64_t>& value);

  // Advances to the next row; false when done. Resets itself when done.
  bool step();
  // Runs to completion, ignoring rows.
  void run();
  void reset();

  std::int64_t integer(int column) const;
  std::string text(int column) const;
  // Valid until the next step() or reset().
  std::string_view text_view(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens (creating if needed) the database in WAL mode with full durability.
  explicit Connection(const std::filesystem::path& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const std::string& sql);
  // A prepared statement kept for the life of the connection, reset and with
  // its bindings cleared.
  Statement prepare(std::string_view sql);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

  // Calls `committed(frames)` after each commit of this connection with the
  // number of frames now in the write-ahead log. Replaces SQLite's automatic
  // checkpoint, which would run inside the committing transaction.
  // `committed` runs inside sqlite3_step; what it throws is dropped.
  void on_commit(std::function<void(int frames)> committed);
  // Copies committed pages from the write-ahead log into the database without
  // waiting for readers or the writer (SQLITE_CHECKPOINT_PASSIVE).
  void checkpoint();

 private:
  sqlite3* db_ = nullptr;
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };
  // By SQL text; looked up with the caller's literal, without copying it.
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> statements_;
  std::function<void(int)> committed_;
};

[[noreturn]] void fail(sqlite3* db, std::string_view what);

// Applies this store's numbered migrations (sqlite/migrations/) not yet
// recorded in schema_migrations, with the shared runner (storage/
// migrations.hpp); those up to `up_to` only (tests build old schemas).
void migrate(Connection& db, int up_to = std::numeric_limits<int>::max());

}  // namespace cargomon::sqlite
