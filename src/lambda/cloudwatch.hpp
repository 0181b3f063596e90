#pragma once
// The invocation observer of `cargomon lambda`: JSON log lines (log/log.hpp) carry the
// request id while an invocation runs, and each invocation ends with its
// EMF line (emf.hpp), its store time from the TimedStore.

#include <chrono>
#include <memory>
#include <utility>

#include "lambda/emf.hpp"
#include "lambda/proxy_handler.hpp"
#include "lambda/timed_store.hpp"
#include "log/log.hpp"

namespace cargomon::lambda {

class CloudWatchReporting final : public InvocationObserver {
 public:
  CloudWatchReporting(std::shared_ptr<log::Lines> lines, TimedStore& store)
      : lines_(std::move(lines)), store_(store) {}

  void started(const Invocation& invocation) override {
    store_.take();  // what the store did between invocations is no one's
    lines_->set_request_id(invocation.request_id);
  }

  void finished(const Invocation& invocation, const Outcome& outcome,
                std::chrono::steady_clock::duration took) override {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    lines_->write_line(emf_line(measure(invocation, outcome, took, store_.take(), now)));
    lines_->set_request_id({});
  }

 private:
  std::shared_ptr<log::Lines> lines_;
  TimedStore& store_;
};

}  // namespace cargomon::lambda
