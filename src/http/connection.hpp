#pragma once
// One HTTP/1.1 connection: reads requests, hands each to the Router, writes
// its answer (plain, chunked or an event stream), until the connection
// closes. Internal to http/; plain_connection.cpp and tls_connection.cpp
// instantiate it once each, so the TLS stream's templates are compiled in
// one translation unit and the plain ones in another.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <string>

#include "api/router.hpp"
#include "http/server.hpp"

namespace cargomon::http {

// What every connection of one server shares. Owned by the server, which
// outlives its connections (each holds the server's state alive).
struct ConnectionContext {
  const api::Handler& router;
  const ServerOptions& options;
  std::atomic<std::size_t>& in_flight;  // requests read and not yet answered
  // Set on shutdown: the request each connection is on is answered (with
  // Connection: close), no further one is read.
  const std::atomic<bool>& stopping;
  bool tls = false;  // answers carry HSTS
};

boost::asio::awaitable<void> serve_plain(boost::beast::tcp_stream& stream,
                                         const ConnectionContext& context, std::string client);
boost::asio::awaitable<void> serve_tls(boost::beast::ssl_stream<boost::beast::tcp_stream>& stream,
                                       const ConnectionContext& context, std::string client);

}  // namespace cargomon::http
