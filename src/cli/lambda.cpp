// `cargomon lambda`: the composition root on AWS Lambda, what the packaged
// `bootstrap` runs. The same settings as `serve` (the same options and
// environment variables, through the same code), the same store, secret
// and Router; instead of a listener, the Runtime API loop (lambda/).
//
// Lambda runs one invocation at a time per execution environment, so the
// handlers' blocking work runs inline on the loop's thread: no executor
// threads to start (cold start) or to wait for.
//
// The live stream (--stream, lambda/live_stream.hpp): its feed is made for
// each stream invocation, relayed from the store's live orders
// (PostgreSQL, DynamoDB) or, for a store without them, from a poller over
// orders_after (storage/polled_live_orders.hpp), so that every
// environment's orders reach every stream and nothing reads the store for
// streams while none is open.

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <memory>
#include <optional>

#include "api/bounded_executor.hpp"
#include "api/metrics_reader.hpp"
#include "api/router.hpp"
#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "cli/app_parts.hpp"
#include "cli/commands.hpp"
#include "cli/settings.hpp"
#include "lambda/cloudwatch.hpp"
#include "lambda/proxy_handler.hpp"
#include "lambda/runtime_api.hpp"
#include "log/log.hpp"
#include "storage/cached_users.hpp"
#include "storage/polled_live_orders.hpp"

namespace cargomon::cli {
namespace {

// Every execution environment of a function must accept the tokens the
// others issued: a secret made per environment would not be shared.
void require_shared_secret(const ServeSettings& settings) {
  if (settings.jwt_secret.empty() && settings.jwt_secret_file.empty()) {
    throw std::runtime_error(
        "on Lambda every execution environment must sign tokens with the same secret: set "
        "CARGOMON_JWT_SECRET (at least 32 bytes; from Secrets Manager or SSM) or "
        "CARGOMON_JWT_SECRET_FILE");
  }
}

// What `lambda` adds to the application's settings: response streaming.
struct StreamSettings {
  bool enabled = false;  // --stream, CARGOMON_LAMBDA_STREAMING
  std::chrono::milliseconds poll_interval{1'000};
};

class LambdaApplication {
 public:
  LambdaApplication(const ServeSettings& settings, const StreamSettings& streaming)
      : calendar_(settings.timezone),
        store_(open_checked(settings, calendar_)),
        timed_(*store_),
        users_(timed_, clock_),
        tokens_(signing_secret(settings), settings.token_ttl, clock_),
        throttle_(clock_),
        audit_([this](const AuditEntry& entry) { timed_.append_audit(entry); }, clock_,
               AuditRecorder::random_audit_id,
               [](const AuditEntry& entry, const std::string& why) {
                 spdlog::warn("audit entry {} not kept: {}", entry.action, why);
               }),
        metrics_reader_(timed_, calendar_, clock_),
        services_{calendar_, clock_,
                  timed_,    users_,
                  tokens_,   throttle_,
                  inline_,   inline_,
                  nullptr,   api::HttpSettings{settings.cors_origins, {}, settings.base_path},
                  nullptr,   nullptr,
                  nullptr,   &metrics_reader_},
        router_(services_),
        polled_(timed_, {.interval = streaming.poll_interval, .page = 500, .ticks = nullptr}),
        on_demand_(services_, timed_.live_orders() ? *timed_.live_orders() : polled_),
        handler_(router_, limits(settings, streaming), streaming.enabled ? &on_demand_ : nullptr) {
    services_.sessions = &timed_;
    services_.audit = &audit_;
    services_.audit_log = &timed_;
    services_.session_settings.kept_lifetime = std::chrono::days(settings.session_days);
    ensure_admin(users_, settings.admin_password);
  }

  const lambda::ProxyHandler& handler() const { return handler_; }
  lambda::TimedStore& timed_store() { return timed_; }

 private:
  static lambda::HandlerLimits limits(const ServeSettings& settings,
                                      const StreamSettings& streaming) {
    lambda::HandlerLimits limits;
    limits.event.max_body_bytes = settings.body_limit;
    limits.stream.enabled = streaming.enabled;
    return limits;
  }

