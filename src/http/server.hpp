#pragma once
// The HTTP/1.1 front: Boost.Beast sessions as C++20 coroutines, one strand per
// connection, every read bounded in size and time. It knows nothing of
// orders: each request is translated to api::Request and handed to its
// api::Handler (the API's Router, or the admin listener's).
//
// Thread safety: start(), stop_accepting() and shutdown() may be called from
// any thread; the server runs on the io_context threads its owner provides.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "api/router.hpp"

namespace cargomon::metrics {
class Metrics;
}

namespace cargomon::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  std::size_t body_limit = std::size_t{256} * 1024;
  std::uint32_t header_limit = 16 * 1024;
  std::chrono::seconds read_timeout{30};  // to receive a whole request once it started
  // A new connection's TLS handshake and first request's headers must
  // arrive within this: a socket that opens and says nothing holds a
  // connection slot for seconds, not for the idle timeout.
  std::chrono::seconds first_request_timeout{10};
  std::chrono::seconds idle_timeout{75};  // between requests on a kept-alive connection
  std::chrono::seconds heartbeat = api::kStreamHeartbeatInterval;  // on quiet event streams
  std::size_t max_connections = 10'000;
  // Open connections one client address may hold (0: no cap); beyond it 429
  // and the door, so one address cannot take every slot. Behind a reverse
  // proxy every client has the proxy's address: raise it to max_connections.
  std::size_t max_connections_per_address = 256;
  // HTTPS when both are set (PEM files); TLS 1.2 and 1.3 only, with HSTS.
  std::string tls_certificate;
  std::string tls_private_key;
  // The operator's counters (connections refused, events written to
  // streams); null: none kept. Must outlive the server.
  metrics::Metrics* counters = nullptr;
  // An access line for each request answered here, before any route
  // (refused connections, malformed requests): api/access_log.hpp.
  bool access_log = true;
};

// Logs an answer the server gives before a request reaches its handler
// (no route: "unmatched"), and gives it a fresh X-Request-Id.
void log_refusal(api::Response& response, bool access_log);

class Server {
 public:
  Server(boost::asio::io_context& io, const api::Handler& handler, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  Server(Server&&) = delete;
  Server& operator=(Server&&) = delete;

  // Binds and listens; throws std::system_error when the address is taken.
  void start();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Stops accepting new connections. In-flight requests finish, answered
  // with Connection: close; no connection reads another request.
  void stop_accepting();
  // stop_accepting(), then `drained` (on an io_context thread) once no
  // request is in flight, or when `grace` has passed, whichever is first.
  void shutdown(std::chrono::milliseconds grace, std::function<void()> drained);
  std::size_t requests_in_flight() const;
  std::size_t open_connections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace cargomon::http
