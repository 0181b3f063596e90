// `cargomon serve`: the composition root. One Application object holds
// every part, declared in dependency order, so each is built after what it
// uses and destroyed before it.

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>
#include <optional>
#include <thread>

#include "api/admin_router.hpp"
#include "api/authenticate.hpp"
#include "api/bounded_executor.hpp"
#include "api/event_feed.hpp"
#include "api/metrics_reader.hpp"
#include "api/rate_limiter.hpp"
#include "api/router.hpp"
#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "cli/app_parts.hpp"
#include "cli/commands.hpp"
#include "cli/data_dir_lock.hpp"
#include "cli/settings.hpp"
#include "http/server.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "net/open_file_limit.hpp"
#include "storage/audit_retention.hpp"
#include "storage/cached_users.hpp"
#include "storage/open_store.hpp"
#include "webhook/deliverer.hpp"

namespace cargomon::cli {
namespace {

namespace asio = boost::asio;

// Why --listen cannot be bound, in one line an operator can act on.
std::string listen_problem(const std::string& listen, const boost::system::error_code& ec) {
  std::string reason;
  if (ec == boost::system::errc::address_in_use) {
    reason = "the port is in use by another process";
  } else if (ec == boost::system::errc::permission_denied) {
    reason = "permission denied (a port below 1024 needs privileges)";
  } else if (ec == boost::system::errc::address_not_available) {
    reason = "no interface of this machine has that address";
  } else {
    reason = ec.message();
  }
  return "cannot listen on " + listen + ": " + reason;
}

// Binds --listen once and lets it go, so that a port in use is said before
// anything (the data directory, the database, the first admin) is created.
// Two servers starting at the same instant may both pass; the loser's bind
// in Application::run fails with the same line.
void check_listen_address(const ServeSettings& settings) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(settings.address, ec);
  if (ec) {
    throw std::runtime_error("--listen " + settings.listen +
                             ": the address must be an IP address, such as 127.0.0.1 or [::1]");
  }
  if (settings.port == 0) return;  // any free port
  asio::io_context io;
  asio::ip::tcp::acceptor probe(io);
  const asio::ip::tcp::endpoint endpoint(address, settings.port);
  probe.open(endpoint.protocol(), ec);
  if (!ec) {
    probe.set_option(asio::socket_base::reuse_address(true), ec);  // as the server binds
    probe.bind(endpoint, ec);
  }
  if (ec) throw std::runtime_error(listen_problem(settings.listen, ec));
}

http::ServerOptions server_options(const ServeSettings& settings, metrics::Metrics& counters) {
  http::ServerOptions options;
  options.address = settings.address;
  options.port = settings.port;
  options.body_limit = settings.body_limit;
  options.max_connections = settings.max_connections;
  options.max_connections_per_address = settings.max_connections_per_address;
  options.first_request_timeout = settings.first_request_timeout;
  options.tls_certificate = settings.tls_certificate.string();
  options.tls_private_key = settings.tls_private_key.string();
  options.counters = &counters;
  options.access_log = settings.access_log == "on";
  return options;
}

// The admin listener: a few scrapers and an operator's curl, never TLS.
http::ServerOptions admin_server_options(const ServeSettings& settings) {
  http::ServerOptions options;
  options.address = settings.admin_address;
  options.port = settings.admin_port;
  options.body_limit = 1024;
  options.max_connections = 64;
  options.max_connections_per_address = 16;
  return options;
}

api::EventFeedOptions feed_options(const ServeSettings& settings, Store& store, UserStore& users,
                                   metrics::Metrics& counters, api::MetricsReader& metrics_reader) {
  api::EventFeedOptions options;
  options.counters = &counters;
  options.metrics_reader = &metrics_reader;
  options.relayed = store.live_orders() != nullptr;
  options.still_admitted = [&users](const std::string& user, std::int64_t generation) {
    return api::still_admitted(users, user, generation, Permission::read_orders);
  };
  options.max_streams_per_user = settings.max_streams_per_user;
  options.max_streams_per_address = settings.max_streams_per_address;
  return options;
}

class Application {
 public:
  explicit Application(const ServeSettings& settings)
      : settings_(settings),
        calendar_(settings.timezone),
        counters_(api::route_patterns(), CARGOMON_VERSION),
        store_(open_checked(settings, calendar_, &counters_)),
        audit_([this](const AuditEntry& entry) { store_->append_audit(entry); }, clock_,
               AuditRecorder::random_audit_id,
               [](const AuditEntry& entry, const std::string& why) {
                 spdlog::warn("audit entry {} not kept: {}", entry.action, why);
               }),
        users_(*store_, clock_),
        tokens_(signing_secret(settings), settings.token_ttl, clock_),
        throttle_(clock_),
        // Argon2id takes a core per check for tens of ms: niced, so that a
        // login flood cannot take the CPU from orders and streams.
        hashing_("password hashing", {.threads = 2, .max_queued = 256, .nice = 10}),
        store_work_("store work",
                    {.threads = settings.store_threads, .max_queued = settings.store_queue}),
        metrics_reader_(*store_, calendar_, clock_),
        feed_(*store_, calendar_, clock_,
              feed_options(settings, *store_, users_, counters_, metrics_reader_)),
        user_rate_(ticks_, {.per_second = settings.user_rate, .burst = settings.user_burst}),
        address_rate_(ticks_,
                      {.per_second = settings.address_rate, .burst = settings.address_burst}),
        services_{calendar_,
                  clock_,
                  *store_,
                  users_,
                  tokens_,
                  throttle_,
                  store_work_,
                  hashing_,
                  &feed_,
                  api::HttpSettings{settings.cors_origins, settings.web_dir, settings.base_path,
                                    settings.access_log == "on"},
                  &counters_,
                  address_rate_.enabled() ? &address_rate_ : nullptr,
                  user_rate_.enabled() ? &user_rate_ : nullptr,
                  &metrics_reader_},
        router_(services_),
        admin_router_(counters_),
        io_(static_cast<int>(settings.threads)),
        server_(io_, router_, server_options(settings, counters_)),
        signals_(io_, SIGINT, SIGTERM),
        audit_prune_timer_(io_) {
    if (!settings.admin_listen.empty()) {
      admin_server_.emplace(io_, admin_router_, admin_server_options(settings));
    }
    counters_.sample(metrics::Sampled::open_connections,
                     [this] { return static_cast<double>(server_.open_connections()); });
    counters_.sample(metrics::Sampled::open_streams,
                     [this] { return static_cast<double>(feed_.subscribers()); });
    services_.sessions = store_.get();
    services_.audit = &audit_;
    services_.audit_log = store_.get();
    services_.session_settings.kept_lifetime = std::chrono::days(settings.session_days);
    ensure_admin(users_, settings.admin_password, settings.generated_admin_password_file);
    // An order whose courier was read more than a second ago is still taken
    // on its network thread while a store thread reads the courier again.
    users_.refresh_with(
        [this](std::function<void()> work) { return store_work_.try_post(std::move(work), 0); });
    services_.webhooks = store_->webhooks();
    services_.webhook_allow_private = settings.webhook_allow_private;
    // Webhooks go out from a thread of their own; every instance runs one,
    // and the store's leases give each endpoint to one at a time.
    if (auto* hooks = store_->webhooks()) {
      webhook::DelivererOptions options;
      options.allow_private = settings.webhook_allow_private;
      options.retry.base = settings.webhook_retry_base;
      options.retry.give_up_after = settings.webhook_give_up;
      options.round_interval = settings.webhook_round;
      options.timeout = settings.webhook_timeout;
      options.user_agent = std::string("cargomon-webhooks/") + CARGOMON_VERSION;
      deliverer_.emplace(*store_, *hooks, calendar_, clock_, std::move(options));
    }
    // Every instance's orders reach this instance's streams through the relay.
    if (auto* live = store_->live_orders()) {
      relay_ = live->subscribe([this](const Order& order) { feed_.relay(order); });
    }
  }

