#include "cli/settings.hpp"

#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cargomon::cli {

std::string cli_actor() {
  // The effective user's entry: what the process may do is that user's.
  std::string name;
  const long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
      found != nullptr && found->pw_name != nullptr) {
    name = found->pw_name;
  }
  return name.empty() ? std::string("cli") : "cli:" + name;
}

void add_data_dir_option(CLI::App& command, std::filesystem::path& data_dir) {
  command.add_option("--data-dir", data_dir, "Directory of the database and the JWT secret")
      ->envname("CARGOMON_DATA_DIR")
      ->capture_default_str();
}

void add_create_option(CLI::App& command, bool& create) {
  command.add_flag("--create", create,
                   "Create the database if --data-dir has none (by default only `serve` does, "
                   "or an empty directory made for it: a mistyped --data-dir creates nothing)");
}

void add_store_option(CLI::App& command, std::string& store) {
  command
      .add_option("--store", store,
                  "The store: sqlite: (the default: the embedded SQLite database in "
                  "--data-dir), a PostgreSQL URL (postgres://user:password@host:5432/database) "
                  "or dynamodb://PREFIX (tables PREFIX-orders and PREFIX-users; AWS_* "
                  "variables), shared by several instances, or memory: (lost on exit)")
      ->envname("CARGOMON_STORE");
  // The URL's own option, spelled as a flag; its callback runs after the
  // --store option's (CLI11 runs them in the order they were added).
  command
      .add_flag_callback(
          "--no-create-tables",
          [&store] {
            if (!store.starts_with("dynamodb://")) {
              throw CLI::ValidationError("--no-create-tables", "applies to a dynamodb:// store");
            }
            if (store.find('?') == std::string::npos) store += "?create_tables=false";
          },
          "With a dynamodb:// store: fail when its tables are missing instead of creating "
          "them (the infrastructure creates them; the IAM policy grants no CreateTable)")
      ->envname("CARGOMON_NO_CREATE_TABLES");
}

void add_application_options(CLI::App& command, ServeSettings& s) {
  add_data_dir_option(command, s.data_dir);
  add_store_option(command, s.store);
  command.add_option("--timezone", s.timezone, "Business timezone: what \"today\" means")
      ->envname("CARGOMON_TIMEZONE")
      ->capture_default_str();
  command
      .add_option("--cors-origin", s.cors_origins,
                  "Origin allowed to call the API from a browser (repeat, or comma-separated "
                  "in the variable); none by default")
      ->envname("CARGOMON_CORS_ORIGINS")
      ->delimiter(',');
  command
      .add_option("--base-path", s.base_path,
                  "A path prefix the API is also served under, such as /Prod for clients of the "
                  "original configured with its API Gateway stage (https://…/Prod/token); "
                  "none by default")
      ->envname("CARGOMON_BASE_PATH")
      ->check([](const std::string& path) -> std::string {
        if (path.empty()) return "";
        if (path.front() != '/' || path.size() < 2 || path.back() == '/' ||
            path.find_first_of("?#%") != std::string::npos) {
          return "must start with / and be a path such as /Prod, without a trailing /";
        }
        return "";
      });
  command.add_option("--token-ttl", s.token_ttl, "Lifetime of access tokens, in seconds")
      ->envname("CARGOMON_TOKEN_TTL")
      ->capture_default_str();
  command
      .add_option("--session-days", s.session_days,
                  "Days a screen signed in with \"keep this screen signed in\" stays so without "
                  "renewing its token (every renewal starts them again), 1 to 365")
      ->envname("CARGOMON_SESSION_DAYS")
      ->capture_default_str();
  command
      .add_option("--jwt-secret-file", s.jwt_secret_file,
                  "File holding the token signing secret (CARGOMON_JWT_SECRET may hold it "
                  "directly); default: <data-dir>/jwt-secret, created on first start")
      ->envname("CARGOMON_JWT_SECRET_FILE");
  // Secrets belong in the environment: a flag's value shows in `ps`.
  command
      .add_option("--jwt-secret", s.jwt_secret,
                  "The token signing secret itself, at least 32 bytes (prefer the variable: a "
                  "flag shows in ps)")
      ->envname("CARGOMON_JWT_SECRET");
  command
      .add_option("--admin-password", s.admin_password,
                  "Password of the `admin` user created on the first start (prefer the variable; "
                  "default: generated and printed once)")
      ->envname("CARGOMON_ADMIN_PASSWORD");
  command.add_option("--body-limit", s.body_limit, "Largest accepted request body, in bytes")
      ->envname("CARGOMON_BODY_LIMIT")
      ->capture_default_str();
  command
      .add_option("--log-level", s.log_level,
                  "The least level logged: error, warn, info (with serve's access log) or debug")
      ->envname("CARGOMON_LOG_LEVEL")
      ->capture_default_str()
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
}

