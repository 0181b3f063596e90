#pragma once
// What webhooks keep in the store (domain/webhook.hpp says how deliveries
// flow): the endpoints admins register, each endpoint's progress in the two
// logs it reads (the orders, and the queued events of the other types), the
// queued events, the parked deliveries, and which instance delivers to an
// endpoint now (a lease, for stores that several instances share).
//
// Nothing here is written by the ingest path: pedido.registrado is read
// from the orders themselves (OrderStore::orders_after), so an order costs
// webhooks nothing when it is stored.
//
// Error policy: that of store.hpp (StoreUnavailable from any call that
// cannot do its work). Thread safety: every method may be called from any
// thread; each is atomic.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/webhook.hpp"

namespace cargomon {

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // Stores a new endpoint, its progress in both logs starting at their ends
  // (it is sent what comes after its creation). False, storing nothing, when
  // its id is taken or kMaxWebhookEndpoints exist.
  virtual bool create_webhook(const WebhookEndpoint& endpoint) = 0;
  virtual std::vector<WebhookEndpoint> list_webhooks() = 0;  // by id
  virtual std::optional<WebhookEndpoint> find_webhook(const std::string& id) = 0;
  // Replaces url, description, events and disabled (not id, secret, or
  // created_at); false when there is no such endpoint.
  virtual bool update_webhook(const WebhookEndpoint& endpoint) = 0;
  // Removes the endpoint with its progress and parked deliveries.
  virtual bool delete_webhook(const std::string& id) = 0;

  // The endpoint's progress in `log`; nullopt when there is no such endpoint.
  virtual std::optional<WebhookProgress> webhook_progress(const std::string& id,
                                                          WebhookLog log) = 0;
  // Replaces that progress and, when `parked` is given, keeps it in the
  // parked list (dropping the oldest past kMaxParkedDeliveries),
  // atomically: a message is never both lost and passed.
  // False when the endpoint is gone.
  virtual bool save_webhook_progress(const std::string& id, WebhookLog log,
                                     const WebhookProgress& progress,
                                     const std::optional<ParkedDelivery>& parked) = 0;

  // Queues an event for every endpoint subscribed to its type (they read it
  // from the log by position); assigns and returns its position.
  virtual std::int64_t enqueue_webhook_event(const QueuedWebhookEvent& event) = 0;
  // Queued events with position > after, oldest first.
  virtual std::vector<QueuedWebhookEvent> webhook_events_after(std::int64_t after,
                                                               std::size_t limit) = 0;

  // The endpoint's parked deliveries, oldest first, at most `limit`.
  virtual std::vector<ParkedDelivery> parked_deliveries(const std::string& id,
                                                        std::size_t limit) = 0;
  // Those of them an admin asked to send again, oldest first, at most
  // `limit`: what the deliverer reads at each round (the others' payloads
  // stay in the store).
  virtual std::vector<ParkedDelivery> replays_requested(const std::string& id,
                                                        std::size_t limit) = 0;
  // Marks a parked delivery to be sent again by the deliverer; false when
  // there is no such delivery.
  virtual bool request_replay(const std::string& id, const std::string& delivery_id) = 0;
  // After a replay: delivered removes it from the list; otherwise it stays,
  // with `error`, its attempts counted, and no replay requested.
  virtual void finish_replay(const std::string& id, const std::string& delivery_id, bool delivered,
                             const std::string& error) = 0;

  // Takes or renews the right to deliver to the endpoint until `until`, for
  // `holder` (an instance's random name): true when no other holder's lease
  // runs past `now`. One instance at a time delivers to an endpoint; one
  // that dies is taken over when its lease expires.
  virtual bool lease_webhook(const std::string& id, const std::string& holder, Timestamp now,
                             Timestamp until) = 0;
};

}  // namespace cargomon
