#pragma once
// What the translation units of cargomon-bench share: the freshness
// measurement (freshness.cpp), the Lambda measurement (lambda_bench.cpp),
// the hostile-clients scenario (hostile.cpp) and the small helpers they
// share or borrow from the other commands (cargomon_bench.cpp).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "net/run_to_completion.hpp"
#include "sim/order_generator.hpp"
#include "sim/transport.hpp"

namespace cargomon::bench {

struct FreshnessOptions {
  std::string url;
  std::string username;  // a courier (or admin): registers the orders
  std::string password;
  std::string viewer_username;  // a viewer (or admin): opens the streams
  std::string viewer_password;
  std::size_t streams = 1000;
  double rate = 5000;    // orders per second, open loop
  double duration = 10;  // seconds of ingestion
  std::size_t connections = 32;
  double hold_seconds = 0;  // streams open, before ingesting, for the orchestrator
  std::size_t threads = 2;  // of the one io_context
  double connect_timeout = 60;
  double drain_seconds = 10;    // after the last answer, for the events still on their way
  double request_timeout = 10;  // per order
  std::optional<std::uint64_t> seed;
  std::string timezone = "America/Bogota";
};

int run_freshness(const FreshnessOptions& options);

// `cargomon-bench lambda` (lambda_bench.cpp).
struct LambdaOptions {
  std::vector<std::string> command;    // what Lambda would exec: `bootstrap`, or `cargomon lambda`
  std::filesystem::path dir;           // scratch: the stores and the function's logs
  std::vector<std::string> env;        // NAME=VALUE, added to the function's environment
  std::size_t cold_starts = 20;        // on a store that exists
  std::size_t fresh_cold_starts = 20;  // each on a new, empty store
  std::size_t invocations = 2000;      // warm, of each route
  std::size_t warm_up = 50;            // rounds before those, not counted
  std::size_t logins = 20;             // warm POST /token (Argon2id)
  std::optional<std::uint64_t> seed;
  std::string timezone = "America/Bogota";
};

int run_lambda(const LambdaOptions& options);

// cargomon-bench hostile (hostile.cpp): attackers of every kind at once while
// a normal courier and a normal viewer work. Every attacker comes from its
// own loopback address (127.0.0.2 and up), the normal users from the URL's
// host's usual one.
struct HostileOptions {
  std::string url;
  std::string username;  // the normal courier
  std::string password;
  std::string viewer_username;  // the normal viewer
  std::string viewer_password;
  std::string flood_username;               // a courier: the distinct product names
  std::vector<std::string> silent_viewers;  // viewers: the streams that never read
  std::string storm_viewer;                 // a viewer: the Last-Event-ID: 0 storm
  std::string attacker_password;            // of every attacker user
  double duration = 20;                     // seconds of attack
  std::size_t threads = 2;                  // of the one io_context
  double courier_rate = 50;                 // normal orders per second, open loop
  std::size_t courier_connections = 16;
  double health_rate = 20;  // GET /healthz per second, open loop
  std::size_t silent_streams = 1000;
  std::size_t silent_addresses = 16;  // 127.0.0.10 and up
  std::size_t flood_connections = 1;
  std::size_t flood_lines = 200;     // distinct products per flood order
  std::size_t unknown_logins = 400;  // concurrent clients
  double login_pause = 1;            // seconds between one client's logins
  std::size_t idle_sockets = 200;    // from 127.0.0.2
  std::size_t storm_clients = 50;
  std::size_t storm_addresses = 5;  // 127.0.0.100 and up
  double drain_seconds = 5;         // after the attack, for the viewer's last events
  double request_timeout = 10;
  std::string timezone = "America/Bogota";
};

int run_hostile(const HostileOptions& options);

// POST /token; the access token, or std::runtime_error naming the user and
// the server's answer.
boost::asio::awaitable<std::string> log_in(sim::Connection& connection,
                                           const std::string& base_path,
                                           const std::string& username,
                                           const std::string& password);

using net::run_to_completion;

// "12.345": milliseconds with three decimals, from microseconds.
std::string milliseconds(std::uint64_t micros);

// (freshness.cpp) The generator's body with `id` as its pedido_id instead of
// its random UUID.
std::string with_order_id(const sim::GeneratedOrder& order, const std::string& id);
std::chrono::steady_clock::duration seconds(double s);
// The shortest text that reads back as `value`.
std::string number(double value);
// The orders due in [0, duration) at `rate` per second: i / rate < duration.
std::size_t orders_due(double rate, double duration);

// Polls `done` every few milliseconds until it holds or `deadline` passes.
template <class Done>
boost::asio::awaitable<bool> wait_for(boost::asio::steady_timer& timer, Done done,
                                      std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (done()) co_return true;
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

}  // namespace cargomon::bench
