#pragma once
// The body of serve_plain/serve_tls (connection.hpp), as a template over
// the stream; included only by plain_connection.cpp and tls_connection.cpp.

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "api/access_log.hpp"
#include "api/errors.hpp"
#include "api/event_feed.hpp"
#include "http/connection.hpp"
#include "metrics/metrics.hpp"

namespace cargomon::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Runs `start(deliver)` and resumes the coroutine with what `deliver` is
// given, on the connection's strand, whichever thread delivered it.
// `start` is taken by reference and must be a named local of the awaiting
// coroutine: GCC 12 mishandles temporaries with destructors inside a
// co_await expression (it copied a short string's inline buffer pointer into
// the coroutine frame, and a shared_ptr without its count), so no such
// temporary appears in one.
template <class Value, class Start>
auto async_deliver(Start& start) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(Value)>(
      [&start](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([shared, executor](Value value) {
          asio::post(executor,
                     [shared, value = std::move(value)]() mutable { (*shared)(std::move(value)); });
        });
      },
      asio::use_awaitable);
}

inline api::Request to_api(const bhttp::request<bhttp::string_body>& req,
                           const std::string& client) {
  api::Request out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.content_type = std::string(req[bhttp::field::content_type]);
  out.authorization = std::string(req[bhttp::field::authorization]);
  out.origin = std::string(req[bhttp::field::origin]);
  out.accept_language = std::string(req[bhttp::field::accept_language]);
  out.last_event_id = std::string(req["Last-Event-ID"]);
  out.request_id = std::string(req["X-Request-Id"]);
  out.user_agent = std::string(req[bhttp::field::user_agent]);
  out.body = req.body();
  out.client_address = client;
  return out;
}

template <class Message>
void add_head_fields(Message& message, api::Response& response, const ConnectionContext& context) {
  message.set(bhttp::field::server, "cargomon");
  if (!response.content_type.empty()) {
    message.set(bhttp::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) message.insert(name, value);
  if (context.tls) message.set(bhttp::field::strict_transport_security, "max-age=31536000");
}

inline bhttp::response<bhttp::string_body> to_beast(api::Response&& response,
                                                    const ConnectionContext& context,
                                                    unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), version};
  add_head_fields(res, response, context);
  res.body() = std::move(response.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  if (head) res.body().clear();
  return res;
}