void add_serve_options(CLI::App& command, ServeSettings& s) {
  command.add_option("--listen", s.listen, "Address and port to listen on (port 0: any free port)")
      ->envname("CARGOMON_LISTEN")
      ->capture_default_str();
  add_application_options(command, s);
  command
      .add_option("--generated-admin-password-file", s.generated_admin_password_file,
                  "Where the password generated for the first `admin` is written (a new file, "
                  "mode 0600) instead of printed; the line printed names the file (for a "
                  "service, whose output goes to a log)")
      ->envname("CARGOMON_GENERATED_ADMIN_PASSWORD_FILE");
  command.add_option("--web-dir", s.web_dir, "Built dashboard to serve at / (web/dist)")
      ->envname("CARGOMON_WEB_DIR");
  command
      .add_option("--store-threads", s.store_threads,
                  "Threads that run the handlers reading the store (never the I/O threads)")
      ->envname("CARGOMON_STORE_THREADS")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  command
      .add_option("--store-queue", s.store_queue,
                  "Requests waiting for a store thread; beyond it they are answered 503")
      ->envname("CARGOMON_STORE_QUEUE")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  command
      .add_option("--audit-retention-days", s.audit_retention_days,
                  "Days the audit trail (GET /auditoria) keeps an entry; older ones are deleted "
                  "hourly, by any instance (0: kept for ever)")
      ->envname("CARGOMON_AUDIT_RETENTION_DAYS")
      ->capture_default_str()
      ->check(CLI::Range(0, 36'500));
  command.add_option("--threads", s.threads, "I/O threads (0: one per core)")
      ->envname("CARGOMON_THREADS")
      ->capture_default_str();
  command
      .add_option("--max-connections", s.max_connections,
                  "Open connections beyond this are answered 503 and closed")
      ->envname("CARGOMON_MAX_CONNECTIONS")
      ->capture_default_str();
  command
      .add_option("--max-connections-per-address", s.max_connections_per_address,
                  "Open connections one client address may hold, beyond it 429 (0: no cap; behind "
                  "a reverse proxy every client has its address: raise it)")
      ->envname("CARGOMON_MAX_CONNECTIONS_PER_ADDRESS")
      ->capture_default_str();
  command
      .add_option("--first-request-timeout", s.first_request_timeout,
                  "Seconds a new connection has for its TLS handshake and first request's headers")
      ->envname("CARGOMON_FIRST_REQUEST_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(1, 300));
  command
      .add_option("--max-streams-per-user", s.max_streams_per_user,
                  "Open /eventos streams one user may hold; beyond it 429")
      ->envname("CARGOMON_MAX_STREAMS_PER_USER")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  command
      .add_option("--max-streams-per-address", s.max_streams_per_address,
                  "Open /eventos streams one client address may hold (screens behind one NAT "
                  "share one); beyond it 429")
      ->envname("CARGOMON_MAX_STREAMS_PER_ADDRESS")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000));
  command.add_option("--tls-cert", s.tls_certificate, "Certificate chain (PEM) to serve HTTPS")
      ->envname("CARGOMON_TLS_CERT");
  command.add_option("--tls-key", s.tls_private_key, "Private key (PEM) of --tls-cert")
      ->envname("CARGOMON_TLS_KEY");
  command
      .add_option("--user-rate-limit", s.user_rate,
                  "Requests a second one user may make (a token bucket, per instance; 0: no "
                  "limit); beyond it 429 with Retry-After")
      ->envname("CARGOMON_USER_RATE_LIMIT")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  command
      .add_option("--user-rate-burst", s.user_burst,
                  "Requests one user may make at once before --user-rate-limit applies")
      ->envname("CARGOMON_USER_RATE_BURST")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e9));
  command
      .add_option("--address-rate-limit", s.address_rate,
                  "Requests a second one client address may make, health checks aside (a token "
                  "bucket, per instance; 0: no limit; behind a reverse proxy every client has its "
                  "address: raise it); beyond it 429 with Retry-After")
      ->envname("CARGOMON_ADDRESS_RATE_LIMIT")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e9));
  command
      .add_option("--address-rate-burst", s.address_burst,
                  "Requests one client address may make at once before --address-rate-limit "
                  "applies")
      ->envname("CARGOMON_ADDRESS_RATE_BURST")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1e9));
  command
      .add_option("--admin-listen", s.admin_listen,
                  "Address and port of the admin listener, which serves the Prometheus metrics "
                  "at /metrics, unauthenticated: keep it on loopback or a private network "
                  "(port 0: any free port); default: none")
      ->envname("CARGOMON_ADMIN_LISTEN");
  command
      .add_option("--log-format", s.log_format,
                  "The log's lines on stderr: text, or json (one object per line)")
      ->envname("CARGOMON_LOG_FORMAT")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  command
      .add_option("--access-log", s.access_log,
                  "One info line per answered request (method, route pattern, status, "
                  "duration, bytes, user, request id): on or off; warnings about refused "
                  "requests are logged either way")
      ->envname("CARGOMON_ACCESS_LOG")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  command.add_flag("--webhook-allow-private", s.webhook_allow_private,
                   "Let webhook endpoints be on loopback, link-local or private addresses, "
                   "and plain http:// (for tests and closed networks)");
  command
      .add_option("--webhook-timeout", s.webhook_timeout,
                  "How long one webhook delivery may take, in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(100, 60'000));
  // For tests: retries and rounds in milliseconds rather than seconds, so
  // that a receiver that recovers is seen recovering without long waits.
  command.add_option("--webhook-retry-base", s.webhook_retry_base)
      ->group("")
      ->check(CLI::Range(1, 3'600'000));
  command.add_option("--webhook-give-up", s.webhook_give_up)
      ->group("")
      ->check(CLI::Range(1, 7 * 24 * 3'600'000));
  command.add_option("--webhook-round", s.webhook_round)->group("")->check(CLI::Range(1, 60'000));
}

void finish_application_settings(const ServeSettings& s) {
  if (s.token_ttl.count() < 60 || s.token_ttl.count() > 24L * 3600) {
    throw std::runtime_error("--token-ttl must be between 60 and 86400 seconds");
  }
  if (s.session_days < 1 || s.session_days > 365) {
    throw std::runtime_error("--session-days must be between 1 and 365");
  }
}

namespace {

// ADDRESS:PORT (an IPv6 address in brackets) of the flag `flag`.
void split_listen(const std::string& flag, const std::string& listen, std::string& address,
                  unsigned short& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    throw std::runtime_error(flag + " must be ADDRESS:PORT, e.g. 127.0.0.1:8080");
  }
  address = listen.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  try {
    const int number = std::stoi(listen.substr(colon + 1));
    if (number < 0 || number > 65535) throw std::out_of_range("port");
    port = static_cast<unsigned short>(number);
  } catch (const std::exception&) {
    throw std::runtime_error(flag + " port must be a number from 0 to 65535");
  }
}

}  // namespace

void finish_serve_settings(ServeSettings& s) {
  split_listen("--listen", s.listen, s.address, s.port);
  if (!s.admin_listen.empty()) {
    split_listen("--admin-listen", s.admin_listen, s.admin_address, s.admin_port);
  }
  finish_application_settings(s);
  if (s.tls_certificate.empty() != s.tls_private_key.empty()) {
    throw std::runtime_error("--tls-cert and --tls-key go together");
  }
  if (s.threads == 0) s.threads = std::max(1u, std::thread::hardware_concurrency());
  if (!s.web_dir.empty() && !std::filesystem::is_directory(s.web_dir)) {
    throw std::runtime_error(
        "--web-dir " + s.web_dir.string() +
        " is not a directory (build the dashboard: npm --prefix web run build)");
  }
}

}  // namespace cargomon::cli
