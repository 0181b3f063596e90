#pragma once
// The embedded store: one SQLite database file in WAL mode.
//
// Writes go through the group-commit BatchWriter (storage/batch_writer.hpp):
// its thread stores every order queued while the previous commit ran in one
// transaction, and a syncer thread makes the log durable (one fdatasync per
// batch, not per order) before the batch is answered. Reads use a small pool
// of read connections and run beside the writer (WAL).
//
// Thread safety: every public method may be called from any thread.

#include <sys/types.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "domain/business_calendar.hpp"
#include "storage/batch_writer.hpp"
#include "storage/sqlite/sqlite.hpp"
#include "storage/store.hpp"

namespace cargomon {

struct SqliteStoreOptions {
  BatchWriterOptions batches;
  // Write-ahead log frames (pages) after which the checkpointer copies them
  // into the database file; SQLite's own default.
  int checkpoint_frames = 1'000;
  // Pages the writer keeps cached (negative: KiB), so index pages touched by
  // every insert are not read back from the file on each batch.
  int writer_cache_kib = 32 * 1024;
  // Makes the write-ahead log durable (0, or -1 with errno set), as
  // ::fdatasync does; tests inject a disk that fails.
  std::function<int(int fd)> sync_log = ::fdatasync;
};

class SqliteStore final : public Store, public WebhookStore {
 public:
  // Opens or creates `path` and applies pending migrations. Throws
  // StoreUnavailable when it cannot.
  SqliteStore(std::filesystem::path path, const BusinessCalendar& calendar,
              SqliteStoreOptions options = {});
  ~SqliteStore() override;  // commits what is queued, then stops the writer

  void register_order(Order order, RegisterDone done) override;
  OrderPage list_orders(const OrderQuery& query) override;
  std::optional<Order> find_order(const std::string& order_id) override;
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
  // Webhooks: on the read connections, each write in
  // its own IMMEDIATE transaction, as users' are.
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
  // True when the database file this store writes is no longer the one at
  // its path (deleted, or replaced), or its log has no name any more.
  bool database_gone() const;
  // The day's figures; with `top`, only the first of each ranking.
  DayMetrics read_day_metrics(BusinessDay day, std::optional<MetricsTop> top);
  // A committed batch waiting for its write-ahead log frames to be on disk.
  struct Committed {
    std::vector<PendingOrder> batch;
    std::vector<RegisterResult> results;
  };
  class ReadLease;

  void checkpoint_loop();
  void sync_loop();
  void commit_batch(std::vector<PendingOrder>& batch);
  ReadLease read();

  std::filesystem::path path_;
  const BusinessCalendar& calendar_;
  SqliteStoreOptions options_;

  std::unique_ptr<sqlite::Connection> writer_db_;  // used only by the writer thread

  // Commits do not wait for the disk: the syncer makes the log durable
  // (fdatasync) and only then answers the batches committed before it, while
  // the writer already commits the next batch. One fsync covers every batch
  // committed before it started.
  std::mutex sync_mutex_;  // guards to_sync_, sync_stopping_ and sync_failed_
  std::condition_variable sync_ready_;
  std::vector<Committed> to_sync_;
  bool sync_stopping_ = false;
  bool sync_failed_ = false;  // after a failed fdatasync nothing more is acknowledged
  // The database file's device and inode when opened: a different one (or
  // none) at that path means the data directory was deleted or replaced.
  std::optional<std::pair<dev_t, ino_t>> database_identity_;
  int wal_fd_ = -1;  // the write-ahead log, opened by the syncer
  std::thread syncer_;

  // Checkpoints run on their own thread and connection, so their reads,
  // writes and fsyncs stay out of the commits that acknowledge orders.
  std::mutex checkpoint_mutex_;  // guards checkpoint_wanted_ and checkpoint_stopping_
  std::condition_variable checkpoint_ready_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stopping_ = false;
  std::thread checkpointer_;

  std::mutex pool_mutex_;  // guards idle_readers_
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers_;

  // Started last, once everything its commits use exists; stopped first.
  std::unique_ptr<BatchWriter> writer_;
};

}  // namespace cargomon
