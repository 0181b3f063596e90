#pragma once
// Brings the orders that every instance stores in the DynamoDB tables to
// this instance's live stream: in sequence order, each once, none skipped.
//
// DynamoDB has no notifications reachable without Streams and Lambda, so
// the relay polls the sequence log (every poll_interval) after the last
// value it passed. Values are drawn in blocks per batch, so they are not
// committed in order across instances (or across a batch's concurrent
// transactions): the relay passes a value only when every lower one is
// settled, that is, in the log as an order or as a void entry (written for
// every value whose order turned out to be a replay, a conflict or a
// failure). A hole that stays open past hole_timeout (longer than a
// writer's call deadline plus an attempt: no write can land later except
// one whose order was answered 503) is passed over: an instance killed with
// an unused block leaves such holes, and costs the streams that wait.
//
// Stopping (the destructor) is prompt between polls; a poll in flight ends
// within the client's deadline.
//
// Thread safety: one thread of its own; `publish` is called on it.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "storage/dynamodb/dynamodb_store.hpp"

namespace cargomon {

class DynamoDbRelay final : public LiveSubscription {
 public:
  DynamoDbRelay(DynamoDbStore& store, LiveOrders::Publish publish, DynamoDbRelayOptions options);
  ~DynamoDbRelay() override;
  DynamoDbRelay(const DynamoDbRelay&) = delete;
  DynamoDbRelay& operator=(const DynamoDbRelay&) = delete;

 private:
  void run();
  void poll();
  // Waits up to `timeout` or until stopping; true when stopping.
  bool wait(std::chrono::milliseconds timeout);

  DynamoDbStore& store_;
  LiveOrders::Publish publish_;
  DynamoDbRelayOptions options_;
  std::int64_t passed_through_ = -1;  // -1: not started (thread only)
  std::optional<std::chrono::steady_clock::time_point> hole_since_;  // thread only
  std::mutex mutex_;                                                 // guards stopping_
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cargomon
