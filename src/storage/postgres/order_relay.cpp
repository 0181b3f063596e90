#include "storage/postgres/order_relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

namespace cargomon {
namespace {

constexpr std::size_t kPage = 1000;
constexpr std::chrono::milliseconds kIdleLook{1000};
constexpr std::chrono::milliseconds kRetry{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
constexpr std::chrono::milliseconds kCancelEvery{50};

}  // namespace

OrderRelay::OrderRelay(PostgresStore& store, Publish publish)
    : store_(store), publish_(std::move(publish)) {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
  // Start listening now, so that every order committed after construction is
  // published; when the server does not answer, the thread keeps trying (and
  // then starts from where the store is when it first answers).
  try {
    listener_ = store_.listen();
    published_through_ = store_.settled_sequence();
  } catch (const StoreUnavailable& e) {
    spdlog::warn("live events: cannot listen to PostgreSQL yet: {}", e.what());
    listener_.reset();
  }
  thread_ = std::thread([this] {
    run();
    std::lock_guard lock(finished_mutex_);
    finished_ = true;
    finished_cv_.notify_all();
  });
}

OrderRelay::~OrderRelay() {
  stopping_ = true;
  const char byte = 1;
  [[maybe_unused]] const auto written = write(wake_[1], &byte, 1);
  // A query in flight (a long catch-up, a slow server) is cancelled rather
  // than waited for; again until the thread has seen stopping_, in case it
  // began another one in between.
  {
    std::unique_lock lock(finished_mutex_);
    while (!finished_cv_.wait_for(lock, kCancelEvery, [&] { return finished_; })) {
      lock.unlock();
      store_.cancel_reads();
      lock.lock();
    }
  }
  thread_.join();
  close(wake_[0]);
  close(wake_[1]);
}

bool OrderRelay::wait(int socket, std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{wake_[0], POLLIN, 0}, {socket, POLLIN, 0}};
  const nfds_t count = socket >= 0 ? 2 : 1;
  if (poll(fds, count, static_cast<int>(timeout.count())) <= 0) return false;
  if ((fds[0].revents & POLLIN) != 0) return false;  // stopping
  return count == 2 && fds[1].revents != 0;
}

bool OrderRelay::catch_up() {
  try {
    while (!stopping_) {
      const auto orders = store_.orders_after(published_through_, kPage);
      for (const auto& order : orders) {
        publish_(order);
        published_through_ = order.sequence;
      }
      if (orders.size() < kPage) return true;
    }
    return false;  // stopping
  } catch (const StoreUnavailable& e) {
    spdlog::debug("live events wait for PostgreSQL: {}", e.what());
    return false;
  }
}

void OrderRelay::run() {
  auto& listener = listener_;
  auto backoff = kRetry;
  bool behind = true;
  while (!stopping_) {
    if (!listener) {
      try {
        listener = store_.listen();
        // LISTEN first, then the starting point: nothing committed in
        // between is lost.
        if (published_through_ < 0) published_through_ = store_.settled_sequence();
        if (backoff > kRetry) spdlog::info("live events: listening to PostgreSQL again");
        backoff = kRetry;
        behind = true;
      } catch (const StoreUnavailable& e) {
        if (backoff == kRetry)
          spdlog::warn("live events: cannot listen to PostgreSQL: {}", e.what());
        listener.reset();
        wait(-1, backoff);
        backoff = std::min(backoff * 2, kMaxBackoff);
        continue;
      }
    }
    if (behind) behind = !catch_up();
    const bool input = wait(listener->socket(), behind ? kRetry : kIdleLook);
    if (stopping_) break;
    if (!input) {
      behind = true;  // nothing heard for a while: look anyway
      continue;
    }
    if (!listener->consume_input()) {
      spdlog::warn("live events: the PostgreSQL listener connection was lost; reconnecting");
      listener.reset();
      backoff = kRetry * 2;
      continue;
    }
    if (!listener->notifications().empty()) behind = true;
  }
}

}  // namespace cargomon