  const BusinessCalendar calendar_;
  const SystemClock clock_;
  std::unique_ptr<Store> store_;
  lambda::TimedStore timed_;  // what handlers use: the store, timed for the EMF lines
  CachedUserStore users_;
  const auth::TokenService tokens_;
  auth::LoginThrottle throttle_;
  // Entries go through timed_ to the store; nothing prunes here (the
  // instances of `cargomon serve`, or `cargomon audit --prune`, do).
  AuditRecorder audit_;
  api::InlineExecutor inline_;
  // Warm invocations reuse the days compared with.
  api::MetricsReader metrics_reader_;
  api::Services services_;
  const api::Router router_;
  // The live stream's sources, used only while a stream invocation runs.
  PolledLiveOrders polled_;
  lambda::OnDemandFeed on_demand_;
  const lambda::ProxyHandler handler_;
};

struct LambdaSettings {
  ServeSettings application;
  StreamSettings streaming;
  std::string runtime_api;
};

// Tells Lambda why the function cannot start; if even that fails, the log
// is all there is.
void report_init_failure(lambda::RuntimeApi& runtime, const std::string& type,
                         const std::string& message) {
  try {
    if (!runtime.fail_init(type, message)) spdlog::error("the Runtime API refused the init error");
  } catch (const std::exception& e) {
    spdlog::error("could not report the init error: {}", e.what());
  }
}

// Runs until the Runtime API fails; returns the exit status.
int run(LambdaSettings& settings) {
  // Before anything logs: every line from here on is JSON.
  auto lines = log::install(
      log::Format::json,
      log::parse_level(settings.application.log_level).value_or(spdlog::level::info), stdout);
  const std::size_t max_event = lambda::kLambdaPayloadLimit;
  std::optional<lambda::RuntimeApi> runtime;
  try {
    runtime.emplace(settings.runtime_api, max_event);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());  // nobody to tell but the log
    return 1;
  }
  std::unique_ptr<LambdaApplication> application;
  try {
    finish_application_settings(settings.application);
    require_shared_secret(settings.application);
    if (settings.streaming.poll_interval <= std::chrono::milliseconds::zero()) {
      throw std::runtime_error("--stream-poll-interval must be at least 1 millisecond");
    }
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    report_init_failure(*runtime, "Cargomon.InvalidSettings", e.what());
    return 1;
  }
  try {
    application = std::make_unique<LambdaApplication>(settings.application, settings.streaming);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    report_init_failure(*runtime, "Cargomon.InitFailed", e.what());
    return 1;
  }
  try {
    spdlog::info(
        "cargomon lambda ready: business timezone {}, {} store, response streaming {}",
        settings.application.timezone,
        settings.application.store.empty()
            ? "sqlite:"
            : settings.application.store.substr(0, settings.application.store.find(':') + 1),
        settings.streaming.enabled ? "on (GET /eventos streams)" : "off");
    lambda::CloudWatchReporting reporting(lines, application->timed_store());
    lambda::serve_invocations(*runtime, application->handler(), reporting);
  } catch (const std::exception& e) {
    spdlog::critical("the Runtime API failed: {}", e.what());
  }
  return 1;
}

}  // namespace

void add_lambda_command(CLI::App& app, ExitStatus& status) {
  auto settings = std::make_shared<LambdaSettings>();
  // Only /tmp is writable on Lambda (an SQLite store there is one
  // environment's own, for trials).
  settings->application.data_dir = "/tmp/cargomon";
  auto* command = app.add_subcommand(
      "lambda", "Serve the API as an AWS Lambda function (the Runtime API loop of `bootstrap`)");
  add_application_options(*command, settings->application);
  command
      ->add_option("--runtime-api", settings->runtime_api,
                   "The Lambda Runtime API, HOST:PORT (set by Lambda)")
      ->envname("AWS_LAMBDA_RUNTIME_API")
      ->required();
  command
      ->add_flag("--stream", settings->streaming.enabled,
                 "The function's HTTP front doors stream responses (a function URL with "
                 "InvokeMode RESPONSE_STREAM, API Gateway REST with responseTransferMode "
                 "STREAM): every answer is streamed and GET /eventos serves the live stream")
      ->envname("CARGOMON_LAMBDA_STREAMING");
  command
      ->add_option("--stream-poll-interval", settings->streaming.poll_interval,
                   "How often an open stream reads the store for other environments' orders, in "
                   "milliseconds, when the store has no live orders of its own (SQLite)")
      ->envname("CARGOMON_LAMBDA_POLL_INTERVAL");
  command->callback([settings, &status] { status.code = run(*settings); });
}

void report_lambda_parse_error(const std::string& message) {
  const char* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr) return;
  try {
    lambda::RuntimeApi runtime(endpoint, lambda::kLambdaPayloadLimit);
    report_init_failure(runtime, "Cargomon.InvalidSettings", message);
  } catch (const std::exception& e) {
    spdlog::critical("could not report to the Runtime API: {}", e.what());
  }
}

}  // namespace cargomon::cli
