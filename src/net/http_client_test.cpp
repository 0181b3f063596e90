#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "support/temp_dir.hpp"

namespace cargomon::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using std::chrono::steady_clock;

// A scripted server on the test's own io_context: it records every request
// (head and Content-Length body) and sends the next answer of the script,
// closing the connection after it if the script says so.
struct ScriptedServer {
  struct Answer {
    std::string bytes;  // empty: never answer
    bool close_after = false;
  };

  explicit ScriptedServer(asio::io_context& io)
      : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io, serve(), asio::detached);
  }

  std::string port() const { return std::to_string(acceptor.local_endpoint().port()); }

  asio::awaitable<void> serve() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++connections;
      boost::system::error_code peer_ec;
      peers.push_back(socket.remote_endpoint(peer_ec).address().to_string());
      std::string buffer;
      for (;;) {
        auto [read_ec, n] = co_await asio::async_read_until(
            socket, asio::dynamic_buffer(buffer), "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
        if (read_ec) break;
        const auto head_end = buffer.find("\r\n\r\n") + 4;
        const auto length_at = buffer.find("Content-Length: ");
        const std::size_t length =
            length_at < head_end ? std::stoul(buffer.substr(length_at + 16)) : 0;
        if (buffer.size() < head_end + length) {
          co_await asio::async_read(socket, asio::dynamic_buffer(buffer),
                                    asio::transfer_exactly(head_end + length - buffer.size()),
                                    asio::as_tuple(asio::use_awaitable));
        }
        requests.push_back(buffer.substr(0, head_end + length));
        buffer.erase(0, head_end + length);
        if (answers.empty()) co_return;
        const Answer answer = answers.front();
        answers.erase(answers.begin());
        if (answer.bytes.empty()) {
          held.push_back(std::move(socket));  // keep it open, silent
          break;
        }
        co_await asio::async_write(socket, asio::buffer(answer.bytes),
                                   asio::as_tuple(asio::use_awaitable));
        if (answer.close_after) break;
      }
    }
  }

  tcp::acceptor acceptor;
  std::vector<Answer> answers;
  std::vector<std::string> requests;
  std::vector<tcp::socket> held;
  std::vector<std::string> peers;  // each connection's client address
  int connections = 0;
};

template <class T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> out;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    out = std::move(value);
    io.stop();
  });
  io.restart();
  io.run();
  return std::move(*out);
}

steady_clock::time_point soon() { return steady_clock::now() + std::chrono::seconds(10); }

TEST(HttpClient, WritesTheRequestAsGivenAndKeepsOnlyTheHeadersAskedFor) {
  asio::io_context io;
  ScriptedServer server(io);
  server.answers.push_back(
      {"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nX-Other: y\r\nContent-Length: 2\r\n\r\n"
       "no"});
  ClientOptions options;
  options.user_agent = "cargomon-test";
  options.kept_headers = std::vector<std::string>{"retry-after"};
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()), options);
  Request request;
  request.method = "POST";
  request.target = "/registrar";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = "{}";
  const auto result = run(io, client.request(request, soon()));
  ASSERT_TRUE(result.response) << result.describe();
  EXPECT_EQ(result.response->status, 429);
  EXPECT_EQ(result.response->body, "no");
  ASSERT_NE(result.response->header("retry-after"), nullptr);
  EXPECT_EQ(*result.response->header("retry-after"), "3");
  EXPECT_EQ(result.response->header("x-other"), nullptr);
  ASSERT_EQ(server.requests.size(), 1u);
  EXPECT_EQ(server.requests[0], "POST /registrar HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() +
                                    "\r\nUser-Agent: cargomon-test\r\nContent-Type: "
                                    "application/json\r\nContent-Length: 2\r\n\r\n{}");
}

