#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/event_feed.hpp"

namespace cargomon::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Hands the request to the router and resumes the coroutine with its answer,
// on the connection's strand, whichever thread the router answered from.
template <class Token>
auto async_route(const api::Router& router, api::Request request, Token&& token) {
  return asio::async_initiate<Token, void(api::Response)>(
      [&router](auto handler, api::Request req) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        router.handle(std::move(req), [shared, executor](api::Response response) {
          asio::post(executor, [shared, response = std::move(response)]() mutable {
            (*shared)(std::move(response));
          });
        });
      },
      token, std::move(request));
}

api::Request to_api(const bhttp::request<bhttp::string_body>& req, const std::string& client) {
  api::Request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.content_type = std::string(req[bhttp::field::content_type]);
  out.authorization = std::string(req[bhttp::field::authorization]);
  out.origin = std::string(req[bhttp::field::origin]);
  out.last_event_id = std::string(req["Last-Event-ID"]);
  out.body = req.body();
  out.client_address = client;
  return out;
}

bhttp::response<bhttp::string_body> to_beast(api::Response&& response, unsigned version,
                                             bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), version};
  res.set(bhttp::field::server, "cargomon");
  if (!response.content_type.empty()) res.set(bhttp::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) res.insert(name, value);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  if (head) res.body().clear();
  return res;
}

// A plain error for requests that never reached the router (unparseable).
bhttp::response<bhttp::string_body> early_error(bhttp::status status, std::string detail) {
  bhttp::response<bhttp::string_body> res{status, 11};
  res.set(bhttp::field::server, "cargomon");
  res.set(bhttp::field::content_type, "application/json");
  res.body() = R"({"detail":")" + detail + R"("})";
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

}  // namespace

struct Server::State : std::enable_shared_from_this<Server::State> {
  State(asio::io_context& io, const api::Router& router, ServerOptions options,
        std::shared_ptr<std::atomic<std::size_t>> in_flight)
      : io(io),
        router(router),
        options(std::move(options)),
        acceptor(io),
        in_flight(std::move(in_flight)) {
    if (!this->options.tls_certificate.empty()) {
      tls.emplace(asio::ssl::context::tls_server);
      // Modern versions only: TLS 1.2 and 1.3.
      tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
      tls->use_certificate_chain_file(this->options.tls_certificate);
      tls->use_private_key_file(this->options.tls_private_key, asio::ssl::context::pem);
    }
  }

