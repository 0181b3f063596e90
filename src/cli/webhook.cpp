// `cargomon webhook …`: manage webhook endpoints directly in the store, also
// while the server runs (its deliverer reads them at every round).

#include "domain/webhook.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/settings.hpp"
#include "storage/open_store.hpp"
#include "webhook/signature.hpp"
#include "webhook/target.hpp"

namespace cargomon::cli {
namespace {

struct WebhookOptions {
  std::filesystem::path data_dir = "data";
  std::string store;  // a store URL (open_store.hpp); empty: SQLite in data_dir
  std::string id;
  std::string url;
  std::string delivery;
  std::string description;
  std::vector<std::string> events;
  bool allow_private = false;
};

template <class Action>
void run(const WebhookOptions& options, ExitStatus& status, Action action) {
  run_command(status, [&] {
    const BusinessCalendar calendar("UTC");
    auto store = open_store(options.store, options.data_dir, calendar, IfMissing::fail);
    auto* hooks = store->webhooks();
    if (!hooks) throw std::runtime_error("this store does not keep webhooks yet");
    return action(*hooks, calendar);
  });
}

}  // namespace

void add_webhook_command(CLI::App& app, ExitStatus& status) {
  auto options = std::make_shared<WebhookOptions>();
  auto* webhook = app.add_subcommand("webhook", "Manage webhook endpoints");
  webhook->require_subcommand(1);
  add_data_dir_option(*webhook, options->data_dir);
  add_store_option(*webhook, options->store);

  auto* add = webhook->add_subcommand("add", "Register an endpoint; prints its secret once");
  add->fallthrough();
  add->add_option("url", options->url)->required();
  add->add_option("--event", options->events,
                  "pedido.registrado, alerta.abierta, alerta.resuelta or dia.cerrado "
                  "(repeat; default: pedido.registrado)");
  add->add_option("--description", options->description);
  add->add_flag("--allow-private", options->allow_private,
                "Allow loopback and private addresses and http:// (as serve's "
                "--webhook-allow-private; the server must run with it too)");
  add->callback([options, &status] {
    run(*options, status, [&](WebhookStore& hooks, const BusinessCalendar&) {
      const auto target = webhook::parse_target(options->url, options->allow_private);
      if (const auto* problem = std::get_if<std::string>(&target)) {
        throw std::runtime_error("url " + *problem);
      }
      if (options->description.size() > kMaxWebhookDescriptionBytes) {
        throw std::runtime_error("--description is too long");
      }
      WebhookEndpoint endpoint;
      endpoint.url = options->url;
      endpoint.description = options->description;
      for (const auto& name : options->events) {
        const auto event = parse_webhook_event(name);
        if (!event) throw std::runtime_error("unknown event type " + name);
        endpoint.events |= static_cast<std::uint8_t>(*event);
      }
      if (endpoint.events == 0) {
        endpoint.events = static_cast<std::uint8_t>(WebhookEvent::order_registered);
      }
      endpoint.id = webhook::new_endpoint_id();
      endpoint.secret = webhook::new_secret();
      endpoint.created_at = SystemClock().now();
      if (!hooks.create_webhook(endpoint)) throw std::runtime_error("too many endpoints");
      std::cout << endpoint.id << "\t" << endpoint.url
                << "\nsecret (shown once): " << endpoint.secret << "\n";
      return 0;
    });
  });

  auto* list = webhook->add_subcommand("list", "List endpoints");
  list->fallthrough();
  list->callback([options, &status] {
    run(*options, status, [](WebhookStore& hooks, const BusinessCalendar&) {
      for (const auto& e : hooks.list_webhooks()) {
        std::cout << e.id << "\t" << e.url << "\t" << join_events(e.events)
                  << (e.disabled ? "\tdisabled" : "") << "\n";
      }
      return 0;
    });
  });

  auto* remove = webhook->add_subcommand("remove", "Remove an endpoint and its parked deliveries");
  remove->fallthrough();
  remove->add_option("id", options->id)->required();
  remove->callback([options, &status] {
    run(*options, status, [&](WebhookStore& hooks, const BusinessCalendar&) {
      if (!hooks.delete_webhook(options->id)) {
        throw std::runtime_error("no endpoint " + options->id);
      }
      std::cout << "removed " << options->id << "\n";
      return 0;
    });
  });

  auto* parked = webhook->add_subcommand("parked", "List an endpoint's parked deliveries");
  parked->fallthrough();
  parked->add_option("id", options->id)->required();
  parked->callback([options, &status] {
    run(*options, status, [&](WebhookStore& hooks, const BusinessCalendar& calendar) {
      if (!hooks.find_webhook(options->id)) throw std::runtime_error("no endpoint " + options->id);
      for (const auto& p : hooks.parked_deliveries(options->id, kMaxParkedDeliveries)) {
        std::cout << p.delivery_id << "\t" << p.attempts << " attempts\t"
                  << calendar.format(p.parked_at) << "\t" << p.last_error
                  << (p.replay_requested ? "\treplay requested" : "") << "\n";
      }
      return 0;
    });
  });

  auto* replay = webhook->add_subcommand("replay", "Send a parked delivery again");
  replay->fallthrough();
  replay->add_option("id", options->id)->required();
  replay->add_option("delivery", options->delivery)->required();
  replay->callback([options, &status] {
    run(*options, status, [&](WebhookStore& hooks, const BusinessCalendar&) {
      if (!hooks.request_replay(options->id, options->delivery)) {
        throw std::runtime_error("no parked delivery " + options->delivery);
      }
      std::cout << "replay requested: the server sends it at its next round\n";
      return 0;
    });
  });
}

}  // namespace cargomon::cli
