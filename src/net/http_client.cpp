// The only translation unit of src/net that includes Beast.

#include "net/http_client.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <stdexcept>

namespace cargomon::net {
namespace {

using boost::asio::ip::tcp;
namespace asio = boost::asio;
namespace beast = boost::beast;
// Expected failures (refused, reset, timed out) are values, not exceptions.
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// A stream's head must fit in this; its body is the caller's business.
constexpr std::uint32_t kMaxHeadBytes = 64 * 1024;

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_body_semantics(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

Result failure(const char* stage, const beast::error_code& ec) {
  Result result;
  result.error = ec;
  result.stage = stage;
  return result;
}

}  // namespace

std::shared_ptr<const ServerAddress> ServerAddress::resolve(const std::string& host,
                                                            const std::string& port) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto address = std::make_shared<ServerAddress>();
  address->endpoints = resolver.resolve(host, port, ec);
  if (ec) throw std::runtime_error("cannot resolve " + host + ":" + port + ": " + ec.message());
  const bool ipv6 = host.find(':') != std::string::npos;
  address->host_header = (ipv6 ? "[" + host + "]" : host) + ":" + port;
  return address;
}

const std::string* Response::header(std::string_view lower_name) const {
  const std::string* found = nullptr;
  for (const auto& [name, value] : headers) {
    if (name == lower_name) found = &value;
  }
  return found;
}

std::string Result::describe() const {
  if (response) return "";
  return std::string(stage) + ": " + error.message();
}

struct HttpClient::Impl {
  Impl(asio::any_io_executor executor, std::shared_ptr<const ServerAddress> server,
       ClientOptions options)
      : stream(std::move(executor)), server(std::move(server)), options(std::move(options)) {}

  // The TCP stream under TLS, or the plain one.
  beast::tcp_stream& tcp_stream() { return secure ? beast::get_lowest_layer(*secure) : stream; }

  // Connects (and with TLS, shakes hands, checking the server's name) if
  // needed and writes the request (only its head when `chunked`: the body
  // follows in chunks); empty when that went well.
  asio::awaitable<std::optional<Result>> send(const Request& request,
                                              std::chrono::steady_clock::time_point deadline,
                                              bool chunked = false) {
    if (!open) {
      // A fresh TLS session per connection: a closed one cannot be reused.
      if (options.tls) secure.emplace(stream.get_executor(), *options.tls);
      tcp_stream().expires_at(deadline);
      auto ec = options.local_address ? co_await connect_from(*options.local_address)
                                      : co_await connect();
      if (ec) co_return fail("connect", ec);
      tcp_stream().socket().set_option(tcp::no_delay(true), ec);
      if (secure) {
        if (SSL_set_tlsext_host_name(secure->native_handle(), options.tls_server_name.c_str()) !=
            1) {
          co_return fail("connect", asio::error::invalid_argument);
        }
        secure->set_verify_callback(asio::ssl::host_name_verification(options.tls_server_name));
        auto [handshake_ec] =
            co_await secure->async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (handshake_ec) co_return fail("connect", handshake_ec);
      }
      buffer.clear();
      open = true;
    }
    header.clear();
    header += request.method;
    header += ' ';
    header += request.target;
    header += " HTTP/1.1\r\nHost: ";
    header += server->host_header;
    header += "\r\n";
    if (!options.user_agent.empty()) {
      header += "User-Agent: ";
      header += options.user_agent;
      header += "\r\n";
    }
    for (const auto& [name, value] : request.headers) {
      header += name;
      header += ": ";
      header += value;
      header += "\r\n";
    }
    const std::string_view body = chunked ? std::string_view() : request.body;
    if (chunked) {
      header += "Transfer-Encoding: chunked\r\n";
    } else if (!body.empty() || has_body_semantics(request.method)) {
      header += "Content-Length: ";
      header += std::to_string(body.size());
      header += "\r\n";
    }
    header += "\r\n";
    const std::array<asio::const_buffer, 2> bytes{asio::buffer(header),
                                                  asio::buffer(body.data(), body.size())};
    co_return co_await write(bytes, deadline);
  }

  asio::awaitable<beast::error_code> connect() {
    auto [ec, endpoint] = co_await tcp_stream().async_connect(server->endpoints, use_tuple);
    co_return ec;
  }

  // As connect(), from `local`: the socket is bound before it connects, so
  // each endpoint is tried on a socket of its own, opened and bound here
  // (beast's range connect would reopen it unbound).
  asio::awaitable<beast::error_code> connect_from(const asio::ip::address& local) {
    beast::error_code ec = asio::error::address_family_not_supported;
    for (const auto& entry : server->endpoints) {
      const tcp::endpoint endpoint = entry.endpoint();
      if (endpoint.address().is_v4() != local.is_v4()) continue;
      auto& socket = tcp_stream().socket();
      beast::error_code ignored;
      socket.close(ignored);
      socket.open(endpoint.protocol(), ec);
      if (!ec) socket.bind(tcp::endpoint(local, 0), ec);
      if (ec) continue;
      auto [connect_ec] = co_await tcp_stream().async_connect(endpoint, use_tuple);
      ec = connect_ec;
      if (!ec || ec == beast::error::timeout) break;
    }
    co_return ec;
  }

