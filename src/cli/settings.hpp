#pragma once
// Settings of `cargomon serve`: each is a flag with an environment variable
// of the same meaning (the flag wins).

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

// CLI11 is a large header: only the files that build commands include it.
namespace CLI {
class App;
}

namespace cargomon::cli {

struct ServeSettings {
  std::string listen = "127.0.0.1:8080";
  std::string address;  // from listen
  unsigned short port = 0;
  std::filesystem::path data_dir = "data";
  std::string store;  // a store URL (open_store.hpp); empty: SQLite in data_dir
  std::string timezone = "America/Bogota";
  std::vector<std::string> cors_origins;
  std::string base_path;  // e.g. /Prod: also served under it (the original's stage)
  std::chrono::seconds token_ttl{1800};
  // How long a screen kept signed in stays so without renewing (each renewal
  // starts the period again).
  int session_days = 30;
  std::filesystem::path web_dir;
  std::filesystem::path jwt_secret_file;
  std::string jwt_secret;      // the secret itself (CARGOMON_JWT_SECRET); wins over the file
  std::string admin_password;  // for the `admin` user made on the first start; empty: generated
  // Where a generated first password is kept instead of printed (serve only):
  // a service's output goes to a log others may read.
  std::filesystem::path generated_admin_password_file;
  std::size_t threads = 0;  // 0: one per core
  std::size_t body_limit = std::size_t{256} * 1024;
  std::chrono::seconds shutdown_grace{10};
  std::size_t max_connections = 10'000;
  std::size_t max_connections_per_address = 256;  // 0: no cap
  std::chrono::seconds first_request_timeout{10};
  // Handlers that read the store run on these threads, never on the I/O
  // threads; work beyond the queue is answered 503 with Retry-After.
  std::size_t store_threads = 8;
  std::size_t store_queue = 1024;
  // Days the audit trail keeps an entry (0: for ever); pruned hourly.
  int audit_retention_days = 365;
  // Open /eventos streams a user and a client address may hold; beyond them
  // 429. One site's wall screens behind one NAT may need a larger address cap.
  std::size_t max_streams_per_user = 100;
  std::size_t max_streams_per_address = 50;
  std::filesystem::path tls_certificate;  // PEM; with tls_private_key: serve HTTPS
  std::filesystem::path tls_private_key;
  // Request rate limits (token buckets, per instance): requests a second,
  // and the burst allowed at once, per user and per client address; a rate
  // of 0 turns one off. Generous: a courier's device sends an order every
  // few seconds, and a whole queue of them after a spell offline.
  double user_rate = 100;
  double user_burst = 2000;
  double address_rate = 1000;
  double address_burst = 10'000;
  // The log on stderr (log/log.hpp): "text" or "json" lines, the least
  // level written, and the access log's switch ("on", "off").
  std::string log_format = "text";
  std::string log_level = "info";
  std::string access_log = "on";
  // Webhooks (webhook/deliverer.hpp).
  bool webhook_allow_private = false;
  std::chrono::milliseconds webhook_retry_base{5'000};           // hidden: tests shorten it
  std::chrono::milliseconds webhook_round{500};                  // hidden: tests shorten it
  std::chrono::milliseconds webhook_give_up{24L * 3600 * 1000};  // hidden: tests shorten it
  std::chrono::milliseconds webhook_timeout{10'000};
  // The admin listener (GET /metrics in Prometheus's format); empty: none.
  std::string admin_listen;
  std::string admin_address;  // from admin_listen
  unsigned short admin_port = 0;
};

void add_serve_options(CLI::App& command, ServeSettings& settings);
// Checks and completes the settings after parsing; throws std::runtime_error
// with a message for the user.
void finish_serve_settings(ServeSettings& settings);

// The settings of the application itself, whichever runtime drives it
// (`serve`'s listener or `lambda`'s Runtime API loop): the store, the data
// directory, the timezone, CORS, tokens and their secret, the first admin's
// password, the body limit. add_serve_options includes them.
void add_application_options(CLI::App& command, ServeSettings& settings);
void finish_application_settings(const ServeSettings& settings);

// --data-dir for commands that work on the store directly.
void add_data_dir_option(CLI::App& command, std::filesystem::path& data_dir);
// --create: lets a command other than `serve` create the SQLite database
// where --data-dir finds none (without it, only in an empty directory).
void add_create_option(CLI::App& command, bool& create);
// --store (CARGOMON_STORE): which store, by URL (storage/open_store.hpp);
// empty for SQLite in --data-dir.
void add_store_option(CLI::App& command, std::string& store);

// Who the audit trail says acted from the command line: "cli:" and the
// operating system's user name ("cli" alone when it has none).
std::string cli_actor();

}  // namespace cargomon::cli
