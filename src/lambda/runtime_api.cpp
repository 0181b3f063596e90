#include "lambda/runtime_api.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <cstdlib>

#include "lambda/proxy_event.hpp"
#include "net/run_to_completion.hpp"

namespace cargomon::lambda {
namespace {

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";
// Posting a response or an error is a loopback call to Lambda's own agent;
// if it takes this long, the environment is gone.
constexpr std::chrono::seconds kPostTimeout{30};
// The head of `next` and of the answers to posts is small; the event is
// bounded by Lambda's payload limit plus the JSON around it.
constexpr std::size_t kEnvelopeBytes = std::size_t{64} * 1024;
constexpr std::string_view kErrorTypeTrailer = "Lambda-Runtime-Function-Error-Type";
constexpr std::string_view kErrorBodyTrailer = "Lambda-Runtime-Function-Error-Body";

std::shared_ptr<const net::ServerAddress> resolve(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  if (endpoint.empty() || colon == std::string::npos || colon == 0 ||
      colon + 1 == endpoint.size()) {
    throw RuntimeApiError("AWS_LAMBDA_RUNTIME_API must be HOST:PORT, not \"" + endpoint + "\"");
  }
  try {
    return net::ServerAddress::resolve(endpoint.substr(0, colon), endpoint.substr(colon + 1));
  } catch (const std::exception& e) {
    throw RuntimeApiError(std::string("the Runtime API: ") + e.what());
  }
}

std::string header_or_empty(const net::Response& response, std::string_view name) {
  const auto* value = response.header(name);
  return value != nullptr ? *value : std::string();
}

// Plain HTTP on loopback; every header kept (the Lambda-Runtime-* ones).
net::ClientOptions client_options(std::size_t max_event_bytes) {
  net::ClientOptions options;
  options.user_agent = "cargomon";
  options.body_limit = max_event_bytes + kEnvelopeBytes;
  options.kept_headers = std::nullopt;
  return options;
}

}  // namespace

RuntimeApi::RuntimeApi(const std::string& endpoint, std::size_t max_event_bytes)
    : client_(std::make_unique<net::HttpClient>(io_.get_executor(), resolve(endpoint),
                                                client_options(max_event_bytes))) {}

RuntimeApi::~RuntimeApi() = default;

net::Response RuntimeApi::call(std::string_view method, const std::string& target,
                               std::string_view content_type, std::string_view body,
                               std::string_view error_type,
                               std::chrono::steady_clock::time_point deadline) {
  net::Request request;
  request.method = method;
  request.target = target;
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  if (!error_type.empty()) {
    request.headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
  }
  request.body = body;
  auto result = net::run_to_completion(io_, client_->request(request, deadline));
  if (!result.response) {
    throw RuntimeApiError(std::string(method) + " " + target + ": " + result.describe());
  }
  return std::move(*result.response);
}

Invocation RuntimeApi::next() {
  const std::string target = std::string(kPrefix) + "invocation/next";
  // No timeout: Lambda answers when there is an invocation, and freezes the
  // process while there is none.
  auto response = call("GET", target, "", "", "", std::chrono::steady_clock::time_point::max());
  if (response.status != 200) {
    throw RuntimeApiError("GET " + target + " answered " + std::to_string(response.status) + ": " +
                          response.body.substr(0, 512));
  }
  Invocation invocation;
  invocation.request_id = header_or_empty(response, "lambda-runtime-aws-request-id");
  // It goes into the paths of the posts that answer it.
  const bool usable =
      !invocation.request_id.empty() && invocation.request_id.size() <= 128 &&
      invocation.request_id.find_first_not_of(
          "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") == std::string::npos;
  if (!usable) {
    throw RuntimeApiError("GET " + target +
                          " answered without a usable Lambda-Runtime-Aws-Request-Id");
  }
  const std::string deadline = header_or_empty(response, "lambda-runtime-deadline-ms");
  invocation.deadline_ms = 0;
  std::from_chars(deadline.data(), deadline.data() + deadline.size(), invocation.deadline_ms);
  invocation.function_arn = header_or_empty(response, "lambda-runtime-invoked-function-arn");
  invocation.trace_id = header_or_empty(response, "lambda-runtime-trace-id");
  // X-Ray reads the current trace from the environment (the runtime
  // interface's documented contract); cargomon itself does not.
  if (!invocation.trace_id.empty()) {
    ::setenv("_X_AMZN_TRACE_ID", invocation.trace_id.c_str(), 1);
  } else {
    ::unsetenv("_X_AMZN_TRACE_ID");
  }
  invocation.event = std::move(response.body);
  return invocation;
}

bool RuntimeApi::post(const std::string& target, std::string_view content_type,
                      std::string_view body, std::string_view error_type) {
  const auto response = call("POST", target, content_type, body, error_type,
                             std::chrono::steady_clock::now() + kPostTimeout);
  // 202 Accepted; 400/413 mean the payload was refused (the invocation then
  // fails on Lambda's side), 500 that the environment must end.
  if (response.status >= 500) {
    throw RuntimeApiError("POST " + target + " answered " + std::to_string(response.status) + ": " +
                          response.body.substr(0, 512));
  }
  return response.status == 202;
}

bool RuntimeApi::respond(const std::string& request_id, const std::string& payload) {
  return post(std::string(kPrefix) + "invocation/" + request_id + "/response", "application/json",
              payload, "");
}

bool RuntimeApi::fail(const std::string& request_id, const std::string& error_type,
                      const std::string& message) {
  return post(std::string(kPrefix) + "invocation/" + request_id + "/error", "application/json",
              error_body(error_type, message), error_type);
}

bool RuntimeApi::fail_init(const std::string& error_type, const std::string& message) {
  return post(std::string(kPrefix) + "init/error", "application/json",
              error_body(error_type, message), error_type);
}

std::unique_ptr<ResponseStream> RuntimeApi::stream_response(const std::string& request_id,
                                                            std::string_view content_type) {
  const std::string target = std::string(kPrefix) + "invocation/" + request_id + "/response";
  net::Request request;
  request.method = "POST";
  request.target = target;
  request.headers = {
      {"Content-Type", content_type},
      {"Lambda-Runtime-Function-Response-Mode", "streaming"},
      {"Trailer", "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"}};
  auto failed = net::run_to_completion(
      io_, client_->begin_chunked(request, std::chrono::steady_clock::now() + kPostTimeout));
  if (failed) throw RuntimeApiError("POST " + target + ": " + failed->describe());
  return std::unique_ptr<ResponseStream>(new ResponseStream(*this, target));
}

ResponseStream::ResponseStream(RuntimeApi& runtime, std::string target)
    : runtime_(runtime), target_(std::move(target)) {}

ResponseStream::~ResponseStream() {
  // Cut short: the connection is in the middle of a body, unusable.
  if (open_) runtime_.client_->close();
}

void ResponseStream::write(std::string_view bytes) {
  write(std::span<const std::string_view>(&bytes, 1));
}

void ResponseStream::write(std::span<const std::string_view> pieces) {
  if (!open_) throw RuntimeApiError("POST " + target_ + ": the stream has ended");
  auto failed = net::run_to_completion(
      runtime_.io_,
      runtime_.client_->write_chunk(pieces, std::chrono::steady_clock::now() + kPostTimeout));
  if (failed) {
    open_ = false;  // the client has closed the connection
    throw RuntimeApiError("POST " + target_ + ": " + failed->describe());
  }
  for (const auto piece : pieces) written_ += piece.size();
}

bool ResponseStream::finish() { return end({}); }

bool ResponseStream::fail(const std::string& error_type, const std::string& message) {
  const std::string body = base64_encode(RuntimeApi::error_body(error_type, message));
  return end({{kErrorTypeTrailer, error_type}, {kErrorBodyTrailer, body}});
}

bool ResponseStream::end(const std::vector<net::Header>& trailers) {
  if (!open_) throw RuntimeApiError("POST " + target_ + ": the stream has ended");
  open_ = false;
  auto result = net::run_to_completion(
      runtime_.io_,
      runtime_.client_->finish_chunked(trailers, std::chrono::steady_clock::now() + kPostTimeout));
  if (!result.response) throw RuntimeApiError("POST " + target_ + ": " + result.describe());
  // As for a buffered post: 202 accepted, 4xx refused, 500 a broken environment.
  if (result.response->status >= 500) {
    throw RuntimeApiError("POST " + target_ + " answered " +
                          std::to_string(result.response->status) + ": " +
                          result.response->body.substr(0, 512));
  }
  return result.response->status == 202;
}

std::string RuntimeApi::error_body(const std::string& error_type, const std::string& message) {
  boost::json::object body;
  body["errorMessage"] = message;
  body["errorType"] = error_type;
  return boost::json::serialize(body);
}

}  // namespace cargomon::lambda
