// `cargomon serve`: the composition root. Reads settings, wires the store,
// auth, API and HTTP server together, and runs until SIGINT/SIGTERM.

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "api/event_feed.hpp"
#include "api/router.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password.hpp"
#include "auth/secret.hpp"
#include "auth/token.hpp"
#include "cli/commands.hpp"
#include "cli/settings.hpp"
#include "http/server.hpp"
#include "storage/cached_users.hpp"
#include "storage/open_store.hpp"
#include "storage/postgres/order_relay.hpp"

namespace cargomon::cli {
namespace {

namespace asio = boost::asio;

class PoolExecutor final : public api::BlockingExecutor {
 public:
  explicit PoolExecutor(asio::thread_pool& pool) : pool_(pool) {}
  void post(std::function<void()> work) override { asio::post(pool_, std::move(work)); }

 private:
  asio::thread_pool& pool_;
};

// With no user at all, the first start creates `admin`. Its password comes
// from CARGOMON_ADMIN_PASSWORD or is generated and shown once.
void ensure_admin(UserStore& users) {
  if (users.count_users() > 0) return;
  const char* from_env = std::getenv("CARGOMON_ADMIN_PASSWORD");
  const bool generated = from_env == nullptr || *from_env == '\0';
  const std::string password = generated ? auth::generate_password() : std::string(from_env);
  if (users.create_user(User{"admin", auth::hash_password(password), Role::admin, false}) !=
      UserChange::done) {
    return;  // another instance sharing the store created it first
  }
  if (generated) {
    std::cout << "Created user 'admin' with password: " << password
              << "\n(shown only this once; change it with `cargomon user passwd admin`)"
              << std::endl;
  } else {
    std::cout << "Created user 'admin' with the password from CARGOMON_ADMIN_PASSWORD" << std::endl;
  }
}

// Each connection is a file descriptor: allow as many as the system lets us.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int run(const ServeSettings& settings) {
  raise_open_file_limit();
  const BusinessCalendar calendar(settings.timezone);
  const SystemClock clock;
  // A PostgreSQL store is shared by several instances: they must accept each
  // other's tokens, so the secret must be given, not made per instance.
  const bool shared_store = is_postgres_url(settings.store);
  const char* env_secret = std::getenv("CARGOMON_JWT_SECRET");
  if (shared_store && (env_secret == nullptr || *env_secret == '\0') &&
      settings.jwt_secret_file.empty()) {
    throw std::runtime_error(
        "with a PostgreSQL store every instance must sign tokens with the same secret: set "
        "CARGOMON_JWT_SECRET or --jwt-secret-file");
  }
  auto store = open_store(settings.store, settings.data_dir, calendar);
  OrderStore& orders = store.orders();
  CachedUserStore users(store.users(), clock);
  ensure_admin(users);

  const auth::TokenService tokens(
      auth::load_or_create_secret(
          settings.data_dir,
          env_secret && *env_secret ? std::optional<std::string>(env_secret) : std::nullopt,
          settings.jwt_secret_file.empty() ? std::nullopt
                                           : std::optional(settings.jwt_secret_file)),
      settings.token_ttl, clock);
  auth::LoginThrottle throttle(clock);
  asio::thread_pool hashing(2);
  PoolExecutor blocking(hashing);
  api::EventFeedOptions feed_options;
  feed_options.relayed = shared_store;
  api::EventFeed feed(orders, calendar, clock, feed_options);
  // Every instance's orders reach this instance's streams through the relay.
  std::unique_ptr<OrderRelay> relay;
  if (store.postgres) {
    relay = std::make_unique<OrderRelay>(*store.postgres,
                                         [&feed](const Order& order) { feed.relay(order); });
  }

  api::Services services{
      calendar, clock,  orders,
      users,    tokens, throttle,
      blocking, &feed,  api::HttpSettings{settings.cors_origins, settings.web_dir}};
  const api::Router router(services);

  asio::io_context io(static_cast<int>(settings.threads));
  http::ServerOptions options;
  options.address = settings.address;
  options.port = settings.port;
  options.body_limit = settings.body_limit;
  options.max_connections = settings.max_connections;
  options.tls_certificate = settings.tls_certificate.string();
  options.tls_private_key = settings.tls_private_key.string();
  http::Server server(io, router, options);
  server.start();
  const auto endpoint = server.local_endpoint();
  // Tests and scripts wait for this exact line.
  std::cout << "cargomon listening on " << (options.tls_certificate.empty() ? "http" : "https")
            << "://" << endpoint.address().to_string() << ":" << endpoint.port() << std::endl;
  spdlog::info("business timezone {}, data in {}, web from {}", calendar.zone_name(),
               shared_store ? std::string("PostgreSQL") : settings.data_dir.string(),
               settings.web_dir.empty() ? "(none)" : settings.web_dir.string());

  // SIGTERM/SIGINT: stop accepting, end streams, let requests in flight
  // finish (bounded), then stop. The store commits what it queued on exit.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  auto drain = std::make_shared<asio::steady_timer>(io);
  auto deadline = std::chrono::steady_clock::now() + settings.shutdown_grace;
  std::function<void()> wait_for_drain = [&] {
    if (server.requests_in_flight() == 0 || std::chrono::steady_clock::now() >= deadline) {
      io.stop();
      return;
    }
    drain->expires_after(std::chrono::milliseconds(20));
    drain->async_wait([&](auto) { wait_for_drain(); });
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", signal);
    server.stop_accepting();
    feed.close_all();
    deadline = std::chrono::steady_clock::now() + settings.shutdown_grace;
    wait_for_drain();
  });

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < settings.threads; ++i) threads.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  hashing.join();
  // Orders still queued in the store are committed, and their callbacks run
  // (publish to the feed, answer through the io_context), when the store
  // closes: close it now, while both still exist (in declaration order they
  // would be destroyed first). A stopped feed reads nothing more from it.
  relay.reset();
  feed.stop();
  store = {};
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto settings = std::make_shared<ServeSettings>();
  auto* serve = app.add_subcommand("serve", "Serve the API and the dashboard");
  add_serve_options(*serve, *settings);
  serve->callback([settings] {
    try {
      finish_serve_settings(*settings);
      set_exit_code(run(*settings));
    } catch (const std::exception& e) {
      spdlog::critical("{}", e.what());
      set_exit_code(1);
    }
  });
}

}  // namespace cargomon::cli
