#include "storage/memory/memory_store.hpp"

#include <algorithm>
#include <utility>

namespace cargomon {
namespace {

bool enabled_admin(const User& user) { return user.role == Role::admin && !user.disabled; }

// As the SQL stores filter and order: (occurred_at, sequence) descending.
bool matches(const Order& order, const OrderQuery& query, const BusinessCalendar& calendar) {
  const auto at = order.occurred_at();
  if (query.day && calendar.day_of(at) != *query.day) return false;
  if (query.courier_id && order.courier.id.text != *query.courier_id) return false;
  if (query.from && at < *query.from) return false;
  if (query.until && at >= *query.until) return false;
  if (query.after &&
      std::pair(at, order.sequence) >= std::pair(query.after->occurred_at, query.after->sequence)) {
    return false;
  }
  return true;
}

bool matches(const AuditEntry& entry, const AuditQuery& query) {
  if (query.action && entry.action != *query.action) return false;
  if (query.actor && entry.actor != *query.actor) return false;
  if (query.from && entry.at < *query.from) return false;
  if (query.until && entry.at >= *query.until) return false;
  return true;
}

}  // namespace

MemoryStore::MemoryStore(const BusinessCalendar& calendar) : calendar_(calendar) {}

void MemoryStore::register_order(Order order, RegisterDone done) {
  RegisterResult result;
  {
    const std::lock_guard lock(mutex_);
    if (const auto found = index_of_.find(order.order_id); found != index_of_.end()) {
      const Order& stored = orders_[found->second];
      result = {
          stored.same_content(order) ? RegisterStatus::already_stored : RegisterStatus::conflict,
          stored};
    } else {
      order.sequence = static_cast<std::int64_t>(orders_.size()) + 1;
      index_of_.emplace(order.order_id, orders_.size());
      totals_.add(order, calendar_);
      orders_.push_back(order);
      result = {RegisterStatus::stored, std::move(order)};
    }
  }
  done(std::move(result));
}

OrderPage MemoryStore::list_orders(const OrderQuery& query) {
  std::vector<Order> found;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& order : orders_) {
      if (matches(order, query, calendar_)) found.push_back(order);
    }
  }
  std::sort(found.begin(), found.end(), [](const Order& a, const Order& b) {
    return std::pair(a.occurred_at(), a.sequence) > std::pair(b.occurred_at(), b.sequence);
  });
  OrderPage page;
  if (found.size() > query.limit) {
    found.resize(query.limit);
    if (!found.empty()) page.next = OrderCursor{found.back().occurred_at(), found.back().sequence};
  }
  page.orders = std::move(found);
  return page;
}

std::optional<Order> MemoryStore::find_order(const std::string& order_id) {
  const std::lock_guard lock(mutex_);
  const auto found = index_of_.find(order_id);
  if (found == index_of_.end()) return std::nullopt;
  return orders_[found->second];
}

std::vector<Order> MemoryStore::orders_after(std::int64_t after, std::size_t limit) {
  const std::lock_guard lock(mutex_);
  const auto first = static_cast<std::size_t>(
      std::clamp<std::int64_t>(after, 0, static_cast<std::int64_t>(orders_.size())));
  const auto last = first + std::min(limit, orders_.size() - first);
  return {orders_.begin() + static_cast<std::ptrdiff_t>(first),
          orders_.begin() + static_cast<std::ptrdiff_t>(last)};
}

DayMetrics MemoryStore::day_metrics(BusinessDay day) {
  DayMetrics metrics;
  metrics.day = day;
  {
    const std::lock_guard lock(mutex_);
    const auto found = totals_.days().find(format_business_day(day));
    if (found != totals_.days().end()) {
      const auto& totals = found->second;
      metrics.orders = totals.orders;
      metrics.units = totals.units;
      metrics.sales = totals.sales;
      metrics.last_order = totals.last_order;
      for (const auto& [name, product] : totals.products) metrics.products.push_back(product);
      for (const auto& [hour, hour_totals] : totals.hours) {
        metrics.hours[static_cast<std::size_t>(hour)] = hour_totals;
      }
      for (const auto& [id, courier] : totals.couriers) metrics.couriers.push_back(courier);
    }
  }
  metrics.rank();
  return metrics;
}

std::optional<User> MemoryStore::find_user(const std::string& username) {
  const std::lock_guard lock(mutex_);
  const auto found = users_.find(username);
  if (found == users_.end()) return std::nullopt;
  return found->second;
}

std::vector<User> MemoryStore::list_users() {
  const std::lock_guard lock(mutex_);
  std::vector<User> users;
  users.reserve(users_.size());
  for (const auto& [name, user] : users_) users.push_back(user);
  return users;
}

UserChange MemoryStore::create_user(const User& user) {
  const std::lock_guard lock(mutex_);
  return users_.emplace(user.username, user).second ? UserChange::done : UserChange::already_exists;
}

