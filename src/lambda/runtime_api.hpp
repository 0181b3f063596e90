#pragma once
// A client of the Lambda Runtime API (version 2018-06-01), over the one HTTP
// client (net/http_client.hpp): no libcurl, no SDK.
//
//   GET  /2018-06-01/runtime/invocation/next             (waits with no timeout)
//   POST /2018-06-01/runtime/invocation/{id}/response
//   POST /2018-06-01/runtime/invocation/{id}/response    streamed (ResponseStream)
//   POST /2018-06-01/runtime/invocation/{id}/error       {"errorMessage","errorType"}
//   POST /2018-06-01/runtime/init/error                  {"errorMessage","errorType"}
//
// Errors carry the Lambda-Runtime-Function-Error-Type header too.
//
// Response streaming, as AWS's "Building a custom runtime" describes it
// (runtimes-custom, "Implementing response streaming") and as
// aws-lambda-nodejs-runtime-interface-client (src/ResponseStream.js) and
// aws-lambda-rust-runtime (lambda-runtime/src/requests.rs) implement it: the
// response is posted with `Lambda-Runtime-Function-Response-Mode: streaming`
// and `Transfer-Encoding: chunked`, its body written as it is produced; a
// `Trailer` header announces `Lambda-Runtime-Function-Error-Type` and
// `Lambda-Runtime-Function-Error-Body`, which report an error found once the
// body has started (the body: base64 of the same JSON as /error's). Lambda
// answers once the body has ended.
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
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

class RuntimeApi;

// One streamed response in progress; from RuntimeApi::stream_response().
// Make no other call on its RuntimeApi until it has ended (finish() or
// fail(), or its destruction, which drops the connection: Lambda then sees
// the body cut short).
class ResponseStream {
 public:
  ~ResponseStream();
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;
  ResponseStream(ResponseStream&&) = delete;
  ResponseStream& operator=(ResponseStream&&) = delete;

  // Sends `bytes` as one chunk now. Throws RuntimeApiError when the
  // connection fails; the stream has then ended.
  void write(std::string_view bytes);
  // The same for several pieces, sent as one chunk without being joined.
  void write(std::span<const std::string_view> pieces);
  // Ends the body. Whether Lambda accepted the response (202), as
  // RuntimeApi::respond answers; Lambda's 500 or no answer throws.
  bool finish();
  // Ends the body with the error trailers instead.
  bool fail(const std::string& error_type, const std::string& message);
  // Body bytes written so far.
  std::size_t written() const { return written_; }

 private:
  friend class RuntimeApi;
  ResponseStream(RuntimeApi& runtime, std::string target);
  bool end(const std::vector<net::Header>& trailers);

  RuntimeApi& runtime_;
  std::string target_;
  std::size_t written_ = 0;
  bool open_ = true;
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
  // Starts a streamed response to `request_id` of `content_type` (its head
  // is written now). Throws RuntimeApiError when the connection fails.
  std::unique_ptr<ResponseStream> stream_response(const std::string& request_id,
                                                  std::string_view content_type);

  // What /error and /init/error carry.
  static std::string error_body(const std::string& error_type, const std::string& message);

 private:
  friend class ResponseStream;
  net::Response call(std::string_view method, const std::string& target,
                     std::string_view content_type, std::string_view body,
                     std::string_view error_type, std::chrono::steady_clock::time_point deadline);
  bool post(const std::string& target, std::string_view content_type, std::string_view body,
            std::string_view error_type);

  boost::asio::io_context io_;
  std::unique_ptr<net::HttpClient> client_;
};

}  // namespace cargomon::lambda
