#pragma once
// Brings the orders that every instance commits to this instance's live
// stream: in sequence order, each once, none skipped.
//
// A listener connection LISTENs on the store's channel; each write
// transaction NOTIFYs it when (and only if) it commits. A notification is a
// wake-up, not the data: the relay then reads the committed orders after the
// last one it published, up to PostgresStore::settled_sequence(), and
// publishes them in sequence order. Below the settled sequence every value is
// committed or never will be, so an order from a transaction still in flight
// (on any instance) is never overtaken by a later one, and values lost to
// rolled-back transactions or to ON CONFLICT are passed over exactly, not
// after a guessed timeout. The relay also looks once a second without a
// notification, so a missed wake-up only costs latency.
//
// When the connection breaks (server stopped, restarted, network cut) the
// relay reconnects with backoff and catches up from where it was.
//
// Stopping (the destructor) is prompt: the thread stops between pages, and a
// query in flight is cancelled (PostgresStore::cancel_reads).
//
// What PostgresStore::subscribe returns (LiveOrders, storage/store.hpp).
//
// Thread safety: one thread of its own; `publish` is called on it.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "storage/postgres/postgres_store.hpp"

namespace cargomon {

class OrderRelay final : public LiveSubscription {
 public:
  using Publish = LiveOrders::Publish;

  // Starts listening; orders committed from then on are published (earlier
  // ones are history, for resuming clients to read from the store).
  OrderRelay(PostgresStore& store, Publish publish);
  ~OrderRelay() override;
  OrderRelay(const OrderRelay&) = delete;
  OrderRelay& operator=(const OrderRelay&) = delete;

 private:
  void run();
  // Publishes what settled since the last call; false when the store did not answer.
  bool catch_up();
  // Waits up to `timeout` for the listener's socket (or -1: none) or a stop;
  // true when the socket has input.
  bool wait(int socket, std::chrono::milliseconds timeout);

  PostgresStore& store_;
  Publish publish_;
  std::unique_ptr<pg::Connection> listener_;  // used by the thread once started
  std::int64_t published_through_ = -1;       // -1: not started
  std::atomic<bool> stopping_{false};
  int wake_[2] = {-1, -1};  // a pipe that ends the wait when stopping
  std::mutex finished_mutex_;
  std::condition_variable finished_cv_;
  bool finished_ = false;  // run() returned (guarded by finished_mutex_)
  std::thread thread_;
};

}  // namespace cargomon
