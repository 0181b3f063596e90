#pragma once
// The executor the composition root gives handlers for blocking work: a
// fixed set of threads and a queue bounded in count and bytes
// (api::BlockingExecutor). What the threads run must not throw; if it does,
// the exception is logged and the thread goes on.
//
// Thread safety: try_post from any thread; stop() (or the destructor) runs
// what is queued, then joins the threads.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/exchange.hpp"

namespace cargomon::api {

struct ExecutorLimits {
  std::size_t threads = 2;
  std::size_t max_queued = 256;              // waiting work, not counting what runs
  std::size_t max_queued_bytes = 32u << 20;  // what the waiting work holds
  // Added to the threads' nice value (Linux: per thread; at most 19). Above 0 for work that may
  // take every core when asked to (password hashing), so that the network
  // and store threads are scheduled first while the CPU is contended, and
  // the work still runs at full speed on an idle machine.
  int nice = 0;
};

class BoundedExecutor final : public BlockingExecutor {
 public:
  BoundedExecutor(std::string name, ExecutorLimits limits);
  ~BoundedExecutor() override;
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;
  BoundedExecutor(BoundedExecutor&&) = delete;
  BoundedExecutor& operator=(BoundedExecutor&&) = delete;

  bool try_post(std::function<void()> work, std::size_t bytes) override;
  std::size_t queued() const;
  // Refuses new work, runs what is queued, joins the threads. Idempotent;
  // the destructor calls it.
  void stop();

 private:
  struct Item {
    std::function<void()> work;
    std::size_t bytes;
  };
  void run();
  void lower_priority() const;

  const std::string name_;
  const ExecutorLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  std::size_t queued_bytes_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Runs work at once on the caller's thread: for a runtime that serves one
// request at a time on its own thread (a Lambda invocation loop) and for
// tests that drive the Router synchronously.
class InlineExecutor final : public BlockingExecutor {
 public:
  bool try_post(std::function<void()> work, std::size_t /*bytes*/) override {
    work();
    return true;
  }
};

}  // namespace cargomon::api
