#pragma once
// A client of the Lambda Runtime API (version 2018-06-01), over the one HTTP
// client (net/http_client.hpp): no libcurl, no SDK.
//
//   GET  /2018-06-01/runtime/invocation/next             (waits with no timeout)
//   POST /2018-06-01/runtime/invocation/{id}/response
//   POST /2018-06-01/runtime/invocation/{id}/error       {"errorMessage","errorType"}
//   POST /2018-06-01/runtime/init/error                  {"errorMessage","errorType"}
//
// Errors carry the Lambda-Runtime-Function-Error-Type header too.
// Synchronous: one invocation at a time, as a Lambda execution environment
// runs them. A failure to talk to the Runtime API itself is a
// RuntimeApiError: the environment is broken and the process should end (Lambda
// starts a new one).
//
// Not thread-safe: one thread drives it.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "net/http_client.hpp"

namespace cargomon::lambda {

struct Invocation {
  std::string request_id;    // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms;  // Lambda-Runtime-Deadline-Ms: Unix time, milliseconds
  std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;      // Lambda-Runtime-Trace-Id (also set as _X_AMZN_TRACE_ID)
  std::string event;         // the payload: the event's JSON
};

class RuntimeApiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RuntimeApi {
 public:
  // `endpoint`: AWS_LAMBDA_RUNTIME_API, "host:port". Throws RuntimeApiError
  // when it is not of that form or does not resolve.
  RuntimeApi(const std::string& endpoint, std::size_t max_event_bytes);
  ~RuntimeApi();
  RuntimeApi(const RuntimeApi&) = delete;
  RuntimeApi& operator=(const RuntimeApi&) = delete;
  RuntimeApi(RuntimeApi&&) = delete;
  RuntimeApi& operator=(RuntimeApi&&) = delete;

  // Waits for the next invocation, however long that takes (Lambda freezes
  // the process meanwhile).
  Invocation next();
  // Each returns whether Lambda accepted the post (202); a refusal (400,
  // 413: a payload too large) is false, and the invocation has failed on
  // Lambda's side. Lambda's 500 or no answer throws RuntimeApiError.
  bool respond(const std::string& request_id, const std::string& payload);
  bool fail(const std::string& request_id, const std::string& error_type,
            const std::string& message);
  bool fail_init(const std::string& error_type, const std::string& message);

  // What /error and /init/error carry.
  static std::string error_body(const std::string& error_type, const std::string& message);

 private:
  net::Response call(std::string_view method, const std::string& target,
                     std::string_view content_type, std::string_view body,
                     std::string_view error_type, std::chrono::steady_clock::time_point deadline);
  bool post(const std::string& target, std::string_view content_type, std::string_view body,
            std::string_view error_type);

  boost::asio::io_context io_;
  std::unique_ptr<net::HttpClient> client_;
};

}  // namespace cargomon::lambda