TEST(HttpClient, KeepsTheConnectionAliveAndReconnectsOnceTheServerClosedIt) {
  asio::io_context io;
  ScriptedServer server(io);
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1";
  server.answers = {
      {ok}, {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n2"}, {ok}};
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()));
  Request get;
  get.target = "/healthz";
  for (const char* body : {"1", "2", "1"}) {
    const auto result = run(io, client.request(get, soon()));
    ASSERT_TRUE(result.response) << result.describe();
    EXPECT_EQ(result.response->body, body);
  }
  EXPECT_EQ(server.connections, 2);
  // Without a body nor a method that has one: no Content-Length, all headers kept.
  EXPECT_EQ(server.requests[0],
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n");
}

TEST(HttpClient, ConnectsFromTheLocalAddressAskedFor) {
  asio::io_context io;
  ScriptedServer server(io);
  const std::string ok = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  server.answers = {{ok}, {ok}};
  ClientOptions options;
  // Any 127.0.0.0/8 address is the loopback interface's on Linux.
  options.local_address = asio::ip::make_address("127.0.0.2");
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()), options);
  Request get;
  for (int i = 0; i < 2; ++i) {  // and again once the server closed the first connection
    const auto result = run(io, client.request(get, soon()));
    ASSERT_TRUE(result.response) << result.describe();
  }
  EXPECT_EQ(server.peers, (std::vector<std::string>{"127.0.0.2", "127.0.0.2"}));
}

TEST(HttpClient, ALocalAddressOfAnotherFamilyThanTheServerIsAConnectFailure) {
  asio::io_context io;
  ScriptedServer server(io);
  ClientOptions options;
  options.local_address = asio::ip::make_address("::1");
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()), options);
  Request get;
  const auto result = run(io, client.request(get, soon()));
  EXPECT_FALSE(result.response);
  EXPECT_STREQ(result.stage, "connect");
}

TEST(HttpClient, ASilentServerIsAFailureAtTheDeadline) {
  asio::io_context io;
  ScriptedServer server(io);
  server.answers = {{""}};
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()));
  Request get;
  const auto result =
      run(io, client.request(get, steady_clock::now() + std::chrono::milliseconds(50)));
  EXPECT_FALSE(result.response);
  EXPECT_STREQ(result.stage, "receive");
  EXPECT_EQ(result.describe().rfind("receive: ", 0), 0u) << result.describe();
}

TEST(HttpClient, AStreamHandsOverTheBodyBytesReadWithItsHead) {
  asio::io_context io;
  ScriptedServer server(io);
  server.answers = {
      {"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\nevent: metrics\ndata: {}\n\n"}};
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()));
  Request get;
  get.target = "/eventos";
  const auto opened = run(io, client.open_stream(get, soon()));
  ASSERT_TRUE(opened.head.response) << opened.head.describe();
  EXPECT_EQ(opened.head.response->status, 200);
  ASSERT_NE(opened.head.response->header("content-type"), nullptr);
  EXPECT_EQ(opened.body_start, "event: metrics\ndata: {}\n\n");
}

