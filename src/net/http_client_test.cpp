#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <string>
#include <vector>

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

TEST(ServerAddress, NamesTheServerInTheHostHeader) {
  EXPECT_EQ(ServerAddress::resolve("127.0.0.1", "8080")->host_header, "127.0.0.1:8080");
  EXPECT_EQ(ServerAddress::resolve("::1", "8080")->host_header, "[::1]:8080");
}

}  // namespace
}  // namespace cargomon::net
