#pragma once
// A Store that passes every call on to another one: the base of decorators,
// which override only what they change (tests' stores that fail on cue or
// count calls, over a MemoryStore).
//
// Thread safety: that of the wrapped store.

#include "storage/store.hpp"

namespace cargomon {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  void register_order(Order order, RegisterDone done) override {
    inner_.register_order(std::move(order), std::move(done));
  }
  OrderPage list_orders(const OrderQuery& query) override { return inner_.list_orders(query); }
  std::optional<Order> find_order(const std::string& order_id) override {
    return inner_.find_order(order_id);
  }
  std::vector<Order> orders_after(std::int64_t after, std::size_t limit) override {
    return inner_.orders_after(after, limit);
  }
  DayMetrics day_metrics(BusinessDay day) override { return inner_.day_metrics(day); }
  DayMetrics ranked_day_metrics(BusinessDay day, MetricsTop top) override {
    return inner_.ranked_day_metrics(day, top);
  }
  std::vector<DayFigures> days_figures(BusinessDay first, BusinessDay last) override {
    return inner_.days_figures(first, last);
  }
  bool ready() override { return inner_.ready(); }

  std::optional<User> find_user(const std::string& username) override {
    return inner_.find_user(username);
  }
  std::vector<User> list_users() override { return inner_.list_users(); }
  UserChange create_user(const User& user) override { return inner_.create_user(user); }
  UserChange update_user(const User& user) override { return inner_.update_user(user); }
  std::size_t count_users() override { return inner_.count_users(); }

  void create_session(const StoredSession& session) override { inner_.create_session(session); }
  std::optional<StoredSession> find_session(const std::string& id) override {
    return inner_.find_session(id);
  }
  RotationOutcome rotate_session(const SessionRotation& rotation) override {
    return inner_.rotate_session(rotation);
  }
  std::vector<StoredSession> list_sessions(const std::string& username, Timestamp now,
                                           std::size_t limit) override {
    return inner_.list_sessions(username, now, limit);
  }
  bool revoke_session(const std::string& id, Timestamp now) override {
    return inner_.revoke_session(id, now);
  }
  std::size_t prune_sessions(Timestamp now, std::size_t limit) override {
    return inner_.prune_sessions(now, limit);
  }

  void append_audit(const AuditEntry& entry) override { inner_.append_audit(entry); }
  AuditPage list_audit(const AuditQuery& query) override { return inner_.list_audit(query); }
  std::size_t prune_audit(Timestamp before, std::size_t max) override {
    return inner_.prune_audit(before, max);
  }

  LiveOrders* live_orders() override { return inner_.live_orders(); }
  WebhookStore* webhooks() override { return inner_.webhooks(); }

 protected:
  Store& inner() { return inner_; }

 private:
  Store& inner_;
};

}  // namespace cargomon
