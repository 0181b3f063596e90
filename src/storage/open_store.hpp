#pragma once
// Opens the store a deployment chose at start: PostgreSQL for a postgres://
// or postgresql:// URL (several instances may share it), otherwise the
// embedded SQLite database in the data directory.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "domain/business_calendar.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace cargomon {

bool is_postgres_url(std::string_view store);

// Exactly one of the two is set.
struct OpenedStore {
  std::unique_ptr<SqliteStore> sqlite;
  std::unique_ptr<PostgresStore> postgres;

  OrderStore& orders() { return sqlite ? static_cast<OrderStore&>(*sqlite) : *postgres; }
  UserStore& users() { return sqlite ? static_cast<UserStore&>(*sqlite) : *postgres; }
};

// `store`: empty for SQLite in `data_dir` (created if missing), or a
// PostgreSQL URL. Throws std::runtime_error for anything else, and
// StoreUnavailable when the store cannot be opened.
OpenedStore open_store(const std::string& store, const std::filesystem::path& data_dir,
                       const BusinessCalendar& calendar);

}  // namespace cargomon
