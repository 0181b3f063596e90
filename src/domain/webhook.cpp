#include "domain/webhook.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace cargomon {
namespace {

constexpr std::array kEvents = {
    std::pair{WebhookEvent::order_registered, std::string_view("pedido.registrado")},
    std::pair{WebhookEvent::alert_opened, std::string_view("alerta.abierta")},
    std::pair{WebhookEvent::alert_resolved, std::string_view("alerta.resuelta")},
    std::pair{WebhookEvent::day_closed, std::string_view("dia.cerrado")},
};

}  // namespace

std::string_view to_string(WebhookEvent event) {
  for (const auto& [known, name] : kEvents) {
    if (known == event) return name;
  }
  return "";
}

std::optional<WebhookEvent> parse_webhook_event(std::string_view name) {
  for (const auto& [known, known_name] : kEvents) {
    if (known_name == name) return known;
  }
  return std::nullopt;
}

std::vector<std::string_view> webhook_event_names() {
  std::vector<std::string_view> names;
  for (const auto& [event, name] : kEvents) names.push_back(name);
  return names;
}

std::vector<std::string_view> subscribed_names(std::uint8_t events) {
  std::vector<std::string_view> names;
  for (const auto& [event, name] : kEvents) {
    if ((events & static_cast<std::uint8_t>(event)) != 0) names.push_back(name);
  }
  return names;
}

std::string join_events(std::uint8_t events) {
  std::string joined;
  for (const auto name : subscribed_names(events)) {
    if (!joined.empty()) joined += ',';
    joined += name;
  }
  return joined;
}

std::uint8_t split_events(std::string_view joined) {
  std::uint8_t events = 0;
  while (!joined.empty()) {
    const auto comma = std::min(joined.find(','), joined.size());
    if (const auto event = parse_webhook_event(joined.substr(0, comma))) {
      events |= static_cast<std::uint8_t>(*event);
    }
    joined.remove_prefix(std::min(comma + 1, joined.size()));
  }
  return events;
}

std::optional<WebhookProgress> after_failure(const WebhookRetryPolicy& policy,
                                             const WebhookProgress& progress, Timestamp now,
                                             double random01) {
  const auto since = progress.failing_since.value_or(now);
  if (now - since >= policy.give_up_after) return std::nullopt;
  WebhookProgress next = progress;
  next.failures = progress.failures + 1;
  next.failing_since = since;
  // base * 2^(failures - 1), computed in doubles so that many failures
  // cannot overflow, then capped.
  const double doubled =
      static_cast<double>(policy.base.count()) * std::pow(2.0, std::min(next.failures - 1, 62));
  const double capped = std::min(doubled, static_cast<double>(policy.cap.count()));
  const double jittered = capped * (1.0 - policy.jitter * std::clamp(random01, 0.0, 1.0));
  next.next_attempt = now + std::chrono::microseconds(static_cast<std::int64_t>(jittered));
  return next;
}

std::string webhook_delivery_id(const std::string& endpoint_id, WebhookLog log,
                                std::int64_t position) {
  return "msg_" + endpoint_id + (log == WebhookLog::orders ? "_p" : "_e") +
         std::to_string(position);
}

}  // namespace cargomon
