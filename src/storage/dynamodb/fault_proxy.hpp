#pragma once
// For tests: an HTTP proxy on loopback in front of DynamoDB (Local) that
// answers as DynamoDB does when it throttles, when a transaction meets
// another one, or when it fails, on cue. DynamoDB Local does none of these
// by itself.
//
// Each request is given to the test's `decide` with its X-Amz-Target
// operation ("TransactWriteItems") and its number (from 0, over all
// requests); the answer says whether to forward it, and what to answer.
//
// Thread safety: one thread per connection; `decide` is called on them, so
// it must be thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace cargomon::testing {

enum class Fault {
  none,                  // forwarded, answered as DynamoDB answered
  throttling,            // 400 ThrottlingException; not forwarded
  provisioned,           // 400 ProvisionedThroughputExceededException; not forwarded
  transaction_conflict,  // 400 TransactionCanceledException [TransactionConflict]; not forwarded
  server_error,          // 500; not forwarded
  lost_answer,           // forwarded (so it took effect), then answered 500
};

class FaultProxy {
 public:
  using Decide = std::function<Fault(std::string_view operation, std::int64_t number)>;

  // Listens on 127.0.0.1 (a free port) and forwards to `upstream` (http://host:port).
  FaultProxy(const std::string& upstream, Decide decide);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string url() const;      // http://127.0.0.1:PORT
  std::int64_t faults() const;  // requests answered with a fault so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cargomon::testing