// Reads one chunked request with Beast's own parser (an independent check
// of the encoding), keeping each chunk's data as it arrives, then answers 202.
struct ChunkedServer {
  explicit ChunkedServer(asio::io_context& io)
      : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io, serve(), asio::detached);
  }

  std::string port() const { return std::to_string(acceptor.local_endpoint().port()); }

  asio::awaitable<void> serve() {
    namespace http = boost::beast::http;
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    boost::beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    auto on_header = [this](std::uint64_t, boost::beast::string_view, boost::beast::error_code&) {
      pieces.emplace_back();
    };
    auto on_body = [this](std::uint64_t, boost::beast::string_view body,
                          boost::beast::error_code&) {
      pieces.back().append(body.data(), body.size());
      return body.size();
    };
    parser.on_chunk_header(on_header);
    parser.on_chunk_body(on_body);
    auto [head_ec, head_n] = co_await http::async_read_header(socket, buffer, parser,
                                                              asio::as_tuple(asio::use_awaitable));
    if (head_ec) co_return;
    keep_fields(parser.get());
    head_read = true;
    while (!parser.is_done()) {
      auto [read_ec, n] = co_await http::async_read_some(socket, buffer, parser,
                                                         asio::as_tuple(asio::use_awaitable));
      if (read_ec) co_return;
    }
    keep_fields(parser.get());  // with the trailers now
    target = std::string(parser.get().target());
    const std::string answer = "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nOK";
    co_await asio::async_write(socket, asio::buffer(answer), asio::as_tuple(asio::use_awaitable));
    held.push_back(std::move(socket));
  }

  template <class Message>
  void keep_fields(const Message& message) {
    fields.clear();
    for (const auto& field : message) {
      fields.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
  }

  std::string field(std::string_view name) const {
    std::string value;
    for (const auto& [n, v] : fields) {
      if (boost::beast::iequals(n, name)) value = v;
    }
    return value;
  }

  tcp::acceptor acceptor;
  bool head_read = false;
  std::vector<std::string> pieces;  // the data of each chunk, the last (empty) one included
  std::vector<std::pair<std::string, std::string>> fields;  // the head's, then the trailers
  std::string target;
  std::vector<tcp::socket> held;
};

// Runs `io` until `done` holds or 10 s pass; what a piece sent alone needs
// to reach the server while the client has nothing to do.
template <class Done>
bool run_until(asio::io_context& io, Done done) {
  const auto deadline = soon();
  io.restart();
  while (!done() && steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(10));
  return done();
}

TEST(HttpClient, SendsAChunkedBodyPieceByPieceWithTrailersAndReadsTheAnswer) {
  asio::io_context io;
  ChunkedServer server(io);
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()));
  Request request;
  request.method = "POST";
  request.target = "/stream";
  request.headers = {{"Trailer", "X-Error-Type"}};
  request.body = "never sent";
  EXPECT_FALSE(run(io, client.begin_chunked(request, soon())));
  ASSERT_TRUE(run_until(io, [&] { return server.head_read; }));
  EXPECT_EQ(server.field("Transfer-Encoding"), "chunked");
  EXPECT_EQ(server.field("Content-Length"), "");

  // Each piece reaches the server before the next is written.
  EXPECT_FALSE(run(io, client.write_chunk(std::string("prelude\0\0", 9), soon())));
  ASSERT_TRUE(
      run_until(io, [&] { return server.pieces.size() == 1 && server.pieces[0].size() == 9; }));
  EXPECT_FALSE(run(io, client.write_chunk("", soon())));  // nothing: it would end the body
  EXPECT_FALSE(run(io, client.write_chunk("event: x\n\n", soon())));
  ASSERT_TRUE(run_until(io, [&] { return server.pieces.size() == 2; }));
  EXPECT_EQ(server.pieces[1], "event: x\n\n");

  const auto result = run(io, client.finish_chunked({{"X-Error-Type", "Some.Error"}}, soon()));
  ASSERT_TRUE(result.response) << result.describe();
  EXPECT_EQ(result.response->status, 202);
  EXPECT_EQ(result.response->body, "OK");
  EXPECT_EQ(server.target, "/stream");
  EXPECT_EQ(server.pieces.size(), 3u);  // and the last chunk, empty
  EXPECT_EQ(server.field("X-Error-Type"), "Some.Error");
}

TEST(HttpClient, SeveralPiecesOfOneWriteGoOutAsOneChunk) {
  // The live stream's events are shared texts, written where they are.
  asio::io_context io;
  ChunkedServer server(io);
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()));
  Request request;
  request.method = "POST";
  request.target = "/stream";
  EXPECT_FALSE(run(io, client.begin_chunked(request, soon())));
  const std::array<std::string_view, 3> pieces{"event: a\n\n", "", "event: b\n\n"};
  EXPECT_FALSE(run(io, client.write_chunk(pieces, soon())));
  const std::array<std::string_view, 2> nothing{"", ""};
  EXPECT_FALSE(run(io, client.write_chunk(nothing, soon())));  // nothing: it would end the body
  const auto result = run(io, client.finish_chunked({}, soon()));
  ASSERT_TRUE(result.response) << result.describe();
  EXPECT_EQ(result.response->status, 202);
  ASSERT_EQ(server.pieces.size(), 2u);  // and the last chunk, empty
  EXPECT_EQ(server.pieces[0], "event: a\n\nevent: b\n\n");
}

