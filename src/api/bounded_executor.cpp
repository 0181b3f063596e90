#include "api/bounded_executor.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cargomon::api {

BoundedExecutor::BoundedExecutor(std::string name, ExecutorLimits limits)
    : name_(std::move(name)), limits_(limits) {
  threads_.reserve(limits_.threads);
  for (std::size_t i = 0; i < limits_.threads; ++i) {
    threads_.emplace_back([this] {
      if (limits_.nice != 0) lower_priority();
      run();
    });
  }
}

void BoundedExecutor::lower_priority() const {
  // On Linux, setpriority with a thread id sets that thread's nice value alone.
  // Relative to the thread's own (a service's Nice= still applies), at most 19.
  const auto thread = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, thread);
  const int wanted = std::min(current + limits_.nice, 19);
  if (errno != 0 || ::setpriority(PRIO_PROCESS, thread, wanted) != 0) {
    spdlog::warn("{}: cannot set its threads' nice value to {}: {}", name_, wanted,
                 std::strerror(errno));
  }
}

BoundedExecutor::~BoundedExecutor() { stop(); }

void BoundedExecutor::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

bool BoundedExecutor::try_post(std::function<void()> work, std::size_t bytes) {
  {
    const std::lock_guard lock(mutex_);
    // One piece of work is always accepted into an empty queue, whatever
    // its size, so a large (but allowed) request is never refused on an
    // idle server.
    if (stopping_ || queue_.size() >= limits_.max_queued ||
        (!queue_.empty() && queued_bytes_ + bytes > limits_.max_queued_bytes)) {
      return false;
    }
    queue_.push_back({std::move(work), bytes});
    queued_bytes_ += bytes;
  }
  wake_.notify_one();
  return true;
}

std::size_t BoundedExecutor::queued() const {
  const std::lock_guard lock(mutex_);
  return queue_.size();
}

void BoundedExecutor::run() {
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Stopping still runs what was accepted: every request queued here
      // holds an answer that must be sent.
      if (queue_.empty()) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= item.bytes;
    }
    try {
      item.work();
    } catch (const std::exception& e) {
      spdlog::error("{}: work escaped with an exception (a bug): {}", name_, e.what());
    } catch (...) {
      spdlog::error("{}: work escaped with an exception of unknown type (a bug)", name_);
    }
  }
}

}  // namespace cargomon::api
