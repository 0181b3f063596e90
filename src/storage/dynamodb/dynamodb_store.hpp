#pragma once
// The serverless store: Amazon DynamoDB (or DynamoDB Local), through the
// project's own SigV4 client (aws/dynamodb_client.hpp). Several instances
// (and Lambda functions) may share its tables. docs/dynamodb.md describes
// the tables, keys, access patterns and write units per order; in short:
//
//   PREFIX-orders  (p, k)  the order (o#ID / o), its copy in the day's
//                          newest-first index (d#DAY / time#sequence), its
//                          copy in the sequence log (s#BUCKET / sequence), the
//                          day registry (days#SHARD / DAY), the day's counter
//                          shards (c#DAY / SHARD) and the sequence counter
//                          (meta / sequence)
//   PREFIX-users   (p, k)  users (u / USERNAME) and the count of enabled
//                          admins (meta / admins)
//
// Writes: the BatchWriter groups queued orders; a batch draws its block of
// sequence values with one counter update, then commits each order in its
// own TransactWriteItems (up to counter_shards at once, each on its own
// counter shard), answering each order when its transaction is done.
// Duplicates within a batch share their first one's transaction.
//
// Live streams across instances (LiveOrders) are not provided yet:
// live_orders() is null, so an instance streams the orders it stored itself;
// orders_after() serves every instance's orders.
//
// Thread safety: every public method may be called from any thread.

#include <memory>
#include <string>

#include "aws/dynamodb_client.hpp"
#include "domain/business_calendar.hpp"
#include "storage/batch_writer.hpp"
#include "storage/store.hpp"

namespace cargomon {

struct DynamoDbStoreOptions {
  std::string table_prefix;   // tables PREFIX-orders and PREFIX-users
  bool create_tables = true;  // false: missing tables are an error (IAM grants no CreateTable)
  BatchWriterOptions batches{.max_pending = 50'000, .max_batch = 500};
  // Counter items per day; also the number of order transactions in flight
  // (each batch's orders take consecutive sequences, so concurrent ones
  // land on different shards and do not conflict with each other).
  int counter_shards = 16;
  aws::DynamoDbOptions client;
};

class DynamoDbStore final : public Store {
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

  // Deletes both tables (tests' throwaway prefixes).
  void delete_tables();

 private:
  struct Shared;
  void commit_batch(std::vector<PendingOrder>& batch);

  const BusinessCalendar& calendar_;
  DynamoDbStoreOptions options_;
  std::string orders_table_;
  std::string users_table_;
  std::unique_ptr<aws::DynamoDbClient> client_;
  std::unique_ptr<BatchWriter> writer_;  // last: stopped first
};

}  // namespace cargomon
