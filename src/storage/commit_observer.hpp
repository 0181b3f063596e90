#pragma once
// What the group commit tells an operator's counters (metrics/), without
// storage knowing where they go: each batch's size and how long its
// transaction took, and each sync of the SQLite write-ahead log.
//
// Thread safety: called from the store's writer and syncer threads; an
// implementation must be safe to call concurrently and must not block.

#include <chrono>
#include <cstddef>

namespace cargomon {

class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  // A batch of `orders` was handed to the store's commit, which took `took`.
  virtual void batch_committed(std::size_t orders, std::chrono::nanoseconds took) = 0;
  // The write-ahead log was synced (fdatasync) in `took`; `ok` false: it failed.
  virtual void log_synced(std::chrono::nanoseconds took, bool ok) = 0;
};

}  // namespace cargomon
