#include "aws/dynamodb_client.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>
#include <future>
#include <random>
#include <stdexcept>
#include <thread>

#include "net/http_client.hpp"

namespace cargomon::aws {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string text_of(const json::object& object, std::string_view key) {
  const auto* found = object.if_contains(key);
  if (found == nullptr || !found->is_string()) return {};
  return std::string(found->get_string());
}

}  // namespace

bool DynamoDbError::cancelled_by(std::string_view code) const {
  return std::find(cancellation_codes.begin(), cancellation_codes.end(), code) !=
         cancellation_codes.end();
}

DynamoDbError parse_error(std::string_view body) {
  DynamoDbError error;
  boost::system::error_code ec;
  const auto value = json::parse(body, ec);
  if (ec || !value.is_object()) {
    error.message = std::string(body.substr(0, 200));
    return error;
  }
  const auto& object = value.get_object();
  error.type = text_of(object, "__type");
  if (const auto hash = error.type.rfind('#'); hash != std::string::npos) {
    error.type.erase(0, hash + 1);
  }
  error.message = text_of(object, "message");
  if (error.message.empty()) error.message = text_of(object, "Message");
  if (const auto* reasons = object.if_contains("CancellationReasons");
      reasons != nullptr && reasons->is_array()) {
    for (const auto& reason : reasons->get_array()) {
      error.cancellation_codes.push_back(reason.is_object() ? text_of(reason.get_object(), "Code")
                                                            : std::string());
    }
  }
  return error;
}

bool is_retryable(int status, const DynamoDbError& error) {
  if (status == 0 || status >= 500) return true;  // no answer, or the service's fault
  const auto& type = error.type;
  if (type == "ThrottlingException" || type == "ProvisionedThroughputExceededException" ||
      type == "RequestLimitExceeded" || type == "InternalServerError") {
    return true;
  }
  // Only when nothing else refused the transaction: a failed condition is
  // an answer, whatever else happened beside it.
  if (type == "TransactionCanceledException") {
    return error.cancelled_by("TransactionConflict") &&
           !error.cancelled_by("ConditionalCheckFailed") &&
           !error.cancelled_by("ValidationError") &&
           !error.cancelled_by("ItemCollectionSizeLimitExceeded");
  }
  return false;
}

