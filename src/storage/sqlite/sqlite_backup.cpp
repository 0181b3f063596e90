#include "storage/sqlite/sqlite_backup.hpp"

#include <sqlite3.h>

#include <memory>
#include <string>

#include "storage/store.hpp"

namespace cargomon::sqlite {
namespace {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

Database open(const std::filesystem::path& path, int flags) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Database owned(db);
  if (rc != SQLITE_OK) {
    throw StoreUnavailable("cannot open " + path.string() + ": " +
                           (db ? sqlite3_errmsg(db) : "out of memory"));
  }
  // The server's writer holds the write lock only while it commits.
  sqlite3_busy_timeout(db, 5000);
  return owned;
}

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw StoreUnavailable(message);
  }
}

std::string check(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(10)", -1, &stmt, nullptr) != SQLITE_OK) {
    throw StoreUnavailable(std::string("integrity_check: ") + sqlite3_errmsg(db));
  }
  std::string result;
  int rc = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (!result.empty()) result += "; ";
    result += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE)
    throw StoreUnavailable(std::string("integrity_check: ") + sqlite3_errmsg(db));
  return result;
}

}  // namespace

void backup_database(const std::filesystem::path& source, const std::filesystem::path& target) {
  // Read-write without create: a WAL database is read through its -shm,
  // and a missing one must not be made here.
  const auto from = open(source, SQLITE_OPEN_READWRITE);
  const auto to = open(target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3_backup* backup = sqlite3_backup_init(to.get(), "main", from.get(), "main");
  if (backup == nullptr) {
    throw StoreUnavailable(std::string("backup: ") + sqlite3_errmsg(to.get()));
  }
  // -1: every page in one step, under one read transaction of the source,
  // so the copy is one snapshot. (Step by step, a commit between steps
  // would restart the copy.)
  const int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    throw StoreUnavailable(std::string("backup: ") + sqlite3_errstr(rc));
  }
  // The copy's header says WAL, as its source's: one file is what a backup
  // should be, so the copy goes back to a rollback journal (the server
  // turns WAL on again when it opens the restored file).
  exec(to.get(), "PRAGMA journal_mode=DELETE");
  if (const auto result = check(to.get()); result != "ok") {
    throw StoreUnavailable("the copy failed PRAGMA integrity_check: " + result);
  }
}

std::string integrity_check(const std::filesystem::path& path) {
  const auto db = open(path, SQLITE_OPEN_READONLY);
  return check(db.get());
}

}  // namespace cargomon::sqlite
