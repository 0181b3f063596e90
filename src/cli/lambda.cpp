// `cargomon lambda`: the composition root on AWS Lambda, what the packaged
// `bootstrap` runs. The same settings as `serve` (the same options and
// environment variables, through the same code), the same store, secret
// and Router; instead of a listener, the Runtime API loop (lambda/).
//
// Lambda runs one invocation at a time per execution environment, so the
// handlers' blocking work runs inline on the loop's thread: no executor
// threads to start (cold start) or to wait for.

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <memory>
#include <optional>

#include "api/bounded_executor.hpp"
#include "api/router.hpp"
#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "cli/app_parts.hpp"
#include "cli/commands.hpp"
#include "cli/settings.hpp"
#include "lambda/cloudwatch.hpp"
#include "lambda/proxy_handler.hpp"
#include "lambda/runtime_api.hpp"
#include "storage/cached_users.hpp"

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

class LambdaApplication {
 public:
  explicit LambdaApplication(const ServeSettings& settings)
      : calendar_(settings.timezone),
        store_(open_checked(settings, calendar_)),
        timed_(*store_),
        users_(timed_, clock_),
        tokens_(signing_secret(settings), settings.token_ttl, clock_),
        throttle_(clock_),
        services_{
            calendar_, clock_,  timed_,  users_,  tokens_,
            throttle_, inline_, inline_, nullptr, api::HttpSettings{settings.cors_origins, {}}},
        router_(services_),
        handler_(router_, limits(settings)) {
    ensure_admin(users_, settings.admin_password);
  }

  const lambda::ProxyHandler& handler() const { return handler_; }
  lambda::TimedStore& timed_store() { return timed_; }

 private:
  static lambda::HandlerLimits limits(const ServeSettings& settings) {
    lambda::HandlerLimits limits;
    limits.event.max_body_bytes = settings.body_limit;
    return limits;
  }

  const BusinessCalendar calendar_;
  const SystemClock clock_;
  std::unique_ptr<Store> store_;
  lambda::TimedStore timed_;  // what handlers use: the store, timed for the EMF lines
  CachedUserStore users_;
  const auth::TokenService tokens_;
  auth::LoginThrottle throttle_;
  api::InlineExecutor inline_;
  api::Services services_;
  const api::Router router_;
  const lambda::ProxyHandler handler_;
};

struct LambdaSettings {
  ServeSettings application;
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
  auto lines = lambda::install_json_logs();
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
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    report_init_failure(*runtime, "Cargomon.InvalidSettings", e.what());
    return 1;
  }
  try {
    application = std::make_unique<LambdaApplication>(settings.application);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    report_init_failure(*runtime, "Cargomon.InitFailed", e.what());
    return 1;
  }
  try {
    spdlog::info(
        "cargomon lambda ready: business timezone {}, {} store", settings.application.timezone,
        settings.application.store.empty()
            ? "sqlite:"
            : settings.application.store.substr(0, settings.application.store.find(':') + 1));
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
