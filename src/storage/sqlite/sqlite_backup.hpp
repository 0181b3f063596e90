#pragma once
// Consistent copies of the embedded database, also while a server writes it.

#include <filesystem>
#include <string>

namespace cargomon::sqlite {

// Copies the database at `source` into the new file `target` with SQLite's
// online backup API, in one step: the copy is the database as of one
// committed transaction (a read snapshot of the write-ahead log), and the
// server's writer goes on committing meanwhile. `target` is one
// self-contained file (rollback journal mode, no -wal beside it), checked
// with PRAGMA integrity_check before this returns. Throws StoreUnavailable
// with SQLite's message, or what the check found.
void backup_database(const std::filesystem::path& source, const std::filesystem::path& target);

// PRAGMA integrity_check of the database at `path`, opened read-only: "ok",
// or the problems it lists (at most 10). Throws StoreUnavailable when the
// file cannot be opened as a database.
std::string integrity_check(const std::filesystem::path& path);

}  // namespace cargomon::sqlite
