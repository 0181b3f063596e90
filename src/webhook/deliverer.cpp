#include "webhook/deliverer.hpp"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <random>

#include "api/json.hpp"
#include "api/order_json.hpp"
#include "net/http_client.hpp"
#include "net/run_to_completion.hpp"
#include "webhook/signature.hpp"
#include "webhook/target.hpp"

namespace cargomon::webhook {
namespace {

namespace asio = boost::asio;

std::string rfc3339(Timestamp t) { return date::format("%FT%TZ", t); }

std::string event_payload(std::string_view type, Timestamp at, std::string_view data) {
  api::JsonWriter out;
  out.begin_object()
      .key("type")
      .string(type)
      .key("timestamp")
      .string(rfc3339(at))
      .key("data")
      .raw_json(data)
      .end_object();
  return out.take();
}

std::string bounded(std::string text) {
  if (text.size() > kMaxWebhookErrorBytes) text.resize(kMaxWebhookErrorBytes);
  return text;
}

// A random name for this instance, to hold leases by.
std::string instance_name() {
  std::random_device random;
  std::string name = "deliverer-";
  for (int i = 0; i < 4; ++i) name += std::to_string(random() % 100000) + ".";
  return name;
}

}  // namespace

struct Deliverer::Impl {
  Impl(OrderStore& orders, WebhookStore& hooks, const BusinessCalendar& calendar,
       const Clock& clock, DelivererOptions options)
      : orders(orders),
        hooks(hooks),
        calendar(calendar),
        clock(clock),
        options(std::move(options)),
        holder(instance_name()),
        tls(std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client)) {
    // The system's trust store, the endpoint's name checked, TLS 1.2 at least.
    tls->set_default_verify_paths();
    tls->set_verify_mode(asio::ssl::verify_peer);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    thread = std::thread([this] { run(); });
  }

