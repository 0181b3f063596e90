#pragma once
// The in-memory store: everything in this process's memory, gone when it
// ends. For tests (a real store where one used to be faked, and the base of
// decorators that fail on cue) and for trying cargomon out (`--store
// memory:`). It keeps the contract of every store (store_contract_test.cpp),
// except that nothing survives the object.
//
// register_order answers at once, on the caller's thread: there is no disk
// to wait for. The day totals are kept up to date with every order, as the
// other stores keep theirs, so day_metrics never scans orders.
//
// Thread safety: every public method may be called from any thread; one
// mutex makes each call atomic.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "domain/business_calendar.hpp"
#include "domain/day_metrics.hpp"
#include "storage/store.hpp"

namespace cargomon {

class MemoryStore final : public Store, public WebhookStore {
 public:
  explicit MemoryStore(const BusinessCalendar& calendar);

  void register_order(Order order, RegisterDone done) override;
  OrderPage list_orders(const OrderQuery& query) override;
  std::optional<Order> find_order(const std::string& order_id) override;
  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override;
  DayMetrics day_metrics(BusinessDay day) override;
  bool ready() override { return true; }

  std::optional<User> find_user(const std::string& username) override;
  std::vector<User> list_users() override;
  UserChange create_user(const User& user) override;
  // Refuses (last_enabled_admin) an update that would leave no enabled admin.
  UserChange update_user(const User& user) override;
  std::size_t count_users() override;

  void create_session(const StoredSession& session) override;
  std::optional<StoredSession> find_session(const std::string& id) override;
  RotationOutcome rotate_session(const SessionRotation& rotation) override;
  std::vector<StoredSession> list_sessions(const std::string& username, Timestamp now,
                                           std::size_t limit) override;
  bool revoke_session(const std::string& id, Timestamp now) override;
  std::size_t prune_sessions(Timestamp now, std::size_t limit) override;
  WebhookStore* webhooks() override { return this; }
  bool create_webhook(const WebhookEndpoint& endpoint) override;
  std::vector<WebhookEndpoint> list_webhooks() override;
  std::optional<WebhookEndpoint> find_webhook(const std::string& id) override;
  bool update_webhook(const WebhookEndpoint& endpoint) override;
  bool delete_webhook(const std::string& id) override;
  std::optional<WebhookProgress> webhook_progress(const std::string& id, WebhookLog log) override;
  bool save_webhook_progress(const std::string& id, WebhookLog log, const WebhookProgress& progress,
                             const std::optional<ParkedDelivery>& parked) override;
  std::int64_t enqueue_webhook_event(const QueuedWebhookEvent& event) override;
  std::vector<QueuedWebhookEvent> webhook_events_after(std::int64_t after,
                                                       std::size_t limit) override;
  std::vector<ParkedDelivery> parked_deliveries(const std::string& id, std::size_t limit) override;
  std::vector<ParkedDelivery> replays_requested(const std::string& id, std::size_t limit) override;
  bool request_replay(const std::string& id, const std::string& delivery_id) override;
  void finish_replay(const std::string& id, const std::string& delivery_id, bool delivered,
                     const std::string& error) override;
  bool lease_webhook(const std::string& id, const std::string& holder, Timestamp now,
                     Timestamp until) override;
  void append_audit(const AuditEntry& entry) override;
  AuditPage list_audit(const AuditQuery& query) override;
  std::size_t prune_audit(Timestamp before, std::size_t max) override;

 private:
  struct Webhook {
    WebhookEndpoint endpoint;
    WebhookProgress progress[2];         // by WebhookLog
    std::vector<ParkedDelivery> parked;  // oldest first
    std::string lease_holder;
    Timestamp lease_until;
  };

  const BusinessCalendar& calendar_;
  std::mutex mutex_;           // guards what follows
  std::vector<Order> orders_;  // by sequence: orders_[i].sequence == i + 1
  std::map<std::string, std::size_t, std::less<>> index_of_;    // order id → index in orders_
  DayTotalsChange totals_;                                      // every day's running totals
  std::map<std::string, User, std::less<>> users_;              // by username
  std::map<std::string, StoredSession, std::less<>> sessions_;  // by id
  std::map<std::string, Webhook, std::less<>> webhooks_;        // by endpoint id
  std::vector<QueuedWebhookEvent> webhook_events_;  // by position: [i].position == i + 1
  // The audit trail by (at, id): newest last.
  std::map<std::pair<Timestamp, std::string>, AuditEntry> audit_;
};

}  // namespace cargomon
