#pragma once
// Webhooks in domain terms: the events an endpoint can subscribe to, an
// endpoint as an admin registers it, where its deliveries have got to, the
// deliveries given up on (parked), and the retry schedule.
//
// Deliveries to one endpoint go one at a time and in order, from two
// durable logs the store keeps anyway or keeps for this: the orders
// (`pedido.registrado`, by their sequence) and the queued events of every
// other type (by theirs). An endpoint's progress in each log is its cursor:
// it moves past a message only once the message was answered with a 2xx or
// parked, so a crash or restart repeats at most the message in flight
// (at-least-once; its webhook-id lets the receiver deduplicate).
//
// Pure: no clock is read here; time comes in as arguments.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.hpp"

namespace cargomon {

// The event types, as they are named on the wire; bits of a subscription.
enum class WebhookEvent : std::uint8_t {
  order_registered = 1,  // pedido.registrado
  alert_opened = 2,      // alerta.abierta
  alert_resolved = 4,    // alerta.resuelta
  day_closed = 8,        // dia.cerrado
};
inline constexpr std::uint8_t kAllWebhookEvents = 15;

std::string_view to_string(WebhookEvent event);
std::optional<WebhookEvent> parse_webhook_event(std::string_view name);
// Every event type's name, in the order above.
std::vector<std::string_view> webhook_event_names();
// A subscription (bits of WebhookEvent) as names, and back ("a,b" in stores).
std::vector<std::string_view> subscribed_names(std::uint8_t events);
std::string join_events(std::uint8_t events);
std::uint8_t split_events(std::string_view joined);

inline constexpr std::size_t kMaxWebhookUrlBytes = 2048;
inline constexpr std::size_t kMaxWebhookDescriptionBytes = 256;
inline constexpr std::size_t kMaxWebhookEndpoints = 100;

struct WebhookEndpoint {
  std::string id;  // "we_" and random letters, made on creation
  std::string url;
  std::string description;
  std::uint8_t events = 0;  // bits of WebhookEvent; never 0
  std::string secret;       // "whsec_" + base64 of the key's bytes
  bool disabled = false;
  Timestamp created_at;

  bool subscribed(WebhookEvent event) const {
    return (events & static_cast<std::uint8_t>(event)) != 0;
  }
};

// The two logs an endpoint reads.
enum class WebhookLog : std::uint8_t {
  orders = 0,  // the stored orders, by sequence
  events = 1,  // events queued with WebhookStore::enqueue_webhook_event
};

// An endpoint's cursor in one log and the retries of the message after it.
struct WebhookProgress {
  std::int64_t done = 0;                   // the last position delivered or parked
  int failures = 0;                        // failed attempts at the next message
  std::optional<Timestamp> failing_since;  // the first of those failures
  std::optional<Timestamp> next_attempt;   // not before; none: at once
};

// An event of a type other than pedido.registrado, queued once for every
// endpoint subscribed to its type.
struct QueuedWebhookEvent {
  std::int64_t position = 0;  // assigned by the store; increases
  WebhookEvent type = WebhookEvent::alert_opened;
  std::string data;  // the event's JSON object, as sent in "data"
  Timestamp occurred_at;
};

inline constexpr std::size_t kMaxWebhookEventDataBytes = 64 * 1024;

// A message whose retries ran out: kept for an admin to see and replay.
struct ParkedDelivery {
  std::string endpoint_id;
  std::string delivery_id;  // the message's webhook-id
  std::string payload;      // the body as it was sent
  int attempts = 0;
  std::string last_error;  // "HTTP 500", "connect: Connection refused", ...
  Timestamp parked_at;
  bool replay_requested = false;
};

inline constexpr std::size_t kMaxWebhookErrorBytes = 256;
// Parked deliveries kept per endpoint: past this, parking one drops the
// oldest (the list must stay bounded; an endpoint failing this long is one
// an admin must look at).
inline constexpr std::size_t kMaxParkedDeliveries = 1000;

// When to try a message again after a failed attempt, or to park it.
// Exponential backoff from `base` (doubling up to `cap`), each delay
// shortened by a random part of up to `jitter` of itself so that endpoints
// failing together do not retry together; a message is parked at the first
// failure at least `give_up_after` after its first one.
struct WebhookRetryPolicy {
  std::chrono::microseconds base = std::chrono::seconds(5);
  std::chrono::microseconds cap = std::chrono::hours(2);
  double jitter = 0.2;
  std::chrono::microseconds give_up_after = std::chrono::hours(24);
};

// What follows a failed attempt at `now`: the progress to keep (failures
// counted, next attempt set), or nullopt: park the message. `random01` is a
// uniform draw in [0, 1) (injected, for tests).
std::optional<WebhookProgress> after_failure(const WebhookRetryPolicy& policy,
                                             const WebhookProgress& progress, Timestamp now,
                                             double random01);

// The webhook-id of a message: stable across its retries and restarts
// (deduplication), unique across endpoints and logs.
std::string webhook_delivery_id(const std::string& endpoint_id, WebhookLog log,
                                std::int64_t position);

}  // namespace cargomon