struct DynamoDbClient::Impl {
  Impl(ServiceConfig config, DynamoDbOptions options)
      : config(std::move(config)), options(options), guard(asio::make_work_guard(io)) {
    if (this->config.endpoint.tls) {
      // The system's trust store (ca-certificates), the endpoint's name
      // checked, TLS 1.2 at least (what AWS requires).
      auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
      tls->set_default_verify_paths();
      tls->set_verify_mode(asio::ssl::verify_peer);
      SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
      client_options.tls = std::move(tls);
      client_options.tls_server_name = this->config.endpoint.host;
    }
    server = net::ServerAddress::resolve(this->config.endpoint.host, this->config.endpoint.port);
    client_options.body_limit = options.response_limit;
    client_options.kept_headers = std::vector<std::string>{};
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    guard.reset();
    if (thread.joinable()) thread.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // On the I/O thread only, like idle and random.
  std::unique_ptr<net::HttpClient> take() {
    if (idle.empty())
      return std::make_unique<net::HttpClient>(io.get_executor(), server, client_options);
    auto client = std::move(idle.back());
    idle.pop_back();
    return client;
  }

  void give_back(std::unique_ptr<net::HttpClient> client) {
    if (idle.size() < options.max_idle) idle.push_back(std::move(client));
  }

  Clock::duration backoff(int attempt) {
    const auto ceiling = std::min<Clock::duration>(
        options.backoff_cap, options.backoff_base * (std::int64_t{1} << std::min(attempt, 20)));
    std::uniform_int_distribution<Clock::rep> pick(0, ceiling.count());
    return Clock::duration(pick(random));
  }

  asio::awaitable<DynamoDbResult> run(std::string target, std::string body) {
    const auto deadline = Clock::now() + options.call_deadline;
    DynamoDbResult result;
    for (int attempt = 0;; ++attempt) {
      // Signed anew each attempt: the signature covers the time.
      SigningInput input;
      input.method = "POST";
      input.headers = {{"Host", server->host_header},
                       {"Content-Type", "application/x-amz-json-1.0"},
                       {"X-Amz-Target", target}};
      input.body = body;
      const auto date = amz_date(static_cast<long long>(std::time(nullptr)));
      input.amz_date = date;
      input.region = config.region;
      input.service = "dynamodb";
      const auto signature = sign(config.credentials, input);
      net::Request request;
      request.method = "POST";
      request.target = "/";
      for (std::size_t i = 1; i < input.headers.size(); ++i) {
        request.headers.emplace_back(input.headers[i].first, input.headers[i].second);
      }
      for (const auto& [name, value] : signature.added_headers) {
        request.headers.emplace_back(name, value);
      }
      request.headers.emplace_back("Authorization", signature.authorization);
      request.body = body;

      auto client = take();
      const auto attempt_deadline = std::min(deadline, Clock::now() + options.attempt_timeout);
      auto answer = co_await client->request(request, attempt_deadline);
      give_back(std::move(client));

      result = DynamoDbResult{};
      if (!answer.response) {
        result.detail = "DynamoDB at " + server->host_header + ": " + answer.describe();
      } else {
        result.status = answer.response->status;
        if (result.status == 200) {
          boost::system::error_code ec;
          result.body = json::parse(answer.response->body, ec);
          if (!ec) {
            result.kind = DynamoDbResult::Kind::ok;
            co_return result;
          }
          result.status = 0;  // a garbled answer: as if none came
          result.detail = "DynamoDB answered unreadable JSON: " + ec.message();
        } else {
          result.error = parse_error(answer.response->body);
          result.detail = "DynamoDB: " + std::to_string(result.status) + " " + result.error.type +
                          ": " + result.error.message;
        }
      }
      if (!is_retryable(result.status, result.error)) {
        result.kind = DynamoDbResult::Kind::refused;
        co_return result;
      }
      const auto wait = backoff(attempt);
      if (attempt + 1 >= options.max_attempts || Clock::now() + wait >= deadline) {
        result.kind = DynamoDbResult::Kind::unavailable;
        result.detail += " (after " + std::to_string(attempt + 1) + " attempts)";
        co_return result;
      }
      asio::steady_timer timer(io, wait);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  void start(std::string_view operation, const json::object& request, Done done) {
    std::string target = "DynamoDB_20120810.";
    target += operation;
    asio::co_spawn(
        io, run(std::move(target), json::serialize(request)),
        [done = std::move(done)](const std::exception_ptr& error, DynamoDbResult result) {
          if (error) {
            result = DynamoDbResult{};
            try {
              std::rethrow_exception(error);
            } catch (const std::exception& e) {
              result.detail = std::string("DynamoDB client: ") + e.what();
            }
          }
          done(std::move(result));
        });
  }

  ServiceConfig config;
  DynamoDbOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::shared_ptr<const net::ServerAddress> server;
  net::ClientOptions client_options;
  std::vector<std::unique_ptr<net::HttpClient>> idle;
  std::mt19937_64 random{std::random_device{}()};
  std::thread thread;
};

DynamoDbClient::DynamoDbClient(ServiceConfig config, DynamoDbOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), options)) {}

DynamoDbClient::~DynamoDbClient() = default;

DynamoDbResult DynamoDbClient::call(std::string_view operation, const json::object& request) {
  std::promise<DynamoDbResult> answer;
  auto future = answer.get_future();
  impl_->start(operation, request,
               [&answer](DynamoDbResult result) { answer.set_value(std::move(result)); });
  return future.get();
}

void DynamoDbClient::call_async(std::string_view operation, const json::object& request,
                                Done done) {
  impl_->start(operation, request, std::move(done));
}

}  // namespace cargomon::aws