  asio::io_context& io;
  const api::Router& router;
  ServerOptions options;
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> tls;  // set when serving HTTPS
  std::shared_ptr<std::atomic<std::size_t>> in_flight;
  std::atomic<std::size_t> connections{0};
  // Set by stop_accepting(): the request each connection is on is answered
  // (with Connection: close), no further one is read, so a SIGTERM under
  // load drains in milliseconds instead of serving on until the grace ends.
  std::atomic<bool> stopping{false};

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        // Out of file descriptors and the like: keep serving those we have.
        spdlog::warn("accept failed: {}", ec.message());
        asio::steady_timer pause(io, std::chrono::milliseconds(50));
        co_await pause.async_wait(use_tuple);
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> session(beast::tcp_stream stream) {
    auto self = shared_from_this();
    struct Count {
      std::atomic<std::size_t>& n;
      explicit Count(std::atomic<std::size_t>& n) : n(n) { ++n; }
      ~Count() { --n; }
    } count(connections);

    beast::error_code ec;
    const auto peer = stream.socket().remote_endpoint(ec);
    const std::string client = ec ? std::string("unknown") : peer.address().to_string();
    if (connections.load() > options.max_connections) {
      auto res = early_error(bhttp::status::service_unavailable, "Too many connections");
      res.set(bhttp::field::retry_after, "1");
      stream.expires_after(std::chrono::seconds(5));
      co_await bhttp::async_write(stream, res, use_tuple);
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      co_return;
    }

    if (tls) {
      tls_stream secured(std::move(stream), *tls);
      beast::get_lowest_layer(secured).expires_after(options.read_timeout);
      auto [handshake_ec] =
          co_await secured.async_handshake(asio::ssl::stream_base::server, use_tuple);
      if (handshake_ec) co_return;
      co_await serve(secured, client);
      beast::get_lowest_layer(secured).expires_after(std::chrono::seconds(5));
      co_await secured.async_shutdown(use_tuple);
    } else {
      co_await serve(stream, client);
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  // Reads requests and writes answers on one connection until it closes.
  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, const std::string& client) {
    auto& lowest = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    for (;;) {
      if (buffer.size() == 0) {
        // Idle between requests; once a request starts it has read_timeout
        // to arrive whole, so slow senders cannot hold a connection for long.
        lowest.expires_after(options.idle_timeout);
        auto [idle_ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
        if (idle_ec) break;
        buffer.commit(n);
      }
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(options.header_limit);
      parser.body_limit(options.body_limit);
      lowest.expires_after(options.read_timeout);
      auto [read_ec, bytes] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
      if (read_ec == bhttp::error::end_of_stream || read_ec == beast::error::timeout ||
          read_ec == asio::error::connection_reset || read_ec == asio::error::eof) {
        break;
      }
      if (read_ec) {
        bhttp::response<bhttp::string_body> res;
        if (read_ec == bhttp::error::body_limit) {
          res = early_error(bhttp::status::payload_too_large,
                            "Body larger than " + std::to_string(options.body_limit) + " bytes");
        } else if (read_ec == bhttp::error::header_limit) {
          res =
              early_error(bhttp::status::request_header_fields_too_large,
                          "Headers larger than " + std::to_string(options.header_limit) + " bytes");
        } else {
          res = early_error(bhttp::status::bad_request, "Malformed HTTP request");
        }
        lowest.expires_after(std::chrono::seconds(5));
        co_await bhttp::async_write(stream, res, use_tuple);
        break;
      }

      auto request = parser.release();
      ++*in_flight;
      auto response = co_await async_route(router, to_api(request, client), asio::use_awaitable);
      if (response.stream) {
        --*in_flight;
        co_await stream_events(stream, request.version(), std::move(response));
        break;
      }
      const bool keep_alive = request.keep_alive() && !stopping;
      if (response.chunks) {
        const bool go_on =
            co_await write_chunks(stream, request.version(), keep_alive, std::move(response));
        --*in_flight;
        if (!go_on) break;
        continue;
      }
      auto res = to_beast(std::move(response), request.version(), keep_alive,
                          request.method() == bhttp::verb::head);
      if (tls) res.set(bhttp::field::strict_transport_security, "max-age=31536000");
      lowest.expires_after(options.read_timeout);
      auto [write_ec, written] = co_await bhttp::async_write(stream, res, use_tuple);
      --*in_flight;
      if (write_ec || !keep_alive) break;
    }
  }

  // Writes a body produced piece by piece (api::BodyChunks) with chunked
  // transfer encoding. True when the connection may serve another request.
  // When the producer throws (the store failed midway) the last chunk is
  // never sent and the connection closes: the client sees a truncated body.
  // HTTP/1.0 has no chunks: the body is written as is and ends with the
  // connection.
  template <class Stream>
  asio::awaitable<bool> write_chunks(Stream& stream, unsigned version, bool keep_alive,
                                     api::Response response) {
    auto& lowest = beast::get_lowest_layer(stream);
    const bool chunked = version >= 11;
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), version};
    head.set(bhttp::field::server, "cargomon");
    head.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) head.insert(name, value);
    head.keep_alive(keep_alive && chunked);
    head.chunked(chunked);
    if (tls) head.set(bhttp::field::strict_transport_security, "max-age=31536000");
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    lowest.expires_after(options.read_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, use_tuple);
    if (ec) co_return false;
    for (;;) {
      std::string piece;
      try {
        piece = response.chunks();
      } catch (const std::exception& e) {
        spdlog::warn("streamed answer cut short: {}", e.what());
        co_return false;
      } catch (...) {
        spdlog::warn("streamed answer cut short");
        co_return false;
      }
      lowest.expires_after(options.read_timeout);
      if (piece.empty()) {
        if (!chunked) co_return false;
        auto [end_ec, m] = co_await asio::async_write(stream, bhttp::make_chunk_last(), use_tuple);
        co_return !end_ec && keep_alive;
      }
      auto [write_ec, m] = chunked
                               ? co_await asio::async_write(
                                     stream, bhttp::make_chunk(asio::buffer(piece)), use_tuple)
                               : co_await asio::async_write(stream, asio::buffer(piece), use_tuple);
      if (write_ec) co_return false;
    }
  }

  // Writes a Server-Sent Events response until the stream closes or the
  // client goes away. Quiet streams get a comment line every heartbeat.
  template <class Stream>
  asio::awaitable<void> stream_events(Stream& stream, unsigned version, api::Response response) {
    auto& lowest = beast::get_lowest_layer(stream);
    auto events = response.stream;
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), version};
    head.set(bhttp::field::server, "cargomon");
    head.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) head.insert(name, value);
    head.keep_alive(false);  // the body ends when the connection closes
    if (tls) head.set(bhttp::field::strict_transport_security, "max-age=31536000");
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    lowest.expires_after(options.read_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, use_tuple);
    if (ec) {
      events->detach();
      co_return;
    }
    auto timer = std::make_shared<asio::steady_timer>(lowest.get_executor());
    auto notified = std::make_shared<bool>(false);
    // Runs on the connection's strand, so it never races the loop below.
    events->set_waker([timer, notified, executor = lowest.get_executor()] {
      asio::post(executor, [timer, notified] {
        *notified = true;
        timer->cancel();
      });
    });
    for (;;) {
      std::string text = events->take();
      if (text.empty()) {
        if (events->closed()) break;
        if (*notified) {
          *notified = false;
          continue;
        }
        timer->expires_after(options.heartbeat);
        auto [wait_ec] = co_await timer->async_wait(use_tuple);
        if (!wait_ec) text = ": keep-alive\n\n";
        *notified = false;
        if (text.empty()) continue;
      }
      lowest.expires_after(options.read_timeout);
      auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(text), use_tuple);
      if (write_ec) break;
    }
    events->detach();
  }
};

Server::Server(asio::io_context& io, const api::Router& router, ServerOptions options)
    : in_flight_(std::make_shared<std::atomic<std::size_t>>(0)) {
  state_ = std::make_shared<State>(io, router, std::move(options), in_flight_);
}

Server::~Server() { stop_accepting(); }

void Server::start() {
  auto& acceptor = state_->acceptor;
  const tcp::endpoint endpoint(asio::ip::make_address(state_->options.address),
                               state_->options.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(state_->io, state_->accept_loop(), asio::detached);
}

tcp::endpoint Server::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void Server::stop_accepting() {
  state_->stopping = true;
  asio::post(state_->io, [state = state_] {
    beast::error_code ec;
    state->acceptor.close(ec);
  });
}

}  // namespace cargomon::http
