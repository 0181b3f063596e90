#include "storage/batch_writer.hpp"

#include <chrono>
#include <iterator>
#include <utility>

namespace cargomon {

BatchWriter::BatchWriter(BatchWriterOptions options, Commit commit)
    : options_(options), commit_(std::move(commit)) {
  thread_ = std::thread([this] { run(); });
}

BatchWriter::~BatchWriter() { stop(); }

void BatchWriter::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void BatchWriter::submit(Order order, OrderStore::RegisterDone done) {
  {
    const std::lock_guard lock(mutex_);
    if (queue_.size() < options_.max_pending && !stopping_) {
      queue_.push_back({std::move(order), std::move(done)});
      // The writer waits only on an empty queue.
      if (queue_.size() == 1) queued_.notify_one();
      return;
    }
  }
  done(RegisterResult{RegisterStatus::unavailable, {}});
}

void BatchWriter::run() {
  std::vector<PendingOrder> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      if (queue_.size() <= options_.max_batch) {
        batch.swap(queue_);
      } else {
        const auto end = queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_batch);
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
        queue_.erase(queue_.begin(), end);
      }
    }
    const auto started = std::chrono::steady_clock::now();
    const auto orders = batch.size();
    commit_(batch);
    if (options_.observer) {
      options_.observer->batch_committed(orders, std::chrono::steady_clock::now() - started);
    }
    batch.clear();
  }
}

}  // namespace cargomon