UserChange MemoryStore::update_user(const User& user) {
  const std::lock_guard lock(mutex_);
  const auto found = users_.find(user.username);
  if (found == users_.end()) return UserChange::not_found;
  // Counted under the same lock as the update: two concurrent demotions of
  // the last two admins cannot both pass.
  if (enabled_admin(found->second) && !enabled_admin(user) &&
      std::count_if(users_.begin(), users_.end(),
                    [](const auto& entry) { return enabled_admin(entry.second); }) == 1) {
    return UserChange::last_enabled_admin;
  }
  found->second = user;
  return UserChange::done;
}

std::size_t MemoryStore::count_users() {
  const std::lock_guard lock(mutex_);
  return users_.size();
}

void MemoryStore::create_session(const StoredSession& session) {
  const std::lock_guard lock(mutex_);
  sessions_.insert_or_assign(session.id, session);
}

std::optional<StoredSession> MemoryStore::find_session(const std::string& id) {
  const std::lock_guard lock(mutex_);
  const auto found = sessions_.find(id);
  if (found == sessions_.end()) return std::nullopt;
  return found->second;
}

RotationOutcome MemoryStore::rotate_session(const SessionRotation& rotation) {
  const std::lock_guard lock(mutex_);
  const auto found = sessions_.find(rotation.id);
  if (found == sessions_.end()) return RotationOutcome::gone;
  const auto outcome = decide_rotation(found->second, rotation);
  if (outcome == RotationOutcome::rotated) apply_rotation(found->second, rotation);
  if (outcome == RotationOutcome::reused) found->second.revoked = true;
  return outcome;
}

std::vector<StoredSession> MemoryStore::list_sessions(const std::string& username, Timestamp now,
                                                      std::size_t limit) {
  std::vector<StoredSession> all;
  {
    const std::lock_guard lock(mutex_);
    all.reserve(sessions_.size());
    for (const auto& [id, session] : sessions_) all.push_back(session);
  }
  return listed_sessions(std::move(all), username, now, limit);
}

bool MemoryStore::revoke_session(const std::string& id, Timestamp now) {
  const std::lock_guard lock(mutex_);
  const auto found = sessions_.find(id);
  if (found == sessions_.end() || found->second.revoked || found->second.expires_at <= now) {
    return false;
  }
  found->second.revoked = true;
  return true;
}

std::size_t MemoryStore::prune_sessions(Timestamp now, std::size_t limit) {
  const std::lock_guard lock(mutex_);
  std::size_t pruned = 0;
  for (auto it = sessions_.begin(); it != sessions_.end() && pruned < limit;) {
    if (it->second.expires_at <= now) {
      it = sessions_.erase(it);
      ++pruned;
    } else {
      ++it;
    }
  }
  return pruned;
}

}  // namespace cargomon

