#pragma once
// One process at a time serves (or restores) a SQLite data directory: two
// servers on one database would each believe their own caches and both run
// checkpoints, and a restore under a running server would swap its file away.
// An exclusive flock on <data-dir>/cargomon.lock says which process holds
// it; the kernel releases it when that process ends, however it ends, so a
// crash leaves nothing to clean up.

#include <filesystem>
#include <string>

namespace cargomon::cli {

class DataDirLock {
 public:
  // Takes the lock for `command` ("serve", "restore"), creating the data
  // directory (mode 0700) and the lock file (0600) if missing. When another
  // process holds it, throws std::runtime_error naming that process's
  // command and pid.
  DataDirLock(const std::filesystem::path& data_dir, const std::string& command);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  DataDirLock(DataDirLock&&) = delete;
  DataDirLock& operator=(DataDirLock&&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace cargomon::cli
