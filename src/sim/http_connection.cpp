// The simulator's Connection over the project's one HTTP client.

#include "sim/http_connection.hpp"

#include <charconv>

#include "net/http_client.hpp"

namespace cargomon::sim {
namespace {

namespace asio = boost::asio;

std::optional<std::chrono::seconds> retry_after(std::string_view value) {
  unsigned long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size())
    return std::nullopt;  // HTTP-date: not used here
  return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(seconds));
}

net::ClientOptions simulator_options() {
  net::ClientOptions options;
  options.user_agent = "cargomon-simulate";
  options.kept_headers = std::vector<std::string>{"retry-after"};
  return options;
}

class HttpConnection final : public Connection {
 public:
  HttpConnection(asio::any_io_executor executor, std::shared_ptr<const net::ServerAddress> server,
                 std::chrono::milliseconds timeout)
      : client_(std::move(executor), std::move(server), simulator_options()), timeout_(timeout) {}

  asio::awaitable<Exchange> post(std::string_view target, std::string_view bearer,
                                 std::string_view json) override {
    net::Request request;
    request.method = "POST";
    request.target = target;
    request.body = json;
    request.headers.emplace_back("Content-Type", "application/json");
    // The server's reasons, quoted in the simulator's English report.
    request.headers.emplace_back("Accept-Language", "en");
    if (!bearer.empty()) {
      authorization_.assign("Bearer ").append(bearer);
      request.headers.emplace_back("Authorization", authorization_);
    }
    auto result = co_await client_.request(request, std::chrono::steady_clock::now() + timeout_);
    Exchange exchange;
    if (!result.response) {
      exchange.error = result.describe();
      co_return exchange;
    }
    auto& response = *result.response;
    exchange.reply.emplace();
    exchange.reply->status = response.status;
    if (const auto* value = response.header("retry-after")) {
      exchange.reply->retry_after = retry_after(*value);
    }
    exchange.reply->body = std::move(response.body);
    co_return exchange;
  }

 private:
  net::HttpClient client_;
  std::chrono::milliseconds timeout_;
  std::string authorization_;
};

class HttpConnectionFactory final : public ConnectionFactory {
 public:
  HttpConnectionFactory(const ServerUrl& url, std::chrono::milliseconds timeout)
      : server_(net::ServerAddress::resolve(url.host, url.port)), timeout_(timeout) {}

  std::unique_ptr<Connection> make(asio::any_io_executor executor) override {
    return std::make_unique<HttpConnection>(std::move(executor), server_, timeout_);
  }

 private:
  std::shared_ptr<const net::ServerAddress> server_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<ConnectionFactory> make_http_connection_factory(const ServerUrl& url,
                                                                std::chrono::milliseconds timeout) {
  return std::make_unique<HttpConnectionFactory>(url, timeout);
}

}  // namespace cargomon::sim
