// `cargomon backup DEST` and `cargomon restore SRC`: the SQLite store (its
// database and its token secret) copied out while the server runs, and put
// back while it is stopped. PostgreSQL has pg_dump (docs/operations.md).

#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli/commands.hpp"
#include "cli/data_dir_lock.hpp"
#include "cli/settings.hpp"
#include "storage/open_store.hpp"
#include "storage/sqlite/sqlite_backup.hpp"

namespace cargomon::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDatabase = "cargomon.db";
constexpr const char* kSecret = "jwt-secret";

struct BackupOptions {
  fs::path data_dir = "data";
  std::string store;
  fs::path place;  // backup: the directory to write; restore: the one to read
  bool force = false;
};

void require_embedded(const std::string& store, const char* command) {
  if (!is_embedded_store(store)) {
    throw std::runtime_error(std::string("cargomon ") + command +
                             " works on the embedded SQLite store (--data-dir); for PostgreSQL "
                             "use pg_dump and pg_restore (docs/operations.md)");
  }
}

// Makes `path`'s new content durable: its data, then its directory entry.
void sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string reason = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot sync " + path.string() + ": " + reason);
  }
  ::close(fd);
}

// `from` copied to `to`, mode 0600, durably and whole or not at all (a
// partial file is renamed into place only once synced).
void copy_private_file(const fs::path& from, const fs::path& to) {
  const fs::path partial = to.string() + ".partial";
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing);
  fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write);
  sync_path(partial, O_RDONLY);
  fs::rename(partial, to);
}

int run_backup(const BackupOptions& o) {
  require_embedded(o.store, "backup");
  const auto database = o.data_dir / kDatabase;
  if (!fs::exists(database)) {
    throw std::runtime_error("no database at " + database.string() + " (see --data-dir)");
  }
  if (fs::exists(o.place) && !(fs::is_directory(o.place) && fs::is_empty(o.place))) {
    throw std::runtime_error(o.place.string() +
                             " exists and is not an empty directory: a backup goes into a new "
                             "one");
  }
  create_private_directory(o.place);
  const fs::path partial = o.place / (std::string(kDatabase) + ".partial");
  sqlite::backup_database(database, partial);
  fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write);
  sync_path(partial, O_RDONLY);
  fs::rename(partial, o.place / kDatabase);
  const bool secret = fs::exists(o.data_dir / kSecret);
  if (secret) copy_private_file(o.data_dir / kSecret, o.place / kSecret);
  sync_path(o.place, O_RDONLY | O_DIRECTORY);
  std::cout << "backed up " << database.string() << " (integrity_check ok)"
            << (secret ? " and its token secret" : "") << " to " << o.place.string() << "\n";
  if (!secret) {
    std::cout << "no " << kSecret << " in " << o.data_dir.string()
              << ": the secret given by CARGOMON_JWT_SECRET or --jwt-secret-file is not part of "
                 "this backup (keep it with it)\n";
  }
  return 0;
}

int run_restore(const BackupOptions& o) {
  require_embedded(o.store, "restore");
  const auto source = o.place / kDatabase;
  if (!fs::exists(source)) {
    throw std::runtime_error("no " + std::string(kDatabase) + " in " + o.place.string() +
                             " (a directory `cargomon backup` wrote)");
  }
  // A data directory is not a backup: its latest commits may be only in
  // the write-ahead log, which a copy of cargomon.db alone would lose.
  if (fs::exists(source.string() + "-wal")) {
    throw std::runtime_error(o.place.string() +
                             " is a data directory (its database has a write-ahead log), not a "
                             "backup: take one with cargomon backup");
  }
  if (const auto result = sqlite::integrity_check(source); result != "ok") {
    throw std::runtime_error(source.string() + " fails PRAGMA integrity_check: " + result);
  }
  // Held until the restore is done: no server starts on half a store.
  const DataDirLock lock(o.data_dir, "restore");
  const auto database = o.data_dir / kDatabase;
  const bool existing = fs::exists(database) || fs::exists(o.data_dir / kSecret);
  if (existing && !o.force) {
    throw std::runtime_error(o.data_dir.string() +
                             " already holds a store; restore --force replaces it");
  }
  const fs::path partial = o.data_dir / (std::string(kDatabase) + ".partial");
  copy_private_file(source, partial);
  // The replaced database's write-ahead log would be replayed onto the
  // restored file: it goes first (its shared-memory index with it).
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(database.string() + suffix);
  fs::rename(partial, database);
  const bool secret = fs::exists(o.place / kSecret);
  if (secret) copy_private_file(o.place / kSecret, o.data_dir / kSecret);
  sync_path(o.data_dir, O_RDONLY | O_DIRECTORY);
  std::cout << "restored " << o.place.string() << " into " << o.data_dir.string()
            << (secret ? " (the database and its token secret)" : " (the database)")
            << "; start it with cargomon serve --data-dir " << o.data_dir.string() << "\n";
  return 0;
}

}  // namespace

void add_backup_command(CLI::App& app, ExitStatus& status) {
  const auto [cmd, o] = add_command<BackupOptions>(
      app, status, "backup",
      "Copy the SQLite store (database and token secret) into the new directory DEST, "
      "consistently, also while the server runs; the copy is checked with PRAGMA "
      "integrity_check",
      run_backup);
  cmd->add_option("dest", o->place, "Directory to write (new, or empty)")->required();
  add_data_dir_option(*cmd, o->data_dir);
  add_store_option(*cmd, o->store);
}

void add_restore_command(CLI::App& app, ExitStatus& status) {
  const auto [cmd, o] = add_command<BackupOptions>(
      app, status, "restore",
      "Put a backup (a directory `cargomon backup` wrote) into --data-dir while no server runs "
      "on it",
      run_restore);
  cmd->add_option("src", o->place, "Directory `cargomon backup` wrote")->required();
  add_data_dir_option(*cmd, o->data_dir);
  add_store_option(*cmd, o->store);
  cmd->add_flag("--force", o->force, "Replace the store --data-dir already holds");
}

}  // namespace cargomon::cli
