#pragma once
// Sends webhooks: one thread of its own, never a network thread of the
// server's, reading each endpoint's logs forward from its durable progress
// (domain/webhook.hpp) and posting each message, signed (signature.hpp),
// to the endpoint's URL (target.hpp). Ingest is never slowed: an order is
// answered when it is committed, and this thread finds it in the orders
// afterwards, at its next round.
//
// Per endpoint, one message at a time and in order: a message answered with
// a 2xx moves the endpoint's progress past it; any other answer, a timeout,
// a refused address or a failed connection counts a failure and schedules
// the next attempt by the retry policy, or parks the message (kept for an
// admin to replay) once it has failed for the policy's time. An endpoint
// held by another instance's lease is left to it.
//
// Bounded: each attempt ends by its timeout; an answer's body is read up to
// response_limit (a longer one counts as a failure); each round reads at
// most `batch` messages per endpoint and log.
//
// Leases: an endpoint's lease is taken or renewed before each attempt, for
// three timeouts and a round, so another instance (or this one restarted
// after a crash) takes an endpoint over within seconds of its holder's
// death, never while the holder is still trying.
//
// Thread safety: construct, then stop() or destroy from one thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "domain/business_calendar.hpp"
#include "domain/clock.hpp"
#include "domain/webhook.hpp"
#include "storage/store.hpp"

namespace cargomon::webhook {

struct DelivererOptions {
  bool allow_private = false;  // --webhook-allow-private
  WebhookRetryPolicy retry;
  std::chrono::milliseconds round_interval{500};
  std::chrono::milliseconds timeout{10'000};
  std::uint64_t response_limit = 64 * 1024;
  std::size_t batch = 100;
  std::string user_agent = "cargomon-webhooks";
};

class Deliverer {
 public:
  Deliverer(OrderStore& orders, WebhookStore& hooks, const BusinessCalendar& calendar,
            const Clock& clock, DelivererOptions options);
  ~Deliverer();
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  // Ends the thread after the attempt in flight (bounded by its timeout).
  void stop();

  // The body sent for an order: {"type", "timestamp", "data": the order as
  // GET /pedidos/{id} answers it}.
  static std::string order_payload(const Order& order, const BusinessCalendar& calendar);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cargomon::webhook
