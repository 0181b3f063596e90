#include "storage/migrations.hpp"

#include <stdexcept>
#include <string>

namespace cargomon {

void run_migrations(std::span<const Migration> migrations, MigrationDatabase& db, int up_to) {
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      // Two files with one number, or a list not sorted: applying them could
      // skip one for good.
      throw std::logic_error("migration " + std::to_string(migrations[i].version) +
                             " does not follow migration " +
                             std::to_string(migrations[i - 1].version));
    }
  }
  db.create_schema_migrations();
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (const int latest = db.latest_applied(); latest > known) {
    throw DowngradeRefused(
        "the database's schema is at version " + std::to_string(latest) +
        ", newer than this cargomon knows (" + std::to_string(known) +
        "): a newer cargomon upgraded it, and downgrades are not supported; run that version "
        "again, or restore a backup taken before the upgrade (docs/operations.md)");
  }
  for (const auto& migration : migrations) {
    if (migration.version > up_to) break;
    db.begin();
    try {
      // Asked inside the transaction: another process may have applied it
      // while this one waited in begin().
      if (!db.is_applied(migration.version)) {
        db.execute(migration.sql);
        db.record(migration.version);
      }
      db.commit();
    } catch (...) {
      db.rollback();
      throw;
    }
  }
}

}  // namespace cargomon
