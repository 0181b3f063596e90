#include "support/http_client.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>
#include <deque>

#include "net/event_stream_parser.hpp"
#include "net/http_client.hpp"
#include "net/run_to_completion.hpp"

namespace cargomon::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

boost::json::value HttpResponse::json() const { return boost::json::parse(body); }

std::string HttpResponse::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string HttpResponse::detail() const {
  try {
    const auto value = json();
    const auto& detail = value.at("detail");
    if (detail.is_string()) return std::string(detail.as_string());
    std::string out;
    for (const auto& entry : detail.as_array()) {
      out += boost::json::serialize(entry.at("loc")) + " " +
             std::string(entry.at("msg").as_string()) + "; ";
    }
    return out;
  } catch (const std::exception&) {
    return "";
  }
}

namespace {

using net::run_to_completion;

std::shared_ptr<const net::ServerAddress> loopback(unsigned short port) {
  return net::ServerAddress::resolve("127.0.0.1", std::to_string(port));
}

net::ClientOptions test_client_options() {
  net::ClientOptions options;
  options.body_limit = std::uint64_t{64} * 1024 * 1024;
  return options;
}

// A view of its arguments: they must outlive the request (string_views, so
// that literals are not turned into temporaries the request would outlive).
net::Request to_request(std::string_view method, std::string_view target, std::string_view body,
                        const std::vector<std::pair<std::string, std::string>>& headers) {
  net::Request request;
  request.method = method;
  request.target = target;
  request.body = body;
  for (const auto& [name, value] : headers) request.headers.emplace_back(name, value);
  // The tests read the API's messages in English, the code's language,
  // unless a test asks for another; the Spanish default has tests of its
  // own (ServerLanguage.*).
  const bool chosen = std::ranges::any_of(headers, [](const auto& header) {
    return boost::beast::iequals(header.first, "Accept-Language");
  });
  if (!chosen) request.headers.emplace_back("Accept-Language", "en");
  return request;
}

}  // namespace

struct HttpClient::Connection {
  explicit Connection(unsigned short port)
      : client(io.get_executor(), loopback(port), test_client_options()) {}
  asio::io_context io;
  net::HttpClient client;
};

HttpClient::HttpClient(unsigned short port)
    : port_(port), connection_(std::make_unique<Connection>(port)) {}
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  const auto request = to_request(method, target, body, headers);
  auto& c = *connection_;
  for (int attempt = 0;; ++attempt) {
    auto result = run_to_completion(
        c.io,
        c.client.request(request, std::chrono::steady_clock::now() + std::chrono::seconds(30)));
    if (!result.response) {
      // The server may have closed a kept-alive connection: retry once fresh.
      if (attempt == 0) continue;
      throw boost::system::system_error(result.error, result.describe());
    }
    HttpResponse out;
    out.status = result.response->status;
    for (auto& [name, value] : result.response->headers) out.headers[name] = std::move(value);
    out.body = std::move(result.response->body);
    return out;
  }
}

HttpResponse HttpClient::get(const std::string& target, const std::string& token) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return request("GET", target, "", headers);
}

HttpResponse HttpClient::post_json(const std::string& target, const std::string& body,
                                   const std::string& token) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return request("POST", target, body, headers);
}

namespace {

// Reads whatever arrives within `timeout` (Beast's timeouts apply only to
// asynchronous operations, so this reads asynchronously and runs the loop
// for at most that long). Returns false when the peer closed or failed.
bool read_for(asio::io_context& io, tcp::socket& socket, std::string& into,
              std::chrono::milliseconds timeout) {
  char chunk[8192];
  bool open = true;
  bool got = false;
  socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
    into.append(chunk, n);
    got = true;
    if (ec) open = false;
  });
  io.restart();
  io.run_for(timeout);
  if (!got) {
    socket.cancel();
    io.restart();
    io.run();  // let the cancelled read complete
  }
  return open;
}

}  // namespace

std::string HttpClient::raw(const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  asio::write(socket, asio::buffer(bytes));
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (!read_for(io, socket, received, left)) break;
  }
  return received;
}

std::string HttpClient::login(const std::string& username, const std::string& password) {
  const auto res =
      post_json("/token", R"({"username":")" + username + R"(","password":")" + password + R"("})");
  EXPECT_EQ(res.status, 200) << res.body;
  if (res.status != 200) return "";
  return std::string(res.json().at("access_token").as_string());
}

struct EventReader::Impl {
  explicit Impl(unsigned short port) : client(io.get_executor(), loopback(port), {}) {}
  asio::io_context io;
  net::HttpClient client;
  net::EventStreamParser parser;
  std::deque<Event> events;  // parsed, not yet returned
  bool ended = false;

  bool feed(std::string_view bytes) {
    return parser.append(bytes, [this](const net::StreamEvent& e) {
      events.push_back({std::string(e.name), std::string(e.id), std::string(e.data)});
    });
  }
};

EventReader::EventReader(unsigned short port, const std::string& token,
                         const std::string& last_event_id)
    : impl_(std::make_unique<Impl>(port)) {
  auto& s = *impl_;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (!last_event_id.empty()) headers.emplace_back("Last-Event-ID", last_event_id);
  const auto request = to_request("GET", "/eventos", "", headers);
  auto opened = run_to_completion(
      s.io,
      s.client.open_stream(request, std::chrono::steady_clock::now() + std::chrono::seconds(10)));
  if (opened.head.response) status_ = opened.head.response->status;
  if (status_ != 200 || !s.feed(opened.body_start)) s.ended = true;
}

EventReader::~EventReader() = default;

std::optional<EventReader::Event> EventReader::next(std::chrono::milliseconds deadline) {
  auto& s = *impl_;
  for (;;) {
    if (!s.events.empty()) {
      Event event = std::move(s.events.front());
      s.events.pop_front();
      return event;
    }
    if (s.ended) return std::nullopt;
    std::string received;
    if (!read_for(s.io, s.client.socket(), received, deadline)) s.ended = true;
    if (!s.feed(received)) s.ended = true;
    if (received.empty() && !s.ended) return std::nullopt;  // nothing in time
  }
}

}  // namespace cargomon::testing