  // Stops what runs work on its own threads, in the order work flows (the
  // executors' queued work answers through the feed and the store; orders
  // still queued in the store are committed and published when it closes),
  // before any member is destroyed.
  // Deletes what the audit trail keeps no longer, on a store thread (at
  // start, then hourly); a full store queue skips a round, the next catches
  // up.
  void prune_audit_now() {
    if (settings_.audit_retention_days <= 0) return;
    (void)store_work_.try_post(
        [this] {
          try {
            const auto deleted = prune_expired_audit(
                *store_, clock_, {.keep = std::chrono::days(settings_.audit_retention_days)});
            if (deleted > 0)
              spdlog::info("audit trail: {} entries past retention deleted", deleted);
          } catch (const std::exception& e) {
            spdlog::warn("audit trail not pruned: {}", e.what());
          }
        },
        0);
    audit_prune_timer_.expires_after(std::chrono::hours(1));
    audit_prune_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) prune_audit_now();
    });
  }

  ~Application() {
    deliverer_.reset();
    store_work_.stop();
    hashing_.stop();
    relay_.reset();
    feed_.stop();
    store_.reset();
  }

  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;
  Application(Application&&) = delete;
  Application& operator=(Application&&) = delete;

  // Serves until SIGINT/SIGTERM: then stops accepting, ends the streams,
  // lets requests in flight finish (bounded by the grace period) and
  // returns 0.
  int run() {
    if (admin_server_) {
      // Before the main listener, whose line tests and scripts wait for:
      // once that is printed, this one is too.
      try {
        admin_server_->start();
      } catch (const boost::system::system_error& e) {
        throw std::runtime_error(listen_problem(settings_.admin_listen, e.code()));
      }
      const auto admin = admin_server_->local_endpoint();
      std::cout << "cargomon admin listening on http://" << admin.address().to_string() << ":"
                << admin.port() << std::endl;
    }
    try {
      server_.start();
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error(listen_problem(settings_.listen, e.code()));
    }
    const auto endpoint = server_.local_endpoint();
    // Tests and scripts wait for this exact line.
    std::cout << "cargomon listening on " << (settings_.tls_certificate.empty() ? "http" : "https")
              << "://" << endpoint.address().to_string() << ":" << endpoint.port() << std::endl;
    spdlog::info(
        "business timezone {}, data in {}, web from {}", calendar_.zone_name(),
        store_->live_orders() ? std::string("a shared store") : settings_.data_dir.string(),
        settings_.web_dir.empty() ? "(none)" : settings_.web_dir.string());
    prune_audit_now();
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("signal {}: shutting down", signal);
      audit_prune_timer_.cancel();
      feed_.close_all();
      if (admin_server_) admin_server_->stop_accepting();
      server_.shutdown(settings_.shutdown_grace, [this] { io_.stop(); });
    });
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < settings_.threads; ++i) threads.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& thread : threads) thread.join();
    return 0;
  }

 private:
  const ServeSettings& settings_;
  const BusinessCalendar calendar_;
  const SystemClock clock_;
  const SteadyMonotonicClock ticks_;
  metrics::Metrics counters_;  // before the store, which reports its commits to it
  std::unique_ptr<Store> store_;
  AuditRecorder audit_;
  CachedUserStore users_;
  const auth::TokenService tokens_;
  auth::LoginThrottle throttle_;
  api::BoundedExecutor hashing_;
  api::BoundedExecutor store_work_;
  api::MetricsReader metrics_reader_;
  api::EventFeed feed_;
  std::unique_ptr<LiveSubscription> relay_;
  std::optional<webhook::Deliverer> deliverer_;  // when the store keeps webhooks
  api::RateLimiter user_rate_;
  api::RateLimiter address_rate_;
  api::Services services_;
  const api::Router router_;
  const api::AdminRouter admin_router_;
  asio::io_context io_;
  http::Server server_;
  std::optional<http::Server> admin_server_;  // --admin-listen
  asio::signal_set signals_;
  asio::steady_timer audit_prune_timer_;
};

}  // namespace

void add_serve_command(CLI::App& app, ExitStatus& status) {
  auto settings = std::make_shared<ServeSettings>();
  auto* serve = app.add_subcommand("serve", "Serve the API and the dashboard");
  add_serve_options(*serve, *settings);
  serve->callback([settings, &status] {
    // Before anything logs; the values were checked by the parser.
    log::install(log::parse_format(settings->log_format).value_or(log::Format::text),
                 log::parse_level(settings->log_level).value_or(spdlog::level::info), stderr);
    try {
      finish_serve_settings(*settings);
      net::raise_open_file_limit();  // each connection is a file descriptor
      check_listen_address(*settings);
      std::optional<DataDirLock> lock;
      if (is_embedded_store(settings->store)) lock.emplace(settings->data_dir, "serve");
      {
        Application application(*settings);
        status.code = application.run();
      }
      spdlog::info("stopped");
    } catch (const std::exception& e) {
      spdlog::critical("{}", e.what());
      status.code = 1;
    }
  });
}

}  // namespace cargomon::cli
