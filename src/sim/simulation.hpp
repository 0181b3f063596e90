#pragma once
// The courier simulator's client loop: log in, then register generated orders
// on a schedule over a number of keep-alive connections, like devices would,
// and count what happened.
//
// Pace: order i is due at start + i * period. Each connection takes the next
// due order, waits for its time, sends it and sees it through (retries,
// logins) before taking another. Latency runs from the due time, not the
// send time: when the server stalls, orders fall behind schedule and the
// delay shows up in the latency instead of silently lowering the offered load
// (no coordinated omission). Keep connections >= rate x latency to offer the
// full rate.
//
// Robustness: on 401 it logs in again (one login per thread at a time, the
// other connections wait for it); on no answer, 429 or 5xx it sends the very
// same body again (same pedido_id and timestamp) after a backoff or the
// server's Retry-After. An order is counted once, whatever it took.
//
// Threads: `threads` io_contexts, each running its share of the connections
// with its own token, generator and statistics, merged at the end.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "domain/clock.hpp"
#include "sim/catalog.hpp"
#include "sim/latency_histogram.hpp"
#include "sim/order_generator.hpp"
#include "sim/retry_policy.hpp"
#include "sim/transport.hpp"

namespace cargomon::sim {

struct SimulationOptions {
  std::string base_path;  // prepended to /token and /registrar_pedido_entregado
  std::string username;
  std::string password;
  // Between due times; fractional, so that any rate keeps its exact pace.
  std::chrono::duration<double, std::nano> period{std::chrono::seconds(5)};
  std::size_t connections = 1;
  std::size_t threads = 1;
  std::optional<std::uint64_t> count;  // stop after this many orders
  // No order is due, and none starts, after this much time: at a rate the
  // server cannot keep up with, orders still waiting then are never sent.
  std::optional<std::chrono::nanoseconds> duration;
  RetryPolicy retry;
  std::chrono::milliseconds progress_every{2'000};
  std::string zone_name = "America/Bogota";  // of the timestamps sent
  std::uint64_t choice_seed = 0;
  std::uint64_t id_seed = 0;
  // Polled; once true no new order starts (orders under way finish).
  const std::atomic<bool>* stop_requested = nullptr;
};

struct Progress {
  std::chrono::nanoseconds elapsed{0};
  std::uint64_t sent = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t rejected = 0;
  std::uint64_t failed = 0;
  std::uint64_t retries = 0;
};

// The end of one order, for callers that show each one.
struct OrderReport {
  enum class Outcome { acknowledged, rejected, failed };
  const GeneratedOrder& order;
  const Courier& courier;
  Outcome outcome = Outcome::failed;
  int status = 0;      // the final answer's status; 0 when there was none
  std::string detail;  // why it was rejected or failed
  std::chrono::microseconds latency{0};
  std::size_t attempts = 0;
};

struct Summary {
  std::uint64_t sent = 0;                 // distinct orders sent at least once
  std::uint64_t not_sent = 0;             // due within the duration but not started by its end
  std::uint64_t acknowledged = 0;         // answered 200, counted once however many attempts
  std::map<int, std::uint64_t> rejected;  // by final status
  std::map<int, std::string> rejected_example;  // one server message per status
  std::uint64_t failed = 0;                     // gave up: no answer or 429/5xx after every attempt
  std::string failed_example;
  std::uint64_t retried_orders = 0;  // orders that needed more than one attempt
  std::uint64_t retries = 0;         // attempts beyond the first, over all orders
  std::uint64_t logins = 0;          // login requests, the first ones included
  LatencyHistogram latency;          // microseconds, due time to acknowledgement
  // How late, at most, an order's first attempt left after its due time: a
  // growing value means too few connections for the rate.
  std::chrono::microseconds max_send_lag{0};
  std::chrono::nanoseconds elapsed{0};
  std::string fatal;  // why the run ended early (login refused…); empty when it did not

  std::uint64_t rejected_total() const;
};

class Simulation {
 public:
  // `catalog`, `connections` and `clock` (for the orders' timestamps) must
  // outlive the simulation; `clock` is read from every thread.
  Simulation(SimulationOptions options, const Catalog& catalog, ConnectionFactory& connections,
             const Clock& clock);
  ~Simulation();

  // Set before run(). Called on the simulation's threads; for more than one
  // thread, concurrently.
  void on_progress(std::function<void(const Progress&)> callback);
  void on_order(std::function<void(const OrderReport&)> callback);

  // Blocks until the count or duration is reached, a stop is requested, or a
  // login is refused.
  Summary run();

 private:
  struct Shared;
  class ThreadRun;
  std::unique_ptr<Shared> shared_;
};

}  // namespace cargomon::sim
