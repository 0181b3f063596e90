// The group-commit writer both SQL stores use: what is queued while a commit
// runs goes into the next commit together, batches are bounded, a full queue
// refuses at once, and stopping commits everything queued.

#include "storage/batch_writer.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cargomon {
namespace {

Order order(const std::string& id) {
  Order o;
  o.order_id = id;
  return o;
}

// A commit that records each batch's order ids and answers them stored; it
// can be held (the next commit waits) until released.
class RecordingCommit {
 public:
  void operator()(std::vector<PendingOrder>& batch) {
    std::unique_lock lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& pending : batch) ids.push_back(pending.order.order_id);
    batches_.push_back(ids);
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    lock.unlock();
    for (auto& pending : batch) pending.done({RegisterStatus::stored, pending.order});
  }

  void hold() {
    const std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      const std::lock_guard lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }
  // Waits until `count` commits have begun.
  void wait_for_batches(std::size_t count) {
    std::unique_lock lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, std::chrono::seconds(10),
                                  [&] { return batches_.size() >= count; }));
  }
  std::vector<std::vector<std::string>> batches() {
    const std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  std::vector<std::vector<std::string>> batches_;
};

// Collects the answers; waits for a number of them.
class Answers {
 public:
  OrderStore::RegisterDone done(const std::string& id) {
    return [this, id](RegisterResult result) {
      const std::lock_guard lock(mutex_);
      statuses_.emplace_back(id, result.status);
      arrived_.notify_all();
    };
  }
  std::vector<std::pair<std::string, RegisterStatus>> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(arrived_.wait_for(lock, std::chrono::seconds(10),
                                  [&] { return statuses_.size() >= count; }));
    return statuses_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::pair<std::string, RegisterStatus>> statuses_;
};

class BatchWriterTest : public ::testing::Test {
 protected:
  // A writer whose first commit ("first") has begun and is held, so that
  // what the test submits next queues behind it.
  std::unique_ptr<BatchWriter> busy_writer(BatchWriterOptions options = {}) {
    auto writer = std::make_unique<BatchWriter>(
        options, [this](std::vector<PendingOrder>& batch) { commit_(batch); });
    commit_.hold();
    writer->submit(order("first"), answers_.done("first"));
    commit_.wait_for_batches(1);
    return writer;
  }
  void submit(BatchWriter& writer, std::initializer_list<std::string> ids) {
    for (const auto& id : ids) writer.submit(order(id), answers_.done(id));
  }

  RecordingCommit commit_;
  Answers answers_;
};

TEST_F(BatchWriterTest, OrdersQueuedDuringACommitShareTheNextOne) {
  const auto writer = busy_writer();
  submit(*writer, {"o0", "o1", "o2", "o3", "o4"});
  commit_.release();
  EXPECT_EQ(answers_.wait_for(6).size(), 6U);
  const auto batches = commit_.batches();
  ASSERT_EQ(batches.size(), 2U);
  EXPECT_EQ(batches[0], (std::vector<std::string>{"first"}));
  EXPECT_EQ(batches[1], (std::vector<std::string>{"o0", "o1", "o2", "o3", "o4"}));
}

TEST_F(BatchWriterTest, ABatchHoldsAtMostMaxBatchOrdersInArrivalOrder) {
  const auto writer = busy_writer({.max_pending = 100, .max_batch = 2});
  submit(*writer, {"a", "b", "c", "d", "e"});
  commit_.release();
  answers_.wait_for(6);
  const auto batches = commit_.batches();
  ASSERT_EQ(batches.size(), 4U);
  EXPECT_EQ(batches[1], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(batches[2], (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(batches[3], (std::vector<std::string>{"e"}));
}

// Records what a CommitObserver is told.
class RecordingObserver final : public CommitObserver {
 public:
  void batch_committed(std::size_t orders, std::chrono::nanoseconds took) override {
    const std::lock_guard lock(mutex_);
    sizes_.push_back(orders);
    EXPECT_GE(took.count(), 0);
  }
  void log_synced(std::chrono::nanoseconds /*took*/, bool ok) override {
    const std::lock_guard lock(mutex_);
    syncs_.push_back(ok);
  }
  std::vector<std::size_t> sizes() {
    const std::lock_guard lock(mutex_);
    return sizes_;
  }
  std::vector<bool> syncs() {
    const std::lock_guard lock(mutex_);
    return syncs_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::size_t> sizes_;
  std::vector<bool> syncs_;
};

TEST_F(BatchWriterTest, TheObserverIsToldEachBatchsSize) {
  RecordingObserver observer;
  const auto writer = busy_writer({.max_pending = 100, .max_batch = 2, .observer = &observer});
  submit(*writer, {"a", "b", "c"});
  commit_.release();
  answers_.wait_for(4);
  writer->stop();  // the last batch's report follows its answers
  EXPECT_EQ(observer.sizes(), (std::vector<std::size_t>{1, 2, 1}));
  EXPECT_TRUE(observer.syncs().empty());  // syncing is the store's, not the writer's
}

TEST_F(BatchWriterTest, AFullQueueAnswersUnavailableAtOnceOnTheCallersThread) {
  const auto writer = busy_writer({.max_pending = 2, .max_batch = 10});
  submit(*writer, {"a", "b"});
  const auto caller = std::this_thread::get_id();
  std::thread::id answered_on;
  RegisterStatus refused = RegisterStatus::stored;
  writer->submit(order("c"), [&](const RegisterResult& result) {
    answered_on = std::this_thread::get_id();
    refused = result.status;
  });
  EXPECT_EQ(refused, RegisterStatus::unavailable);
  EXPECT_EQ(answered_on, caller);
  commit_.release();
  const auto all = answers_.wait_for(3);
  EXPECT_EQ(all.size(), 3U);
  for (const auto& [id, status] : all) EXPECT_EQ(status, RegisterStatus::stored) << id;
}

TEST_F(BatchWriterTest, StoppingCommitsEverythingQueuedAndRefusesWhatComesAfter) {
  auto writer = busy_writer();
  submit(*writer, {"a", "b", "c"});
  std::thread stopper([&] { writer->stop(); });
  commit_.release();
  stopper.join();  // returns only once everything queued is committed
  EXPECT_EQ(answers_.wait_for(4).size(), 4U);
  RegisterStatus late = RegisterStatus::stored;
  writer->submit(order("late"), [&](const RegisterResult& result) { late = result.status; });
  EXPECT_EQ(late, RegisterStatus::unavailable);
  writer.reset();  // a second stop is harmless
  EXPECT_EQ(commit_.batches().size(), 2U);
}

}  // namespace
}  // namespace cargomon