namespace cargomon {

bool MemoryStore::create_webhook(const WebhookEndpoint& endpoint) {
  const std::lock_guard lock(mutex_);
  if (webhooks_.size() >= kMaxWebhookEndpoints || webhooks_.contains(endpoint.id)) return false;
  Webhook webhook;
  webhook.endpoint = endpoint;
  webhook.progress[static_cast<int>(WebhookLog::orders)].done =
      static_cast<std::int64_t>(orders_.size());
  webhook.progress[static_cast<int>(WebhookLog::events)].done =
      static_cast<std::int64_t>(webhook_events_.size());
  webhooks_.emplace(endpoint.id, std::move(webhook));
  return true;
}

std::vector<WebhookEndpoint> MemoryStore::list_webhooks() {
  const std::lock_guard lock(mutex_);
  std::vector<WebhookEndpoint> endpoints;
  for (const auto& [id, webhook] : webhooks_) endpoints.push_back(webhook.endpoint);
  return endpoints;
}

std::optional<WebhookEndpoint> MemoryStore::find_webhook(const std::string& id) {
  const std::lock_guard lock(mutex_);
  const auto found = webhooks_.find(id);
  if (found == webhooks_.end()) return std::nullopt;
  return found->second.endpoint;
}

bool MemoryStore::update_webhook(const WebhookEndpoint& endpoint) {
  const std::lock_guard lock(mutex_);
  const auto found = webhooks_.find(endpoint.id);
  if (found == webhooks_.end()) return false;
  auto& stored = found->second.endpoint;
  stored.url = endpoint.url;
  stored.description = endpoint.description;
  stored.events = endpoint.events;
  stored.disabled = endpoint.disabled;
  return true;
}

bool MemoryStore::delete_webhook(const std::string& id) {
  const std::lock_guard lock(mutex_);
  return webhooks_.erase(id) == 1;
}

std::optional<WebhookProgress> MemoryStore::webhook_progress(const std::string& id,
                                                             WebhookLog log) {
  const std::lock_guard lock(mutex_);
  const auto found = webhooks_.find(id);
  if (found == webhooks_.end()) return std::nullopt;
  return found->second.progress[static_cast<int>(log)];
}

bool MemoryStore::save_webhook_progress(const std::string& id, WebhookLog log,
                                        const WebhookProgress& progress,
                                        const std::optional<ParkedDelivery>& parked) {
  const std::lock_guard lock(mutex_);
  const auto found = webhooks_.find(id);
  if (found == webhooks_.end()) return false;
  found->second.progress[static_cast<int>(log)] = progress;
  if (parked) {
    auto& list = found->second.parked;
    list.push_back(*parked);
    if (list.size() > kMaxParkedDeliveries) list.erase(list.begin());
  }
  return true;
}

std::int64_t MemoryStore::enqueue_webhook_event(const QueuedWebhookEvent& event) {
  const std::lock_guard lock(mutex_);
  auto& queued = webhook_events_.emplace_back(event);
  queued.position = static_cast<std::int64_t>(webhook_events_.size());
  return queued.position;
}

std::vector<QueuedWebhookEvent> MemoryStore::webhook_events_after(std::int64_t after,
                                                                  std::size_t limit) {
  const std::lock_guard lock(mutex_);
  const auto first = static_cast<std::size_t>(
      std::clamp<std::int64_t>(after, 0, static_cast<std::int64_t>(webhook_events_.size())));
  const auto last = first + std::min(limit, webhook_events_.size() - first);
  return {webhook_events_.begin() + static_cast<std::ptrdiff_t>(first),
          webhook_events_.begin() + static_cast<std::ptrdiff_t>(last)};
}

std::vector<ParkedDelivery> MemoryStore::parked_deliveries(const std::string& id,
                                                           std::size_t limit) {
  const std::lock_guard lock(mutex_);
  const auto found = webhooks_.find(id);
  if (found == webhooks_.end()) return {};
  const auto& parked = found->second.parked;
  return {parked.begin(),
          parked.begin() + static_cast<std::ptrdiff_t>(std::min(limit, parked.size()))};
}

std::vector<ParkedDelivery> MemoryStore::replays_requested(const std::string& id,
                                                           std::size_t limit) {
  const std::lock_guard lock(mutex_);
  std::vector<ParkedDelivery> requested;
  const auto found = webhooks_.find(id);
  if (found == webhooks_.end()) return requested;
  for (const auto& parked : found->second.parked) {
    if (requested.size() >= limit) break;
    if (parked.replay_requested) requested.push_back(parked);
  }
  return requested;
}

bool MemoryStore::request_replay(const std::string& id, const std::string& delivery_id) {
  const std::lock_guard lock(mutex_);
  const auto found = webhooks_.find(id);
  if (found == webhooks_.end()) return false;
  for (auto& parked : found->second.parked) {
    if (parked.delivery_id == delivery_id) {
      parked.replay_requested = true;
      return true;
    }
  }
  return false;
}

void MemoryStore::finish_replay(const std::string& id, const std::string& delivery_id,
                                bool delivered, const std::string& error) {
  const std::lock_guard lock(mutex_);
  const auto found = webhooks_.find(id);
  if (found == webhooks_.end()) return;
  auto& list = found->second.parked;
  const auto it = std::find_if(list.begin(), list.end(), [&](const ParkedDelivery& parked) {
    return parked.delivery_id == delivery_id;
  });
  if (it == list.end()) return;
  if (delivered) {
    list.erase(it);
    return;
  }
  it->replay_requested = false;
  it->attempts += 1;
  it->last_error = error;
}

bool MemoryStore::lease_webhook(const std::string& id, const std::string& holder, Timestamp now,
                                Timestamp until) {
  const std::lock_guard lock(mutex_);
  const auto found = webhooks_.find(id);
  if (found == webhooks_.end()) return false;
  auto& webhook = found->second;
  if (webhook.lease_holder != holder && !webhook.lease_holder.empty() &&
      webhook.lease_until > now) {
    return false;
  }
  webhook.lease_holder = holder;
  webhook.lease_until = until;
  return true;
}

void MemoryStore::append_audit(const AuditEntry& entry) {
  const std::lock_guard lock(mutex_);
  audit_.emplace(std::pair(entry.at, entry.id), entry);
}

AuditPage MemoryStore::list_audit(const AuditQuery& query) {
  AuditPage page;
  if (query.limit == 0) return page;
  const std::lock_guard lock(mutex_);
  auto it =
      query.after ? audit_.lower_bound(std::pair(query.after->at, query.after->id)) : audit_.end();
  while (it != audit_.begin()) {
    --it;
    if (!matches(it->second, query)) continue;
    if (page.entries.size() == query.limit) {
      const auto& last = page.entries.back();
      page.next = AuditCursor{last.at, last.id};
      break;
    }
    page.entries.push_back(it->second);
  }
  return page;
}

std::size_t MemoryStore::prune_audit(Timestamp before, std::size_t max) {
  const std::lock_guard lock(mutex_);
  std::size_t deleted = 0;
  while (deleted < max && !audit_.empty() && audit_.begin()->first.first < before) {
    audit_.erase(audit_.begin());
    ++deleted;
  }
  return deleted;
}

}  // namespace cargomon
