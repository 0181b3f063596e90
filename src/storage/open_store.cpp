#include "storage/open_store.hpp"

#include <stdexcept>

namespace cargomon {

bool is_postgres_url(std::string_view store) {
  return store.starts_with("postgres://") || store.starts_with("postgresql://");
}

OpenedStore open_store(const std::string& store, const std::filesystem::path& data_dir,
                       const BusinessCalendar& calendar) {
  OpenedStore opened;
  if (is_postgres_url(store)) {
    opened.postgres = std::make_unique<PostgresStore>(store, calendar);
  } else if (store.empty() || store == "sqlite") {
    std::filesystem::create_directories(data_dir);
    opened.sqlite = std::make_unique<SqliteStore>(data_dir / "cargomon.db", calendar);
  } else {
    throw std::runtime_error(
        "--store must be a PostgreSQL URL (postgres://user:password@host:5432/database) or "
        "empty for the embedded SQLite store in --data-dir");
  }
  return opened;
}

}  // namespace cargomon