// A TLS server on the test's io_context with a fresh self-signed
// certificate for 127.0.0.1: answers every request with `answer`, on one
// connection after another.
struct TlsServer {
  explicit TlsServer(asio::io_context& io)
      : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    cert = (dir.path() / "cert.pem").string();
    key = (dir.path() / "key.pem").string();
    const std::string make_cert =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        key + " -out " + cert + " 2>/dev/null";
    made = std::system(make_cert.c_str()) == 0;
    if (!made) return;
    context.use_certificate_chain_file(cert);
    context.use_private_key_file(key, asio::ssl::context::pem);
    asio::co_spawn(io, serve(), asio::detached);
  }

  std::string port() const { return std::to_string(acceptor.local_endpoint().port()); }

  asio::awaitable<void> serve() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++connections;
      boost::beast::ssl_stream<tcp::socket> stream(std::move(socket), context);
      auto [handshake_ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                            asio::as_tuple(asio::use_awaitable));
      if (handshake_ec) continue;
      std::string buffer;
      for (;;) {
        auto [read_ec, n] = co_await asio::async_read_until(
            stream, asio::dynamic_buffer(buffer), "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
        if (read_ec) break;
        buffer.erase(0, buffer.find("\r\n\r\n") + 4);
        auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(answer),
                                                              asio::as_tuple(asio::use_awaitable));
        if (write_ec) break;
      }
    }
  }

  cargomon::testing::TempDir dir;
  std::string cert, key;
  bool made = false;
  asio::ssl::context context{asio::ssl::context::tls_server};
  tcp::acceptor acceptor;
  std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  int connections = 0;
};

ClientOptions tls_options(const TlsServer& server, std::string name) {
  ClientOptions options;
  options.tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  options.tls->load_verify_file(server.cert);
  options.tls->set_verify_mode(asio::ssl::verify_peer);
  options.tls_server_name = std::move(name);
  return options;
}

TEST(HttpClient, SpeaksTlsOnOneKeptAliveConnection) {
  asio::io_context io;
  TlsServer server(io);
  ASSERT_TRUE(server.made) << "openssl is needed to make a test certificate";
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()),
                    tls_options(server, "127.0.0.1"));
  Request get;
  for (int i = 0; i < 2; ++i) {
    const auto result = run(io, client.request(get, soon()));
    ASSERT_TRUE(result.response) << result.describe();
    EXPECT_EQ(result.response->body, "ok");
  }
  EXPECT_EQ(server.connections, 1);
}

TEST(HttpClient, ATlsServerWithAnotherNameIsRefused) {
  asio::io_context io;
  TlsServer server(io);
  ASSERT_TRUE(server.made) << "openssl is needed to make a test certificate";
  HttpClient client(io.get_executor(), ServerAddress::resolve("127.0.0.1", server.port()),
                    tls_options(server, "dynamodb.us-east-1.amazonaws.com"));
  Request get;
  const auto result = run(io, client.request(get, soon()));
  EXPECT_FALSE(result.response);
  EXPECT_STREQ(result.stage, "connect");
}

TEST(ServerAddress, NamesTheServerInTheHostHeader) {
  EXPECT_EQ(ServerAddress::resolve("127.0.0.1", "8080")->host_header, "127.0.0.1:8080");
  EXPECT_EQ(ServerAddress::resolve("::1", "8080")->host_header, "[::1]:8080");
}

}  // namespace
}  // namespace cargomon::net
