#pragma once
// The storage interface, in domain terms: one Store (orders, their day
// totals, users, and for stores that several instances share, the orders
// every instance commits). SQLite (storage/sqlite/, embedded, the default),
// PostgreSQL (storage/postgres/, several instances) and the in-memory store
// (storage/memory/, tests and trials) implement it, each in its own folder
// and CMake target; storage/open_store.hpp picks one by URL, and the
// contract tests in store_contract_test.cpp run against every one.
//
// Error policy: a store that cannot do its work (disk full, database locked
// past its timeout, server unreachable) throws StoreUnavailable from reads and
// reports RegisterStatus::unavailable from writes. Callers answer 503 with
// Retry-After; nothing is acknowledged that was not committed. Any other
// exception is a bug.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/day_comparison.hpp"
#include "domain/day_metrics.hpp"
#include "domain/order.hpp"
#include "domain/user.hpp"
#include "storage/audit_log.hpp"
#include "storage/session_store.hpp"
#include "storage/webhook_store.hpp"

namespace cargomon {

class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class RegisterStatus {
  stored,          // newly and durably stored
  already_stored,  // the same content was stored before: nothing changed
  conflict,        // the same order id was stored with different content: nothing changed
  unavailable,     // not stored; the store could not commit
};

struct RegisterResult {
  RegisterStatus status = RegisterStatus::unavailable;
  Order order;  // the stored order (for stored, already_stored and conflict)
};

// Position in the newest-first order listing: (occurred_at, sequence) descending.
struct OrderCursor {
  Timestamp occurred_at;
  std::int64_t sequence = 0;
};

struct OrderQuery {
  std::size_t limit = 100;
  std::optional<OrderCursor> after;
  std::optional<BusinessDay> day;
  std::optional<Timestamp> from;   // inclusive
  std::optional<Timestamp> until;  // exclusive
  std::optional<std::string> courier_id;
};

struct OrderPage {
  std::vector<Order> orders;
  std::optional<OrderCursor> next;  // absent at the end
};

class OrderStore {
 public:
  virtual ~OrderStore() = default;

  using RegisterDone = std::function<void(RegisterResult)>;

  // Stores the order together with its day totals in one transaction, or
  // finds it already there. Never blocks: it queues the order (a full queue
  // is `unavailable` at once), so it may be called from a network thread.
  // `done` runs once, on a store thread, after the
  // transaction is durable (or failed); it must not block. Many concurrent
  // orders share one commit. `order.sequence` is assigned by the store.
  virtual void register_order(Order order, RegisterDone done) = 0;

  virtual OrderPage list_orders(const OrderQuery& query) = 0;
  virtual std::optional<Order> find_order(const std::string& order_id) = 0;
  // Orders with sequence > after, oldest first; for streams that resume.
  virtual std::vector<Order> orders_after(std::int64_t after, std::size_t limit) = 0;
  // Read from the day's running totals; cost independent of stored orders. Ranked.
  virtual DayMetrics day_metrics(BusinessDay day) = 0;
  // The same figures with only the first `top` products and couriers of the
  // rankings (and their counts): what every screen is sent, whose size must
  // not grow with what couriers send. This default reads the complete lists;
  // a store whose day may hold very many products reads just the first.
  virtual DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) {
    auto metrics = day_metrics(day);
    metrics.keep_top(top);
    return metrics;
  }
  // The totals of the days from `first` to `last` (inclusive, at most
  // kMaxRangeDays) that have orders, from their running totals. This default
  // reads each day; a store that can read a range of days at once does.
  virtual std::vector<DayFigures> days_figures(BusinessDay first, BusinessDay last) {
    std::vector<DayFigures> days;
    for (auto day = std::chrono::sys_days(first); day <= std::chrono::sys_days(last);
         day += std::chrono::days(1)) {
      const auto metrics = ranked_day_metrics(BusinessDay(day), {});
      if (metrics.orders > 0) {
        days.push_back({metrics.day, {metrics.orders, metrics.units, metrics.sales}});
      }
    }
    return days;
  }
  // True when the store answers a trivial query.
  virtual bool ready() = 0;
};

enum class UserChange {
  done,
  not_found,
  already_exists,
  // Refused: the update would leave no enabled admin (checked inside the
  // store, atomically with the update).
  last_enabled_admin,
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  virtual std::optional<User> find_user(const std::string& username) = 0;
  // What find_user would answer, when this object knows it without reading
  // the store (a cache); nullopt when it would have to read. Never blocks.
  virtual std::optional<std::optional<User>> find_user_in_memory(const std::string& username) {
    (void)username;
    return std::nullopt;
  }
  virtual std::vector<User> list_users() = 0;
  virtual UserChange create_user(const User& user) = 0;
  // Replaces role, password hash and disabled flag of an existing user.
  // last_enabled_admin (and nothing changed) when the user is an enabled
  // admin, would no longer be one, and no other enabled admin exists: decided
  // in the write's own transaction, so concurrent changes (other threads,
  // instances, the CLI) cannot together leave no admin.
  virtual UserChange update_user(const User& user) = 0;
  virtual std::size_t count_users() = 0;
};

// Keeps a stream of the orders committed from now on, until destroyed.
class LiveSubscription {
 public:
  virtual ~LiveSubscription() = default;
};

// The orders that every instance sharing a store commits, for this
// instance's live stream: in sequence order, each once, none skipped.
class LiveOrders {
 public:
  using Publish = std::function<void(const Order&)>;
  virtual ~LiveOrders() = default;
  // Calls `publish` (on a thread of the store's) with every order committed
  // from now on, by any instance, until the subscription is destroyed;
  // earlier orders are history, for resuming clients to read with
  // orders_after. Destroying the subscription is prompt, even while the
  // store is slow.
  virtual std::unique_ptr<LiveSubscription> subscribe(Publish publish) = 0;
};

// What a deployment opens (open_store.hpp): one object for all of the above
// and the audit trail (audit_log.hpp).
class Store : public OrderStore, public UserStore, public SessionStore, public AuditLog {
 public:
  // Null for a store only this process uses (SQLite, memory): then what this
  // process registers is all there is, and it publishes its own orders.
  virtual LiveOrders* live_orders() { return nullptr; }
  // Webhooks' endpoints, progress and parked deliveries (webhook_store.hpp);
  // null for a store that does not keep them yet.
  virtual WebhookStore* webhooks() { return nullptr; }
};

}  // namespace cargomon