  // Writes `bytes` on the open connection by `deadline`; empty when that went well.
  template <class Buffers>
  asio::awaitable<std::optional<Result>> write(const Buffers& bytes,
                                               std::chrono::steady_clock::time_point deadline) {
    tcp_stream().expires_at(deadline);
    beast::error_code ec;
    if (secure) {
      auto [written_ec, written] = co_await asio::async_write(*secure, bytes, use_tuple);
      ec = written_ec;
    } else {
      auto [written_ec, written] = co_await asio::async_write(stream, bytes, use_tuple);
      ec = written_ec;
    }
    if (ec) co_return fail("send", ec);
    co_return std::nullopt;
  }

  // Reads the answer to the request just sent.
  asio::awaitable<Result> receive() {
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(options.body_limit);
    beast::error_code ec;
    if (secure) {
      auto [read_ec, read] = co_await beast::http::async_read(*secure, buffer, parser, use_tuple);
      ec = read_ec;
    } else {
      auto [read_ec, read] = co_await beast::http::async_read(stream, buffer, parser, use_tuple);
      ec = read_ec;
    }
    if (ec) co_return fail("receive", ec);
    tcp_stream().expires_never();
    auto& message = parser.get();
    Result result;
    result.response = head_of(message);
    result.response->body = std::move(message.body());
    if (!message.keep_alive()) close();
    co_return result;
  }

  template <class Message>
  Response head_of(const Message& message) const {
    Response response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      std::string name = lower(field.name_string());
      if (options.kept_headers &&
          std::find(options.kept_headers->begin(), options.kept_headers->end(), name) ==
              options.kept_headers->end()) {
        continue;
      }
      response.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    return response;
  }

  Result fail(const char* stage, const beast::error_code& ec) {
    close();
    return failure(stage, ec);
  }

  void close() {
    beast::error_code ignored;
    // No TLS close_notify: the connection is dropped either way, and a
    // peer that is gone would make it wait.
    tcp_stream().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_stream().close();
    open = false;
  }

  beast::tcp_stream stream;                                    // plain connections
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;  // TLS ones
  std::shared_ptr<const ServerAddress> server;
  ClientOptions options;
  beast::flat_buffer buffer;
  std::string header;
  bool open = false;
};

HttpClient::HttpClient(asio::any_io_executor executor, std::shared_ptr<const ServerAddress> server,
                       ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(server), std::move(options))) {}

HttpClient::~HttpClient() = default;

asio::awaitable<Result> HttpClient::request(const Request& request,
                                            std::chrono::steady_clock::time_point deadline) {
  auto& s = *impl_;
  if (auto failed = co_await s.send(request, deadline)) co_return std::move(*failed);
  co_return co_await s.receive();
}

asio::awaitable<std::optional<Result>> HttpClient::begin_chunked(
    const Request& request, std::chrono::steady_clock::time_point deadline) {
  co_return co_await impl_->send(request, deadline, true);
}

asio::awaitable<std::optional<Result>> HttpClient::write_chunk(
    std::string_view piece, std::chrono::steady_clock::time_point deadline) {
  if (piece.empty()) co_return std::nullopt;
  co_return co_await impl_->write(
      beast::http::make_chunk(asio::const_buffer(piece.data(), piece.size())), deadline);
}

asio::awaitable<std::optional<Result>> HttpClient::write_chunk(
    std::span<const std::string_view> pieces, std::chrono::steady_clock::time_point deadline) {
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(pieces.size());
  std::size_t size = 0;
  for (const auto piece : pieces) {
    buffers.emplace_back(piece.data(), piece.size());
    size += piece.size();
  }
  if (size == 0) co_return std::nullopt;  // a chunk of 0 bytes would end the body
  // A named local, not a temporary in the co_await expression (GCC 12
  // mishandles those with destructors, see http/connection_impl.hpp).
  const auto chunk = beast::http::make_chunk(buffers);
  co_return co_await impl_->write(chunk, deadline);
}

asio::awaitable<Result> HttpClient::finish_chunked(const std::vector<Header>& trailers,
                                                   std::chrono::steady_clock::time_point deadline) {
  auto& s = *impl_;
  beast::http::fields fields;
  for (const auto& [name, value] : trailers) {
    fields.insert(beast::string_view(name.data(), name.size()),
                  beast::string_view(value.data(), value.size()));
  }
  if (auto failed = co_await s.write(beast::http::make_chunk_last(fields), deadline)) {
    co_return std::move(*failed);
  }
  co_return co_await s.receive();
}

asio::awaitable<StreamHead> HttpClient::open_stream(
    const Request& request, std::chrono::steady_clock::time_point deadline) {
  auto& s = *impl_;
  StreamHead out;
  if (s.options.tls) {
    out.head = failure("connect", asio::error::operation_not_supported);
    co_return out;
  }
  if (auto failed = co_await s.send(request, deadline)) {
    out.head = std::move(*failed);
    co_return out;
  }
  beast::http::response_parser<beast::http::empty_body> parser;
  parser.header_limit(kMaxHeadBytes);
  auto [ec, read] = co_await beast::http::async_read_header(s.stream, s.buffer, parser, use_tuple);
  if (ec) {
    out.head = s.fail("receive", ec);
    co_return out;
  }
  s.stream.expires_never();
  out.head.response = s.head_of(parser.get());
  const auto surplus = s.buffer.data();
  out.body_start.assign(static_cast<const char*>(surplus.data()), surplus.size());
  s.buffer.consume(s.buffer.size());
  co_return out;
}

tcp::socket& HttpClient::socket() { return impl_->tcp_stream().socket(); }

void HttpClient::close() { impl_->close(); }

}  // namespace cargomon::net
