#include "support/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace cargomon::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
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

struct HttpClient::Connection {
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool open = false;
};

HttpClient::HttpClient(unsigned short port)
    : port_(port), connection_(std::make_unique<Connection>()) {}
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto& c = *connection_;
    if (!c.open) {
      c.stream.emplace(c.io);
      c.buffer.clear();
      c.stream->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
      c.open = true;
    }
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.method_string(method);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PATCH") req.prepare_payload();
    req.keep_alive(true);
    c.stream->expires_after(std::chrono::seconds(30));
    beast::error_code ec;
    http::write(*c.stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{64} * 1024 * 1024);
    if (!ec) http::read(*c.stream, c.buffer, parser, ec);
    if (ec) {
      // The server may have closed a kept-alive connection: retry once fresh.
      c.open = false;
      if (attempt == 0) continue;
      throw beast::system_error(ec);
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.headers[name] = std::string(field.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) c.open = false;
    return out;
  }
  return {};
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
  socket.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
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
  asio::io_context io;
  tcp::socket socket{io};
  std::string pending;  // body bytes not yet split into events
  bool ended = false;
};

EventReader::EventReader(unsigned short port, const std::string& token,
                         const std::string& last_event_id)
    : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::string request = "GET /eventos HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
  request += "\r\n";
  asio::write(s.socket, asio::buffer(request));
  std::string head;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (head.find("\r\n\r\n") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    if (!read_for(s.io, s.socket, head, std::chrono::seconds(1))) break;
  }
  const auto end = head.find("\r\n\r\n");
  if (head.size() > 12) status_ = std::stoi(head.substr(9, 3));
  if (end != std::string::npos) s.pending = head.substr(end + 4);
  if (status_ != 200) s.ended = true;
}

EventReader::~EventReader() = default;

std::optional<EventReader::Event> EventReader::next(std::chrono::milliseconds deadline) {
  auto& s = *impl_;
  for (;;) {
    const auto end = s.pending.find("\n\n");
    if (end != std::string::npos) {
      const std::string block = s.pending.substr(0, end);
      s.pending.erase(0, end + 2);
      Event event;
      bool any = false;
      std::size_t pos = 0;
      while (pos <= block.size()) {
        auto nl = block.find('\n', pos);
        if (nl == std::string::npos) nl = block.size();
        const std::string line = block.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty() || line[0] == ':') continue;
        const auto colon = line.find(':');
        const std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "event") event.name = value, any = true;
        if (field == "id") event.id = value, any = true;
        if (field == "data") event.data += value, any = true;
      }
      if (any) return event;
      continue;
    }
    if (s.ended) return std::nullopt;
    const auto before = s.pending.size();
    if (!read_for(s.io, s.socket, s.pending, deadline)) s.ended = true;
    if (s.pending.size() == before && !s.ended) return std::nullopt;  // nothing in time
  }
}

}  // namespace cargomon::testing
