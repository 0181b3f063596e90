#pragma once
// The scale-out store: PostgreSQL, shared by several cargomon instances.
//
// Writes: like the SQLite store, through the group-commit BatchWriter
// (storage/batch_writer.hpp): one writer thread per instance takes every
// order queued while the previous commit ran and stores them in one
// transaction (multi-row statements over arrays), so a batch costs a handful
// of round trips and one commit. Idempotency holds across instances through
// UNIQUE (order_id) and ON CONFLICT DO NOTHING: an order another instance
// stored (or is storing: the insert waits for that transaction) is compared
// with Order::same_content. Day totals are sharded (see 001_initial.sql) so
// instances do not queue on one row. Each commit notifies the channel that
// OrderRelay (live_orders()) listens on.
//
// Reads use a small pool of connections. A connection found broken is
// replaced; when the server cannot be reached, reads throw StoreUnavailable
// and writes report RegisterStatus::unavailable (an order whose commit's
// outcome is unknown is reported unavailable too: the client's retry is
// answered from the store). The store reconnects by itself once the server is
// back.
//
// Thread safety: every public method may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/business_calendar.hpp"
#include "storage/batch_writer.hpp"
#include "storage/postgres/pg.hpp"
#include "storage/store.hpp"

namespace cargomon {

struct PostgresStoreOptions {
  BatchWriterOptions batches;
  std::size_t max_read_connections = 16;
  // After a failed connection attempt, the writer answers unavailable at once
  // for this long instead of trying again for every batch.
  std::chrono::milliseconds reconnect_interval{200};
};

class PostgresStore final : public Store, public LiveOrders, public WebhookStore {
 public:
  // `url`: a libpq URI (postgres://user:password@host:port/database?…).
  // Connects and applies pending migrations (serialized across instances by
  // an advisory lock). Throws StoreUnavailable when it cannot.
  PostgresStore(std::string url, const BusinessCalendar& calendar,
                PostgresStoreOptions options = {});
  ~PostgresStore() override;  // commits what is queued, then stops the writer

  void register_order(Order order, RegisterDone done) override;
  OrderPage list_orders(const OrderQuery& query) override;
  std::optional<Order> find_order(const std::string& order_id) override;
  // Only orders below settled_sequence(): a stream that resumes from here can
  // never miss an order that commits later with a smaller sequence.
  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override;
  DayMetrics day_metrics(BusinessDay day) override;
  DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) override;
  std::vector<DayFigures> days_figures(BusinessDay first, BusinessDay last) override;
  bool ready() override;

  std::optional<User> find_user(const std::string& username) override;
  std::vector<User> list_users() override;
  UserChange create_user(const User& user) override;
  UserChange update_user(const User& user) override;
  std::size_t count_users() override;

  void create_session(const StoredSession& session) override;
  std::optional<StoredSession> find_session(const std::string& id) override;
  RotationOutcome rotate_session(const SessionRotation& rotation) override;
  std::vector<StoredSession> list_sessions(const std::string& username, Timestamp now,
                                           std::size_t limit) override;
  bool revoke_session(const std::string& id, Timestamp now) override;
  std::size_t prune_sessions(Timestamp now, std::size_t limit) override;
  // Webhooks: leases are one conditional UPDATE, so instances never both
  // hold one; queued events take their positions in commit order.
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

  // Several instances share the store: each one's live stream gets every
  // instance's orders through an OrderRelay.
  LiveOrders* live_orders() override { return this; }
  std::unique_ptr<LiveSubscription> subscribe(Publish publish) override;

  // The highest sequence S such that every order with a sequence <= S is
  // committed or will never exist. Waits (briefly) for write transactions in
  // flight. See the comment in postgres_store.cpp.
  std::int64_t settled_sequence();

  // For OrderRelay: a new connection listening on this store's channel.
  std::unique_ptr<pg::Connection> listen();

  // Cancels the statements running on read connections now (they then throw
  // StoreUnavailable). For shutting down: OrderRelay stops with it even when
  // a query is slow.
  void cancel_reads();

 private:
  class Lease;

  // A webhook endpoint's parked deliveries; with `only_requested`, those
  // whose replay was asked for.
  std::vector<ParkedDelivery> read_parked(const std::string& id, std::size_t limit,
                                          bool only_requested);

  // The day's figures; with `top`, only the first of each ranking.
  DayMetrics read_day_metrics(BusinessDay day, std::optional<MetricsTop> top);

  void commit_batch(std::vector<PendingOrder>& batch);
  // One transaction for the batch; fills `results`. Throws on failure.
  void store_batch(pg::Connection& db, std::vector<PendingOrder>& batch,
                   std::vector<RegisterResult>& results);
  pg::Connection* writer_connection();
  Lease lease();
  // Runs `work` on a pooled connection; retried once on a fresh connection
  // when a reused one turns out to have been cut (idempotent reads only).
  template <class Work>
  auto read(Work&& work);
  std::vector<Order> read_orders(pg::Connection& db, const pg::Result& rows);
  pg::ConnectOptions connect_options(const char* role) const;
  std::unique_ptr<pg::Connection> connect(const char* role);

  std::string url_;
  const BusinessCalendar& calendar_;
  PostgresStoreOptions options_;
  std::string channel_;  // NOTIFY channel, one per schema
  std::int32_t shard_hint_;

  std::unique_ptr<pg::Connection> writer_db_;  // used only by the writer thread
  std::chrono::steady_clock::time_point writer_retry_at_{};
  // steady_clock ticks of the last failed connection attempt (0: none).
  std::atomic<std::chrono::steady_clock::rep> last_connect_failure_{0};

  std::mutex pool_mutex_;  // guards idle_ and leased_
  std::condition_variable pool_returned_;
  std::vector<std::unique_ptr<pg::Connection>> idle_;
  std::size_t leased_ = 0;
  std::vector<pg::Connection*> in_use_;  // the leased connections (guarded by pool_mutex_)

  // Started last, once everything its commits use exists; stopped first.
  std::unique_ptr<BatchWriter> writer_;
};

}  // namespace cargomon