  void stop() {
    {
      const std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    if (thread.joinable()) thread.join();
  }

  bool stopped() {
    const std::lock_guard lock(mutex);
    return stopping;
  }

  void run() {
    for (;;) {
      try {
        round();
      } catch (const StoreUnavailable& e) {
        spdlog::warn("webhooks: the store is unavailable, trying again: {}", e.what());
      } catch (const std::exception& e) {
        spdlog::error("webhooks: delivery round failed: {}", e.what());
      }
      std::unique_lock lock(mutex);
      if (wake.wait_for(lock, options.round_interval, [this] { return stopping; })) return;
    }
  }

  void round() {
    for (const auto& endpoint : hooks.list_webhooks()) {
      if (stopped()) return;
      if (endpoint.disabled) continue;
      if (!lease(endpoint)) continue;
      replay_parked(endpoint);
      if (endpoint.subscribed(WebhookEvent::order_registered)) deliver_orders(endpoint);
      if ((endpoint.events & ~static_cast<std::uint8_t>(WebhookEvent::order_registered)) != 0) {
        deliver_events(endpoint);
      }
    }
  }

  bool lease(const WebhookEndpoint& endpoint) {
    const auto now = clock.now();
    const auto term = std::chrono::duration_cast<std::chrono::microseconds>(3 * options.timeout +
                                                                            options.round_interval);
    return hooks.lease_webhook(endpoint.id, holder, now, now + term);
  }

  void replay_parked(const WebhookEndpoint& endpoint) {
    for (const auto& parked : hooks.replays_requested(endpoint.id, options.batch)) {
      if (stopped()) return;
      if (!lease(endpoint)) return;
      const auto error = send(endpoint, parked.delivery_id, parked.payload);
      hooks.finish_replay(endpoint.id, parked.delivery_id, !error, error.value_or(""));
    }
  }

  // One log: sends the messages after the endpoint's progress until one
  // fails, the batch ends or the next attempt is not yet due.
  template <class Next>
  void deliver_log(const WebhookEndpoint& endpoint, WebhookLog log, Next next_messages) {
    auto progress = hooks.webhook_progress(endpoint.id, log);
    if (!progress) return;  // deleted meanwhile
    if (progress->next_attempt && clock.now() < *progress->next_attempt) return;
    for (const auto& [position, payload] : next_messages(progress->done)) {
      if (stopped()) return;
      const auto id = webhook_delivery_id(endpoint.id, log, position);
      if (payload.empty()) {
        // Not for this endpoint (another event type): passed over.
        progress->done = position;
        continue;
      }
      if (!lease(endpoint)) return;  // taken over: the holder goes on from the progress saved
      const auto error = send(endpoint, id, payload);
      const auto now = clock.now();
      if (!error) {
        progress = WebhookProgress{position, 0, std::nullopt, std::nullopt};
        if (!hooks.save_webhook_progress(endpoint.id, log, *progress, std::nullopt)) return;
        continue;
      }
      spdlog::warn("webhook {} to endpoint {} failed: {}", id, endpoint.id, *error);
      const auto retry = after_failure(options.retry, *progress, now, uniform(random));
      if (retry) {
        hooks.save_webhook_progress(endpoint.id, log, *retry, std::nullopt);
        return;
      }
      spdlog::warn("webhook {} to endpoint {} parked after {} attempts", id, endpoint.id,
                   progress->failures + 1);
      ParkedDelivery parked{endpoint.id, id, payload, progress->failures + 1, *error, now, false};
      progress = WebhookProgress{position, 0, std::nullopt, std::nullopt};
      if (!hooks.save_webhook_progress(endpoint.id, log, *progress, parked)) return;
    }
    // Positions passed over are saved too, so they are not read again.
    hooks.save_webhook_progress(endpoint.id, log, *progress, std::nullopt);
  }

  void deliver_orders(const WebhookEndpoint& endpoint) {
    deliver_log(endpoint, WebhookLog::orders, [this](std::int64_t after) {
      std::vector<std::pair<std::int64_t, std::string>> messages;
      for (const auto& order : orders.orders_after(after, options.batch)) {
        messages.emplace_back(order.sequence, order_payload(order, calendar));
      }
      return messages;
    });
  }

  void deliver_events(const WebhookEndpoint& endpoint) {
    deliver_log(endpoint, WebhookLog::events, [this, &endpoint](std::int64_t after) {
      std::vector<std::pair<std::int64_t, std::string>> messages;
      for (const auto& event : hooks.webhook_events_after(after, options.batch)) {
        messages.emplace_back(event.position, endpoint.subscribed(event.type)
                                                  ? event_payload(to_string(event.type),
                                                                  event.occurred_at, event.data)
                                                  : std::string());
      }
      return messages;
    });
  }

  // Posts one message; nullopt when it was answered with a 2xx, else why not.
  std::optional<std::string> send(const WebhookEndpoint& endpoint, const std::string& id,
                                  const std::string& payload) {
    auto parsed = parse_target(endpoint.url, options.allow_private);
    if (auto* problem = std::get_if<std::string>(&parsed)) return "url " + *problem;
    const auto& target = std::get<Target>(parsed);
    try {
      // Resolved here, each time, and every address checked: the client
      // connects to exactly these.
      asio::ip::tcp::resolver resolver(io);
      auto endpoints = resolver.resolve(target.host, target.port);
      if (!options.allow_private) {
        for (const auto& entry : endpoints) {
          if (!is_public_address(entry.endpoint().address())) {
            return "refused: " + target.host + " resolves to the private address " +
                   entry.endpoint().address().to_string();
          }
        }
      }
      const bool v6 = target.host.find(':') != std::string::npos;
      auto server = std::make_shared<net::ServerAddress>(net::ServerAddress{
          std::move(endpoints),
          (v6 ? "[" + target.host + "]" : target.host) +
              ((target.port == (target.tls ? "443" : "80")) ? std::string() : ":" + target.port)});
      net::ClientOptions client_options;
      client_options.user_agent = options.user_agent;
      client_options.body_limit = options.response_limit;
      client_options.kept_headers = std::vector<std::string>{};
      if (target.tls) {
        client_options.tls = tls;
        client_options.tls_server_name = target.host;
      }
      net::HttpClient client(io.get_executor(), server, client_options);
      const auto timestamp =
          std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
      const auto signature = sign(endpoint.secret, id, timestamp, payload);
      const auto stamp = std::to_string(timestamp);
      net::Request request;
      request.method = "POST";
      request.target = target.target;
      request.headers = {{"Content-Type", "application/json"},
                         {"webhook-id", id},
                         {"webhook-timestamp", stamp},
                         {"webhook-signature", signature}};
      request.body = payload;
      const auto result = net::run_to_completion(
          io, client.request(request, std::chrono::steady_clock::now() + options.timeout));
      if (!result.response) return bounded(result.describe());
      const int status = result.response->status;
      if (status >= 200 && status < 300) return std::nullopt;
      return "HTTP " + std::to_string(status);
    } catch (const std::exception& e) {
      return bounded(std::string("resolve: ") + e.what());
    }
  }

  OrderStore& orders;
  WebhookStore& hooks;
  const BusinessCalendar& calendar;
  const Clock& clock;
  const DelivererOptions options;
  const std::string holder;
  std::shared_ptr<asio::ssl::context> tls;
  asio::io_context io;
  std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> uniform{0.0, 1.0};
  std::mutex mutex;  // guards stopping
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;  // last: started once everything it uses exists
};

Deliverer::Deliverer(OrderStore& orders, WebhookStore& hooks, const BusinessCalendar& calendar,
                     const Clock& clock, DelivererOptions options)
    : impl_(std::make_unique<Impl>(orders, hooks, calendar, clock, std::move(options))) {}

Deliverer::~Deliverer() { stop(); }

void Deliverer::stop() { impl_->stop(); }

std::string Deliverer::order_payload(const Order& order, const BusinessCalendar& calendar) {
  return event_payload(to_string(WebhookEvent::order_registered), order.received_at,
                       api::order_json(order, calendar));
}

}  // namespace cargomon::webhook
