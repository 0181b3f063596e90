#pragma once
// The real transport: net::HttpClient (HTTP/1.1 over TCP, one keep-alive
// connection per Connection). Plain http only.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "sim/transport.hpp"

namespace cargomon::sim {

struct ServerUrl {
  std::string host;
  std::string port;       // "8080"
  std::string base_path;  // "" or "/prefix" (no trailing slash)
};

// Parses "http://host[:port][/prefix]"; on failure, a message for the user.
std::variant<ServerUrl, std::string> parse_server_url(std::string_view url);

// Resolves the host once, now; throws std::runtime_error when it cannot.
// Every request must complete within `timeout` (connect, write and read).
std::unique_ptr<ConnectionFactory> make_http_connection_factory(const ServerUrl& url,
                                                                std::chrono::milliseconds timeout);

}  // namespace cargomon::sim
