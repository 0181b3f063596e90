#pragma once
// DynamoDB's JSON protocol (POST /, X-Amz-Target: DynamoDB_20120810.<Op>,
// application/x-amz-json-1.0, signed with SigV4) over the project's one
// HTTP client (net/http_client.hpp).
//
// One I/O thread of its own runs every call; each call in flight holds one
// keep-alive connection, and connections are reused afterwards (up to
// max_idle are kept). Every attempt has a timeout, every call a deadline.
//
// Retry policy (retry_decision below): throttling
// (ThrottlingException, ProvisionedThroughputExceededException,
// RequestLimitExceeded), 5xx answers, connection failures and transactions
// cancelled only by TransactionConflict are retried with capped
// exponential backoff and full jitter (a random wait in [0, min(cap, base *
// 2^attempt)]), while attempts and the deadline last. A failed condition, a
// validation error and every other refusal come back at once: retrying
// cannot change them. A call whose retries ran out is `unavailable`.
//
// https:// endpoints (AWS) use TLS 1.2 or later, verified against the
// system's trust store and the endpoint's host name; http:// ones
// (DynamoDB Local, a proxy) are plain.
//
// Thread safety: call() and call_async() may be called from any thread
// except the client's own (call() would wait for itself).

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/environment.hpp"

namespace cargomon::aws {

struct DynamoDbOptions {
  std::size_t max_idle = 32;  // idle connections kept for reuse
  std::chrono::milliseconds attempt_timeout{5'000};
  std::chrono::milliseconds call_deadline{20'000};  // all attempts of one call
  int max_attempts = 10;
  std::chrono::milliseconds backoff_base{20};
  std::chrono::milliseconds backoff_cap{2'000};
  // Bounds a response's body: DynamoDB's own answers stay under about 1 MB
  // of data (a Query page, a BatchGetItem), a little more as JSON.
  std::uint64_t response_limit = std::uint64_t{8} << 20;
};

struct DynamoDbError {
  std::string type;  // after the '#' of __type: "ConditionalCheckFailedException"
  std::string message;
  // TransactionCanceledException: one code per item of the transaction
  // ("None" for the items that were fine).
  std::vector<std::string> cancellation_codes;

  bool cancelled_by(std::string_view code) const;
};

struct DynamoDbResult {
  enum class Kind {
    ok,           // `body` holds the answer
    refused,      // the service said no: `error`
    unavailable,  // no answer, or retries ran out: `detail`
  };
  Kind kind = Kind::unavailable;
  int status = 0;
  boost::json::value body;
  DynamoDbError error;
  std::string detail;
};

// Whether an answer (or its absence, status 0) is worth another attempt.
bool is_retryable(int status, const DynamoDbError& error);

// Decodes an error answer's body ({"__type": …, "message": …, "CancellationReasons": […]}).
DynamoDbError parse_error(std::string_view body);

class DynamoDbClient {
 public:
  using Done = std::function<void(DynamoDbResult)>;

  // Resolves the endpoint now; throws std::runtime_error when it cannot.
  explicit DynamoDbClient(ServiceConfig config, DynamoDbOptions options = {});
  // Waits for the calls in flight (each bounded by its deadline).
  ~DynamoDbClient();
  DynamoDbClient(const DynamoDbClient&) = delete;
  DynamoDbClient& operator=(const DynamoDbClient&) = delete;

  // Blocks the calling thread until the answer.
  DynamoDbResult call(std::string_view operation, const boost::json::object& request);
  // `done` runs once, on the client's thread; it must not block.
  void call_async(std::string_view operation, const boost::json::object& request, Done done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cargomon::aws
