#pragma once
// Numbered schema migrations, one runner for every SQL store.
//
// Each store's migrations are files NNN_name.sql in its folder, embedded into
// the binary at build time (embed_migrations.cmake) as a sorted array of
// Migration. The runner applies, in order, each one not yet recorded in the
// store's schema_migrations table, each in its own transaction together with
// its record, so a migration is applied completely and exactly once even when
// several processes start at once (the database's side serializes them: see
// MigrationDatabase::begin).
//
// Thread safety: run_migrations uses `db` only from the calling thread.

#include <limits>
#include <span>
#include <stdexcept>
#include <string_view>

namespace cargomon {

struct Migration {
  int version;
  std::string_view sql;
};

// The database's schema is newer than this program knows.
class DowngradeRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the runner needs from a database.
class MigrationDatabase {
 public:
  virtual ~MigrationDatabase() = default;
  // Creates schema_migrations if it does not exist.
  virtual void create_schema_migrations() = 0;
  // Starts a transaction that other processes migrating the same database
  // wait for (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
  virtual void begin() = 0;
  virtual bool is_applied(int version) = 0;
  // The highest version recorded, 0 when none is.
  virtual int latest_applied() = 0;
  // Runs a migration's statements.
  virtual void execute(std::string_view sql) = 0;
  virtual void record(int version) = 0;
  virtual void commit() = 0;
  // Undoes the transaction begun; must not throw (a lost connection has
  // undone it already).
  virtual void rollback() noexcept = 0;
};

// Applies the migrations not yet applied, in order; those up to `up_to` only
// (tests build old schemas). Throws std::logic_error when `migrations` is not
// strictly increasing by version; DowngradeRefused, touching nothing, when
// the database records a version newer than the last of `migrations` (a
// newer cargomon upgraded it: this one would misread its schema); and what
// `db` throws otherwise (the migration that failed is rolled back; those
// before it stay applied).
void run_migrations(std::span<const Migration> migrations, MigrationDatabase& db,
                    int up_to = std::numeric_limits<int>::max());

}  // namespace cargomon
