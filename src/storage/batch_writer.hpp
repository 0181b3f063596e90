#pragma once
// Group commit, for every store that commits orders in batches: one writer
// thread takes every order queued while the previous commit ran (up to
// max_batch) and hands them to `commit` together, so a batch costs one
// transaction and one fsync however many orders it holds.
//
// `commit` runs on the writer thread, one batch at a time. It must answer
// every order of the batch exactly once (call its `done`), now or later (the
// SQLite store answers after its syncer's fdatasync, on another thread).
// Orders beyond max_pending, and orders submitted once stopping, are answered
// unavailable at once, on the caller's thread: the queue never grows without
// bound.
//
// Thread safety: submit() may be called from any thread; stop() and the
// destructor from one.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/commit_observer.hpp"
#include "storage/store.hpp"

namespace cargomon {

struct PendingOrder {
  Order order;
  OrderStore::RegisterDone done;
};

struct BatchWriterOptions {
  std::size_t max_pending = 50'000;
  std::size_t max_batch = 2'000;
  // Told each batch's size and commit time; null: nobody. Must outlive the writer.
  CommitObserver* observer = nullptr;
};

class BatchWriter {
 public:
  using Commit = std::function<void(std::vector<PendingOrder>& batch)>;

  // Starts the writer thread.
  BatchWriter(BatchWriterOptions options, Commit commit);
  ~BatchWriter();  // stop()
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  void submit(Order order, OrderStore::RegisterDone done);
  // Commits what is queued, then ends the writer thread. Idempotent.
  void stop();

 private:
  void run();

  const BatchWriterOptions options_;
  const Commit commit_;
  std::mutex mutex_;  // guards queue_ and stopping_
  std::condition_variable queued_;
  std::vector<PendingOrder> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cargomon
