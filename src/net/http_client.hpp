#pragma once
// The one HTTP/1.1 client of cargomon's own tools and tests (simulator,
// cargomon-bench, the integration tests), of the DynamoDB client and of the
// Lambda Runtime API client: plain
// TCP or TLS (ClientOptions::tls), one keep-alive connection per
// HttpClient, one request at a time, (re)connecting when needed. A request is rendered by hand into
// one header text and written with its body in one gather write; the answer is read with
// Boost.Beast. Beast stays inside http_client.cpp.
//
// Failures are values, never exceptions: a Result without a response says at
// which stage (connect, send, receive) and why, and the connection is closed
// so the next request starts afresh. Nothing waits past the request's
// deadline.
//
// Not thread-safe: one HttpClient per coroutine chain (strand or thread).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cargomon::net {

using Header = std::pair<std::string_view, std::string_view>;

// A server's addresses, resolved once, and the Host header naming it.
// Immutable once made: share it between clients and threads.
struct ServerAddress {
  boost::asio::ip::tcp::resolver::results_type endpoints;
  std::string host_header;  // "host:port", an IPv6 address in brackets

  // Resolves now; throws std::runtime_error when it cannot.
  static std::shared_ptr<const ServerAddress> resolve(const std::string& host,
                                                      const std::string& port);
};

struct ClientOptions {
  std::string user_agent;  // no User-Agent header when empty
  std::uint64_t body_limit = std::uint64_t{1} << 20;
  // The response headers to keep (lower-case names); nullopt keeps them all.
  std::optional<std::vector<std::string>> kept_headers;
  // HTTPS when set: the context (trust store, verification mode, protocol
  // versions) and the name the server's certificate must carry (a host name
  // or an IP address), also sent as SNI. Each connection makes a fresh TLS
  // session. open_stream() and socket() are for plain connections only.
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::string tls_server_name;
  // The local address to connect from (port: any), when set: a load
  // generator playing clients of several addresses (127.0.0.x on Linux need
  // no setup). Only the server's endpoints of that address's family are
  // tried.
  std::optional<boost::asio::ip::address> local_address;
};

struct Request {
  std::string_view method = "GET";
  std::string_view target = "/";
  std::vector<Header> headers;  // written as given, after Host and User-Agent
  std::string_view body;        // Content-Length is sent with a body, and for POST/PUT/PATCH
};

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names, in order
  std::string body;

  // The last value of the header `lower_name`, or nullptr.
  const std::string* header(std::string_view lower_name) const;
};

struct Result {
  std::optional<Response> response;
  boost::system::error_code error;  // set when there is no response
  const char* stage = "";           // "connect", "send" or "receive" when there is none

  // "receive: end of stream"; empty with a response.
  std::string describe() const;
};

// The head of a response whose body the caller reads itself from socket()
// (an event stream), starting with `body_start`: the body bytes read along
// with the head.
struct StreamHead {
  Result head;  // its response has no body
  std::string body_start;
};

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor executor, std::shared_ptr<const ServerAddress> server,
             ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The request's views must stay valid until the awaitable completes.
  boost::asio::awaitable<Result> request(const Request& request,
                                         std::chrono::steady_clock::time_point deadline);

  // Sends the request and reads only the response's head (by `deadline`);
  // the connection then belongs to the body's reader: read it from socket(),
  // with no deadline, and make no other request before close().
  boost::asio::awaitable<StreamHead> open_stream(const Request& request,
                                                 std::chrono::steady_clock::time_point deadline);
  boost::asio::ip::tcp::socket& socket();

  // A request whose body is sent as it is produced, in the chunked transfer
  // coding (RFC 9112 section 7.1), for a caller that streams it (Lambda
  // response streaming): begin_chunked() writes the head with
  // Transfer-Encoding: chunked instead of Content-Length (`request.body` is
  // not sent; a Trailer header naming the trailer fields is the caller's),
  // write_chunk() one chunk per call (an empty piece writes nothing: it
  // would end the body; several pieces go out as one chunk, gathered, not
  // copied into one), and finish_chunked() the last chunk with
  // `trailers`, then reads the answer as request() does (bounded by
  // body_limit). Each step waits at most until its deadline; an empty
  // optional means it went well, a Result without a response that it
  // failed, and the connection is then closed: make no other request before
  // finish_chunked() or a failure. The views must stay valid until each
  // awaitable completes.
  boost::asio::awaitable<std::optional<Result>> begin_chunked(
      const Request& request, std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<std::optional<Result>> write_chunk(
      std::string_view piece, std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<std::optional<Result>> write_chunk(
      std::span<const std::string_view> pieces, std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<Result> finish_chunked(const std::vector<Header>& trailers,
                                                std::chrono::steady_clock::time_point deadline);

  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cargomon::net