// Counts a request from when it is read until its answer is written, on
// every path out (an exception included): SIGTERM's drain waits for it.
class InFlight {
 public:
  explicit InFlight(std::atomic<std::size_t>& count) : count_(count) { ++count_; }
  ~InFlight() { end(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  InFlight(InFlight&&) = delete;
  InFlight& operator=(InFlight&&) = delete;
  void end() {
    if (counted_) --count_;
    counted_ = false;
  }

 private:
  std::atomic<std::size_t>& count_;
  bool counted_ = true;
};

template <class Stream>
class Connection {
 public:
  Connection(Stream& stream, const ConnectionContext& context, std::string client)
      : stream_(stream), context_(context), client_(std::move(client)) {}

  asio::awaitable<void> serve() {
    auto& lowest = beast::get_lowest_layer(stream_);
    const auto& options = context_.options;
    beast::flat_buffer buffer;
    // The first request's headers have first_request_timeout from the
    // connection's start, waiting included: a socket that says nothing is
    // closed soon. A kept-alive connection has proved itself and may idle.
    bool first = true;
    lowest.expires_after(options.first_request_timeout);
    for (;;) {
      if (buffer.size() == 0) {
        // Idle between requests; once a request starts it has read_timeout
        // to arrive whole, so slow senders cannot hold a connection for long.
        if (!first) lowest.expires_after(options.idle_timeout);
        auto [idle_ec, n] = co_await stream_.async_read_some(buffer.prepare(4096), use_tuple);
        if (idle_ec) break;
        buffer.commit(n);
      }
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(options.header_limit);
      parser.body_limit(options.body_limit);
      if (!first) lowest.expires_after(options.read_timeout);
      // The head first: what it says decides whether the body may come.
      auto [head_ec, head_bytes] =
          co_await bhttp::async_read_header(stream_, buffer, parser, use_tuple);
      if (gone(head_ec)) break;
      // Beast checks its header limit against what one read brought in, so
      // a head that arrived in one piece may pass it; the limit is exact here.
      if (!head_ec && head_bytes > options.header_limit) head_ec = bhttp::error::header_limit;
      if (head_ec) {
        co_await write_early_error(head_ec);
        break;
      }
      if (first) lowest.expires_after(options.read_timeout);  // now for the body
      first = false;
      const auto& head = parser.get();
      if (head.version() >= 11 && head.find(bhttp::field::host) == head.end()) {
        // RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request
        // without Host (a proxy in front may route by it).
        co_await write_refusal(api::error_response(api::ApiError::bad_request,
                                                   "HTTP/1.1 requests must have a Host header"));
        break;
      }
      if (head.version() >= 11 && !parser.is_done() &&
          beast::iequals(head[bhttp::field::expect], "100-continue")) {
        // The client waits for this before it sends the body (curl for a
        // second, others until their timeout). Too large a body was refused
        // above, with the head.
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
        auto [continue_ec, continue_bytes] = co_await bhttp::async_write(stream_, go_on, use_tuple);
        if (continue_ec) break;
      }
      auto [read_ec, bytes] = co_await bhttp::async_read(stream_, buffer, parser, use_tuple);
      if (gone(read_ec)) break;
      if (read_ec) {
        co_await write_early_error(read_ec);
        break;
      }

      auto request = parser.release();
      InFlight counted(context_.in_flight);
      auto start = [this, routed = to_api(request, client_)](api::Respond::Sink deliver) mutable {
        context_.router.handle(std::move(routed), std::move(deliver));
      };
      auto response = co_await async_deliver<api::Response>(start);
      if (response.stream) {
        counted.end();  // a stream lasts as long as the client wants
        co_await stream_events(request.version(), std::move(response));
        break;
      }
      const bool keep_alive = request.keep_alive() && !context_.stopping;
      if (response.chunks) {
        if (!co_await write_chunks(request.version(), keep_alive, std::move(response))) break;
        continue;
      }
      auto res = to_beast(std::move(response), context_, request.version(), keep_alive,
                          request.method() == bhttp::verb::head);
      lowest.expires_after(options.read_timeout);
      auto [write_ec, written] = co_await bhttp::async_write(stream_, res, use_tuple);
      if (write_ec || !keep_alive) break;
    }
  }

 private:
  // The client went away or stopped sending: nothing to answer.
  static bool gone(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
           ec == asio::error::connection_reset || ec == asio::error::eof;
  }

  // A request that never reached the router (too large, unparseable).
  asio::awaitable<void> write_early_error(beast::error_code read_ec) {
    const auto& options = context_.options;
    api::Response response;
    if (read_ec == bhttp::error::body_limit) {
      response =
          api::error_response(api::ApiError::payload_too_large,
                              "Body larger than " + std::to_string(options.body_limit) + " bytes");
    } else if (read_ec == bhttp::error::header_limit) {
      response = api::error_response(
          api::ApiError::headers_too_large,
          "Headers larger than " + std::to_string(options.header_limit) + " bytes");
    } else {
      response = api::error_response(api::ApiError::bad_request, "Malformed HTTP request");
    }
    co_await write_refusal(std::move(response));
  }

  // Answers a request that is not served, and the connection then closes.
  // The client may still be sending (the rest of an oversized head or
  // body): closing a socket with unread input sends a reset, which can
  // destroy the answer before the client reads it, so the server first ends
  // its side and then reads and drops what still comes, bounded in bytes and
  // time (a lingering close, as nginx does).
  asio::awaitable<void> write_refusal(api::Response response) {
    if (context_.options.counters) context_.options.counters->request_refused(response.status);
    log_refusal(response, context_.options.access_log);
    auto res = to_beast(std::move(response), context_, 11, false, false);
    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.expires_after(std::chrono::seconds(5));
    auto [write_ec, written] = co_await bhttp::async_write(stream_, res, use_tuple);
    if (write_ec) co_return;
    beast::error_code ec;
    lowest.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    lowest.expires_after(kLingerTime);
    std::array<char, 4096> sink{};
    for (std::size_t drained = 0; drained < kLingerBytes;) {
      auto [read_ec, n] = co_await lowest.async_read_some(asio::buffer(sink), use_tuple);
      if (read_ec) break;
      drained += n;
    }
  }
  static constexpr std::chrono::seconds kLingerTime{2};
  static constexpr std::size_t kLingerBytes = std::size_t{1} << 20;

  // Writes a body produced piece by piece (api::BodyChunks) with chunked
  // transfer encoding; each piece is produced off the network threads
  // (Router::next_chunk). True when the connection may serve another
  // request. When the producer fails (the store failed midway) the last
  // chunk is never sent and the connection closes: the client sees a
  // truncated body. HTTP/1.0 has no chunks: the body is written as is and
  // ends with the connection.
  asio::awaitable<bool> write_chunks(unsigned version, bool keep_alive, api::Response response) {
    auto& lowest = beast::get_lowest_layer(stream_);
    const bool chunked = version >= 11;
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), version};
    add_head_fields(head, response, context_);
    head.keep_alive(keep_alive && chunked);
    head.chunked(chunked);
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    lowest.expires_after(context_.options.read_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, use_tuple);
    if (ec) co_return false;
    for (;;) {
      auto start = [this, &response](std::function<void(std::optional<std::string>)> deliver) {
        context_.router.next_chunk(response.chunks, std::move(deliver));
      };
      auto piece = co_await async_deliver<std::optional<std::string>>(start);
      if (!piece) co_return false;
      lowest.expires_after(context_.options.read_timeout);
      if (piece->empty()) {
        if (!chunked) co_return false;
        auto [end_ec, m] = co_await asio::async_write(stream_, bhttp::make_chunk_last(), use_tuple);
        co_return !end_ec && keep_alive;
      }
      auto [write_ec, m] =
          chunked ? co_await asio::async_write(stream_, bhttp::make_chunk(asio::buffer(*piece)),
                                               use_tuple)
                  : co_await asio::async_write(stream_, asio::buffer(*piece), use_tuple);
      if (write_ec) co_return false;
    }
  }

