// The only translation unit of src/sim that includes Beast.

#include "sim/http_connection.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <stdexcept>

namespace cargomon::sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxResponseBody = 1 << 20;

std::optional<std::chrono::seconds> retry_after(std::string_view value) {
  unsigned long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size())
    return std::nullopt;  // HTTP-date: not used here
  return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(seconds));
}

class HttpConnection final : public Connection {
 public:
  HttpConnection(asio::any_io_executor executor, const tcp::resolver::results_type& endpoints,
                 const std::string& host_header, std::chrono::milliseconds timeout)
      : stream_(std::move(executor)),
        endpoints_(endpoints),
        host_header_(host_header),
        timeout_(timeout) {}

  asio::awaitable<Exchange> post(std::string_view target, std::string_view bearer,
                                 std::string_view json) override {
    if (!open_) {
      stream_.expires_after(timeout_);
      auto [ec, endpoint] = co_await stream_.async_connect(endpoints_, use_tuple);
      if (ec) co_return failure("connect", ec);
      beast::error_code ignored;
      stream_.socket().set_option(tcp::no_delay(true), ignored);
      buffer_.clear();
      open_ = true;
    }

    header_.clear();
    header_ += "POST ";
    header_ += target;
    header_ += " HTTP/1.1\r\nHost: ";
    header_ += host_header_;
    header_ += "\r\nUser-Agent: cargomon-simulate\r\nContent-Type: application/json\r\n";
    if (!bearer.empty()) {
      header_ += "Authorization: Bearer ";
      header_ += bearer;
      header_ += "\r\n";
    }
    header_ += "Content-Length: ";
    header_ += std::to_string(json.size());
    header_ += "\r\n\r\n";
    const std::array<asio::const_buffer, 2> request{asio::buffer(header_),
                                                    asio::buffer(json.data(), json.size())};
    stream_.expires_after(timeout_);
    auto [write_ec, written] = co_await asio::async_write(stream_, request, use_tuple);
    if (write_ec) co_return failure("send", write_ec);

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    auto [read_ec, read] = co_await bhttp::async_read(stream_, buffer_, parser, use_tuple);
    if (read_ec) co_return failure("receive", read_ec);
    stream_.expires_never();

    auto& response = parser.get();
    Exchange exchange;
    exchange.reply.emplace();
    exchange.reply->status = static_cast<int>(response.result_int());
    if (const auto it = response.find(bhttp::field::retry_after); it != response.end()) {
      exchange.reply->retry_after = retry_after(it->value());
    }
    exchange.reply->body = std::move(response.body());
    if (!response.keep_alive()) close();
    co_return exchange;
  }

 private:
  Exchange failure(const char* what, const beast::error_code& ec) {
    close();
    Exchange exchange;
    exchange.error = std::string(what) + ": " + ec.message();
    return exchange;
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    open_ = false;
  }

  beast::tcp_stream stream_;
  const tcp::resolver::results_type& endpoints_;
  const std::string& host_header_;
  std::chrono::milliseconds timeout_;
  beast::flat_buffer buffer_;
  std::string header_;
  bool open_ = false;
};

class HttpConnectionFactory final : public ConnectionFactory {
 public:
  HttpConnectionFactory(const ServerUrl& url, std::chrono::milliseconds timeout)
      : timeout_(timeout) {
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::error_code ec;
    endpoints_ = resolver.resolve(url.host, url.port, ec);
    if (ec) {
      throw std::runtime_error("cannot resolve " + url.host + ":" + url.port + ": " + ec.message());
    }
    const bool ipv6 = url.host.find(':') != std::string::npos;
    host_header_ = (ipv6 ? "[" + url.host + "]" : url.host) + ":" + url.port;
  }

  std::unique_ptr<Connection> make(asio::any_io_executor executor) override {
    return std::make_unique<HttpConnection>(std::move(executor), endpoints_, host_header_,
                                            timeout_);
  }

 private:
  tcp::resolver::results_type endpoints_;
  std::string host_header_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<ConnectionFactory> make_http_connection_factory(const ServerUrl& url,
                                                                std::chrono::milliseconds timeout) {
  return std::make_unique<HttpConnectionFactory>(url, timeout);
}

}  // namespace cargomon::sim
