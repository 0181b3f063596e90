#pragma once
// The serverless store: Amazon DynamoDB (or DynamoDB Local), through the
// project's own SigV4 client (aws/dynamodb_client.hpp). Several instances
// (and Lambda functions) may share its tables. docs/dynamodb.md describes
// the tables, keys, access patterns and write units per order; in short:
//
//   PREFIX-orders  (p, k)  the order (o#ID / o), its copy in the day's
//                          newest-first index (d#DAY#N / time#sequence), its
//                          copy in the sequence log (s#BUCKET#N / sequence),
//                          the day registry (days#SHARD / DAY), the day's
//                          counter shards (c#DAY / SHARD), the sequence
//                          counter (meta / sequence) and the layout (meta /
//                          layout: how many partitions N the index and the
//                          log are spread over)
//   PREFIX-users   (p, k)  users (u / USERNAME), the count of enabled
//                          admins (meta / admins), signed-in sessions
//                          (s / SESSION_ID), the audit trail by UTC
//                          month, newest first (a#YYYY-MM / time#id) and the
//                          registry of its months (am / YYYY-MM)
//
// Writes: the BatchWriter groups queued orders; a batch draws its block of
// sequence values with one counter update, then commits each order in its
// own TransactWriteItems (up to counter_shards at once, each on its own
// counter shard), answering each order when its transaction is done.
// Duplicates within a batch share their first one's transaction.
//
// Live streams across instances: LiveOrders polls the sequence log
// (order_relay.hpp); every value drawn but not used gets a void log entry,
// so that the relay knows it is settled.
//
// Thread safety: every public method may be called from any thread.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/dynamodb_client.hpp"
#include "domain/business_calendar.hpp"
#include "storage/batch_writer.hpp"
#include "storage/store.hpp"

namespace cargomon {

// How the live relay (order_relay.hpp) polls.
struct DynamoDbRelayOptions {
  std::chrono::milliseconds poll_interval{100};
  // Longer than a writer's call deadline plus one attempt (DynamoDbOptions).
  std::chrono::milliseconds hole_timeout{30'000};
};

struct DynamoDbStoreOptions {
  std::string table_prefix;   // tables PREFIX-orders and PREFIX-users
  bool create_tables = true;  // false: missing tables are an error (IAM grants no CreateTable)
  BatchWriterOptions batches{.max_pending = 50'000, .max_batch = 500};
  // Counter items per day; also the number of order transactions in flight
  // (each batch's orders take consecutive sequences, so concurrent ones
  // land on different shards and do not conflict with each other).
  int counter_shards = 16;
  // Partitions each of the day index and the sequence log is spread over
  // (N = sequence % index_shards), so that no partition takes every order's
  // write: DynamoDB gives a partition about 1,000 write units per second, 2
  // per copy, so about 500 orders/s per partition. Used when the tables are
  // new; tables that already hold orders keep the layout recorded in them
  // (or 1, unsharded, written before the layout was recorded). A listing
  // page reads every partition of a day and merges them.
  int index_shards = 8;
  // Query calls one listing may make before it answers what it has with a
  // cursor (at least two per partition of the index), and the items one
  // filtered Query evaluates: together they bound what a page reads when a
  // filter matches little (each Query returns at most 1 MB).
  int max_listing_queries = 16;
  int filtered_query_limit = 1000;
  aws::DynamoDbOptions client;
  DynamoDbRelayOptions relay;
};

// One value of the sequence log: an order, or void (drawn, never used).
struct LogEntry {
  std::int64_t sequence = 0;
  std::optional<Order> order;
};

class DynamoDbStore final : public Store, public LiveOrders {
 public:
  // Checks (and unless told not to, creates) the tables. Throws
  // StoreUnavailable when DynamoDB cannot be reached or a table is missing,
  // std::runtime_error for a bad prefix or configuration.
  DynamoDbStore(aws::ServiceConfig config, DynamoDbStoreOptions options,
                const BusinessCalendar& calendar);
  ~DynamoDbStore() override;  // commits what is queued

  void register_order(Order order, RegisterDone done) override;
  OrderPage list_orders(const OrderQuery& query) override;
  std::optional<Order> find_order(const std::string& order_id) override;
  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override;
  DayMetrics day_metrics(BusinessDay day) override;
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
  void append_audit(const AuditEntry& entry) override;
  AuditPage list_audit(const AuditQuery& query) override;
  std::size_t prune_audit(Timestamp before, std::size_t max) override;

  LiveOrders* live_orders() override { return this; }
  std::unique_ptr<LiveSubscription> subscribe(Publish publish) override;

  // For the relay: the log after `after`, in value order (orders and voids);
  // and the last value drawn so far.
  std::vector<LogEntry> log_after(std::int64_t after, std::size_t limit);
  std::int64_t drawn_sequence();
  // The partitions of the index and the log these tables use.
  int index_shards() const { return index_shards_; }

 private:
  void commit_batch(std::vector<PendingOrder>& batch);
  // Marks a drawn value that no order will use (asynchronously; best effort).
  void write_void(std::int64_t sequence);
  // Reads (or, on tables without orders, records) the layout.
  void settle_layout();
  std::string index_partition(const std::string& day, std::int64_t shard) const;
  std::string log_partition(std::int64_t sequence) const;
  std::string log_partition(std::int64_t bucket, std::int64_t shard) const;

  // Registers `month` of the audit trail once per process (idempotent).
  void note_audit_month(const std::string& month);
  std::vector<std::string> audit_months();  // newest first

  const BusinessCalendar& calendar_;
  DynamoDbStoreOptions options_;
  std::mutex audit_month_mutex_;  // guards noted_audit_month_
  std::string noted_audit_month_;
  std::string orders_table_;
  std::string users_table_;
  int index_shards_ = 1;
  std::unique_ptr<aws::DynamoDbClient> client_;
  std::unique_ptr<BatchWriter> writer_;  // last: stopped first
};

}  // namespace cargomon
