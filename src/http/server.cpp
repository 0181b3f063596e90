#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "api/access_log.hpp"
#include "api/errors.hpp"
#include "http/connection.hpp"
#include "metrics/metrics.hpp"

namespace cargomon::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A connection's coroutine ended: what escaped it is logged, never lost.
void log_escape(const std::exception_ptr& escaped) {
  if (!escaped) return;
  try {
    std::rethrow_exception(escaped);
  } catch (const std::exception& e) {
    spdlog::error("a connection ended on an unexpected error (a bug): {}", e.what());
  } catch (...) {
    spdlog::error("a connection ended on an unexpected error of unknown type (a bug)");
  }
}

}  // namespace

void log_refusal(api::Response& response, bool access_log) {
  const auto id = api::request_id_of({});
  response.header("X-Request-Id", id);
  api::log_answer({"", "unmatched", response, std::chrono::steady_clock::duration::zero(), id},
                  access_log);
}

struct Server::State : std::enable_shared_from_this<Server::State> {
  State(asio::io_context& io, const api::Handler& router, ServerOptions options)
      : io(io),
        options(std::move(options)),
        acceptor(io),
        context{router, this->options, in_flight, stopping,
                !this->options.tls_certificate.empty()} {
    if (context.tls) {
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
  const ServerOptions options;
  tcp::acceptor acceptor;
  std::optional<asio::ssl::context> tls;  // set when serving HTTPS
  std::atomic<std::size_t> in_flight{0};
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  const ConnectionContext context;
  // Open connections per client address; an entry lives while it counts one.
  std::mutex per_address_mutex;
  std::unordered_map<std::string, std::size_t> per_address;

  // Counts a connection against its address's cap for as long as it lives.
  class AddressSlot {
   public:
    AddressSlot(State& state, std::string address) : state_(state), address_(std::move(address)) {
      const std::lock_guard lock(state_.per_address_mutex);
      held_ = ++state_.per_address[address_];
    }
    ~AddressSlot() {
      const std::lock_guard lock(state_.per_address_mutex);
      const auto found = state_.per_address.find(address_);
      if (--found->second == 0) state_.per_address.erase(found);
    }
    AddressSlot(const AddressSlot&) = delete;
    AddressSlot& operator=(const AddressSlot&) = delete;
    AddressSlot(AddressSlot&&) = delete;
    AddressSlot& operator=(AddressSlot&&) = delete;
    // How many this address holds, this one included, when it was opened.
    std::size_t held() const { return held_; }

   private:
    State& state_;
    std::string address_;
    std::size_t held_ = 0;
  };

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
      asio::co_spawn(executor, session(beast::tcp_stream(std::move(socket))), log_escape);
    }
  }

  asio::awaitable<void> session(beast::tcp_stream stream) {
    auto self = shared_from_this();
    struct Count {
      std::atomic<std::size_t>& n;
      explicit Count(std::atomic<std::size_t>& n) : n(n) { ++n; }
      ~Count() { --n; }
      Count(const Count&) = delete;
      Count& operator=(const Count&) = delete;
      Count(Count&&) = delete;
      Count& operator=(Count&&) = delete;
    } count(connections);

    beast::error_code ec;
    const auto peer = stream.socket().remote_endpoint(ec);
    std::string client = ec ? std::string("unknown") : peer.address().to_string();
    if (connections.load() > options.max_connections) {
      if (options.counters)
        options.counters->unavailable(metrics::Unavailable::too_many_connections);
      auto response = api::error_response(api::ApiError::overloaded, "Too many connections");
      response.warning = "connection refused: --max-connections reached";
      co_await refuse(stream, std::move(response));
      co_return;
    }
    const AddressSlot slot(*this, client);
    if (options.max_connections_per_address > 0 &&
        slot.held() > options.max_connections_per_address) {
      if (options.counters) options.counters->connection_refused_per_address();
      auto response = api::error_response(api::ApiError::too_many_requests,
                                          "Too many open connections from your address (at most " +
                                              std::to_string(options.max_connections_per_address) +
                                              "); close some and retry");
      response.header("Retry-After", "10");
      response.warning = "connection refused: too many open connections from one address";
      co_await refuse(stream, std::move(response));
      co_return;
    }
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> secured(std::move(stream), *tls);
      beast::get_lowest_layer(secured).expires_after(options.first_request_timeout);
      auto [handshake_ec] =
          co_await secured.async_handshake(asio::ssl::stream_base::server, use_tuple);
      if (handshake_ec) co_return;
      co_await serve_tls(secured, context, std::move(client));
      beast::get_lowest_layer(secured).expires_after(std::chrono::seconds(5));
      co_await secured.async_shutdown(use_tuple);
    } else {
      co_await serve_plain(stream, context, std::move(client));
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  // Beyond --max-connections (503) or the address's cap (429): the answer
  // and the door.
  asio::awaitable<void> refuse(beast::tcp_stream& stream, api::Response response) const {
    namespace bhttp = beast::http;
    log_refusal(response, options.access_log);
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), 11};
    res.set(bhttp::field::server, "cargomon");
    res.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) res.insert(name, value);
    res.body() = std::move(response.body);
    res.keep_alive(false);
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(stream, res, use_tuple);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  void wait_for_drain(std::shared_ptr<asio::steady_timer> timer,
                      std::chrono::steady_clock::time_point deadline,
                      std::function<void()> drained) {
    if (in_flight.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (in_flight.load() != 0) {
        spdlog::warn("shutdown: {} requests still in flight after the grace period",
                     in_flight.load());
      }
      drained();
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait(
        [self = shared_from_this(), timer, deadline, drained = std::move(drained)](auto) mutable {
          self->wait_for_drain(timer, deadline, std::move(drained));
        });
  }
};

Server::Server(asio::io_context& io, const api::Handler& router, ServerOptions options)
    : state_(std::make_shared<State>(io, router, std::move(options))) {}

Server::~Server() { stop_accepting(); }

void Server::start() {
  auto& acceptor = state_->acceptor;
  const tcp::endpoint endpoint(asio::ip::make_address(state_->options.address),
                               state_->options.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(state_->io, state_->accept_loop(), log_escape);
}

tcp::endpoint Server::local_endpoint() const { return state_->acceptor.local_endpoint(); }

std::size_t Server::requests_in_flight() const { return state_->in_flight.load(); }

std::size_t Server::open_connections() const { return state_->connections.load(); }

void Server::stop_accepting() {
  state_->stopping = true;
  asio::post(state_->io, [state = state_] {
    beast::error_code ec;
    state->acceptor.close(ec);
  });
}

void Server::shutdown(std::chrono::milliseconds grace, std::function<void()> drained) {
  stop_accepting();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  asio::post(state_->io, [state = state_, deadline, drained = std::move(drained)]() mutable {
    state->wait_for_drain(std::make_shared<asio::steady_timer>(state->io), deadline,
                          std::move(drained));
  });
}

}  // namespace cargomon::http