  // Writes a Server-Sent Events response until the stream closes or the
  // client goes away. Quiet streams get a comment line every heartbeat.
  asio::awaitable<void> stream_events(unsigned version, api::Response response) {
    auto& lowest = beast::get_lowest_layer(stream_);
    auto events = response.stream;
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), version};
    add_head_fields(head, response, context_);
    head.keep_alive(false);  // the body ends when the connection closes
    bhttp::response_serializer<bhttp::empty_body> serializer(head);
    lowest.expires_after(context_.options.read_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, use_tuple);
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
    std::vector<asio::const_buffer> buffers;
    for (;;) {
      // The events' texts are shared with the feed and every other stream:
      // they are written from where they are, in one gather write (writev
      // on plain TCP; beast's ssl_stream packs up to 16 KiB into each TLS
      // record), and released when the batch goes.
      const api::EventBatch batch = events->take();
      buffers.clear();
      for (const auto& text : batch.events) buffers.push_back(asio::buffer(*text));
      if (buffers.empty()) {
        if (events->closed()) break;
        if (*notified) {
          *notified = false;
          continue;
        }
        timer->expires_after(context_.options.heartbeat);
        auto [wait_ec] = co_await timer->async_wait(use_tuple);
        *notified = false;
        if (wait_ec) continue;
        buffers.push_back(asio::buffer(api::kStreamHeartbeat));
      }
      lowest.expires_after(context_.options.read_timeout);
      auto [write_ec, written] = co_await asio::async_write(stream_, buffers, use_tuple);
      if (write_ec) break;
      if (context_.options.counters && !batch.events.empty()) {
        context_.options.counters->events_sent(batch.events.size());
      }
    }
    events->detach();
  }

  Stream& stream_;
  const ConnectionContext& context_;
  std::string client_;
};

}  // namespace cargomon::http::detail
