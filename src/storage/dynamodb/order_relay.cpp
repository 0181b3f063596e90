#include "storage/dynamodb/order_relay.hpp"

#include <spdlog/spdlog.h>

namespace cargomon {

namespace {
constexpr std::size_t kPage = 500;
}  // namespace

DynamoDbRelay::DynamoDbRelay(DynamoDbStore& store, LiveOrders::Publish publish,
                             DynamoDbRelayOptions options)
    : store_(store), publish_(std::move(publish)), options_(options) {
  // "From now on": every value drawn so far is history. Read here, so that
  // an order stored after subscribe() returns is published.
  try {
    passed_through_ = store_.drawn_sequence();
  } catch (const StoreUnavailable& e) {
    spdlog::warn("DynamoDB relay: starting without the sequence, will retry: {}", e.what());
  }
  thread_ = std::thread([this] { run(); });
}

DynamoDbRelay::~DynamoDbRelay() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

bool DynamoDbRelay::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return stop_cv_.wait_for(lock, timeout, [this] { return stopping_; });
}

void DynamoDbRelay::run() {
  while (!wait(options_.poll_interval)) {
    try {
      if (passed_through_ < 0) passed_through_ = store_.drawn_sequence();
      poll();
    } catch (const StoreUnavailable& e) {
      spdlog::warn("DynamoDB relay: {}", e.what());
    }
  }
}

void DynamoDbRelay::poll() {
  while (true) {
    const auto entries = store_.log_after(passed_through_, kPage);
    for (const auto& entry : entries) {
      if (entry.sequence != passed_through_ + 1) {
        // A lower value is not settled yet: wait for it, up to hole_timeout.
        const auto now = std::chrono::steady_clock::now();
        if (!hole_since_) hole_since_ = now;
        if (now - *hole_since_ < options_.hole_timeout) return;
        spdlog::warn("DynamoDB relay: sequence values {}..{} never settled; passed over",
                     passed_through_ + 1, entry.sequence - 1);
      }
      hole_since_.reset();
      if (entry.order) publish_(*entry.order);
      passed_through_ = entry.sequence;
    }
    if (entries.size() < kPage) return;
  }
}

}  // namespace cargomon
