#pragma once
// How the simulator talks to a server: one keep-alive connection carries one
// request at a time. The real one is HTTP/1.1 over TCP (http_connection.hpp);
// tests hand in a fake that plays a server without sockets.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cargomon::sim {

struct Reply {
  int status = 0;
  std::string body;
  std::optional<std::chrono::seconds> retry_after;  // from a Retry-After header in seconds
};

// One request's outcome: a reply, or no reply at all (could not connect, the
// connection broke, timed out). Without a reply nobody knows whether the
// server acted on the request.
struct Exchange {
  std::optional<Reply> reply;
  std::string error;  // set when there is no reply
};

class Connection {
 public:
  virtual ~Connection() = default;
  // POSTs `json` to `target` ("/token"…), with `Authorization: Bearer
  // <bearer>` unless `bearer` is empty. (Re)connects when needed. The views
  // must stay valid until the returned awaitable completes.
  virtual boost::asio::awaitable<Exchange> post(std::string_view target, std::string_view bearer,
                                                std::string_view json) = 0;
};

// Makes connections on an executor. Thread-safe: called from every thread of
// a simulation.
class ConnectionFactory {
 public:
  virtual ~ConnectionFactory() = default;
  virtual std::unique_ptr<Connection> make(boost::asio::any_io_executor executor) = 0;
};

}  // namespace cargomon::sim
