#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <exception>
#include <type_traits>

#include "api/access_log.hpp"
#include "api/authenticate.hpp"
#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "api/language.hpp"
#include "api/rate_limiter.hpp"
#include "metrics/metrics.hpp"

namespace cargomon::api {
namespace {

Response method_not_allowed(std::string allow) {
  auto response = error_response(ApiError::method_not_allowed, "Method Not Allowed");
  response.header("Allow", std::move(allow));
  return response;
}

void add_common_headers(Response& response, const std::string& origin,
                        const HttpSettings& settings) {
  response.header("X-Content-Type-Options", "nosniff");
  response.header("Referrer-Policy", "no-referrer");
  if (response.content_type.starts_with("application/json")) {
    response.header("Cache-Control", "no-store");
  }
  if (!origin.empty() && std::find(settings.cors_origins.begin(), settings.cors_origins.end(),
                                   origin) != settings.cors_origins.end()) {
    response.header("Access-Control-Allow-Origin", origin);
    // A page on another origin (the dashboard on S3) reads only the headers
    // named here: it needs Retry-After and the rate limit's headers to back
    // off (429, 503), the CSV download's file name, and the request id to
    // quote in a report.
    response.header("Access-Control-Expose-Headers",
                    "Retry-After, RateLimit, RateLimit-Policy, Content-Disposition, X-Request-Id");
    response.header("Vary", "Origin");
  }
}

// Drops the segments of `base_path` ("/Prod") from the front of a target's.
void strip_base_path(std::vector<std::string>& segments, std::string_view base_path) {
  if (base_path.size() < 2) return;
  std::vector<std::string_view> prefix;
  for (std::size_t start = 1; start <= base_path.size();) {
    const auto end = std::min(base_path.find('/', start), base_path.size());
    prefix.push_back(base_path.substr(start, end - start));
    start = end + 1;
  }
  if (segments.size() < prefix.size()) return;
  if (!std::equal(prefix.begin(), prefix.end(), segments.begin())) return;
  segments.erase(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(prefix.size()));
}

// The operator's counters for one answer: its route and status, how long it
// took, and why when it is a 503.
void count_answer(metrics::Metrics& counters, Route route, const Response& response,
                  std::chrono::steady_clock::time_point started) {
  counters.request_answered(static_cast<std::size_t>(route), response.status,
                            std::chrono::steady_clock::now() - started);
  if (response.status == 503) {
    counters.unavailable(response.store_failed ? metrics::Unavailable::store
                                               : metrics::Unavailable::overloaded);
  }
  if (response.store_failed) counters.store_error();
}

}  // namespace

// A request's target, parsed once: its route and what the handlers read.
struct Router::Target {
  Route route = Route::unmatched;
  bool parsed = false;  // false: not an origin-form target
  std::vector<std::string> segments;
  std::shared_ptr<QueryParams> query = std::make_shared<QueryParams>();
};

Router::Target Router::parse_target(const Request& request) const {
  Target target;
  const auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) return target;
  target.parsed = true;
  const boost::urls::url_view& url = *parsed;
  for (auto segment : url.segments()) target.segments.push_back(segment);
  if (!target.segments.empty() && target.segments.back().empty()) target.segments.pop_back();
  strip_base_path(target.segments, services_.settings.base_path);
  for (auto param : url.params()) target.query->emplace(param.key, param.value);
  target.route = match_route(target.segments, request.method);
  return target;
}

void Router::handle(Request request, Respond::Sink sink) const {
  const auto started = std::chrono::steady_clock::now();
  auto shared = std::make_shared<const Request>(std::move(request));
  // Parsed before the answer is set up, since the route is counted with it;
  // what could escape parsing (std::bad_alloc) is answered by the catch-all.
  Target target;
  std::exception_ptr unparsed;
  try {
    target = parse_target(*shared);
  } catch (...) {
    unparsed = std::current_exception();
  }
  const Respond respond([sink = std::move(sink), origin = shared->origin, method = shared->method,
                         language = preferred_language(shared->accept_language),
                         id = request_id_of(shared->request_id), &settings = services_.settings,
                         counters = services_.metrics, route = target.route,
                         started](Response response) {
    localize_error(response, language);
    add_common_headers(response, origin, settings);
    response.header("X-Request-Id", id);
    if (counters) count_answer(*counters, route, response, started);
    log_answer(
        {method, route_pattern(route), response, std::chrono::steady_clock::now() - started, id},
        settings.access_log);
    sink(std::move(response));
  });
  answer_failures(respond, describe(*shared), [&] {
    if (unparsed) std::rethrow_exception(unparsed);
    this->route(shared, target, respond);
  });
}

void Router::off_network(const Request& request, const Respond& respond,
                         std::function<void()> work) const {
  // The request's own bytes are what the queued work holds.
  const std::size_t bytes = request.body.size() + request.target.size() + 512;
  post_answering(services_.store_work, respond, describe(request), bytes, std::move(work));
}

void Router::next_chunk(const BodyChunks& chunks,
                        std::function<void(std::optional<std::string>)> done) const {
  auto produce = [chunks, done] {
    std::optional<std::string> piece;
    try {
      piece = chunks();
    } catch (const std::exception& e) {
      spdlog::warn("streamed answer cut short: {}", e.what());
    } catch (...) {
      spdlog::warn("streamed answer cut short");
    }
    done(std::move(piece));
  };
  if (!services_.store_work.try_post(produce, 0)) {
    spdlog::warn("streamed answer cut short: the store executor is full");
    done(std::nullopt);
  }
}

void Router::route(const std::shared_ptr<const Request>& shared, const Target& target,
                   const Respond& respond) const {
  const Request& request = *shared;
  if (!target.parsed) {
    respond(error_response(ApiError::bad_request, "Malformed request target"));
    return;
  }
  const auto& segments = target.segments;
  const auto& query = target.query;

  const std::string& method = request.method;
  auto& s = services_;

  // Health checks are never limited: a load balancer that checks from an
  // address its clients also come from would otherwise take the instance
  // out for their traffic.
  if (s.address_rate && target.route != Route::healthz && target.route != Route::readyz) {
    const auto verdict = s.address_rate->take(request.client_address);
    if (!verdict.allowed) {
      if (s.metrics) s.metrics->rate_limited(metrics::RateLimitScope::address);
      return respond(
          rate_limited_response("address", "from your address", *s.address_rate, verdict));
    }
  }

  if (method == "OPTIONS") {
    // CORS preflight: the allowed origin is echoed by add_common_headers.
    Response preflight;
    preflight.status = 204;
    preflight.content_type.clear();
    preflight.header("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS");
    preflight.header("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
    preflight.header("Access-Control-Max-Age", "600");
    respond(std::move(preflight));
    return;
  }

  // Off the network threads: authenticates (a store read, at most once a
  // second per user) and runs `then` for a principal with `permission`, or
  // answers 401/403.
  // `then` may take the principal (who acts, for the audit trail).
  const auto guarded = [&](Permission permission, auto then) {
    off_network(request, respond, [&s, shared, respond, permission, then = std::move(then)] {
      auto outcome = authenticate(s, *shared, permission);
      if (auto* denied = std::get_if<Response>(&outcome)) return respond(std::move(*denied));
      const auto& principal = std::get<Principal>(outcome);
      respond.attribute_to(principal.username);
      if constexpr (std::is_invocable_v<decltype(then), const Principal&>) {
        then(principal);
      } else {
        then();
      }
    });
  };

  switch (target.route) {
    case Route::token:
      if (method != "POST") return respond(method_not_allowed("POST"));
      // Reads nothing here: the password check runs on the hashing executor.
      return post_token(s, request, respond);
    case Route::token_renewal:
      if (method != "POST") return respond(method_not_allowed("POST"));
      // The refresh token is the credential: no bearer token needed.
      return post_token_renewal(s, request, respond);
    case Route::token_logout:
      if (method != "POST") return respond(method_not_allowed("POST"));
      return post_token_logout(s, request, respond);
    case Route::sessions:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::manage_users,
                     [&s, query, respond] { respond(get_sessions(s, *query)); });
    case Route::session:
      if (method != "DELETE") return respond(method_not_allowed("DELETE"));
      return guarded(Permission::manage_users,
                     [&s, id = segments[1], respond] { respond(delete_session(s, id)); });
    case Route::register_order:
      if (method != "POST") return respond(method_not_allowed("POST"));
      // The ingest path: with its user read a moment ago, nothing here waits
      // (the store queues the order), so it stays on this thread and saves
      // two thread hops per order.
      if (auto known = authenticate_from_memory(s, request, Permission::register_order)) {
        if (auto* denied = std::get_if<Response>(&*known)) return respond(std::move(*denied));
        respond.attribute_to(std::get<Principal>(*known).username);
        return post_order(s, request, respond);
      }
      return guarded(Permission::register_order,
                     [&s, shared, respond] { post_order(s, *shared, respond); });
    case Route::orders:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::read_orders,
                     [&s, query, respond] { respond(get_orders(s, *query)); });
    case Route::orders_csv:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::read_orders,
                     [&s, query, respond] { respond(get_orders_csv(s, *query)); });
    case Route::orders_xlsx:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::read_orders,
                     [&s, query, respond] { respond(get_orders_xlsx(s, *query)); });
    case Route::order:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::read_orders,
                     [&s, id = segments[1], respond] { respond(get_order(s, id)); });
    case Route::day_metrics:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::read_orders,
                     [&s, query, respond] { respond(get_metrics(s, *query)); });
    case Route::product_ranking:
    case Route::courier_ranking: {
      if (method != "GET") return respond(method_not_allowed("GET"));
      const bool products = target.route == Route::product_ranking;
      return guarded(Permission::read_orders, [&s, query, products, respond] {
        respond(products ? get_product_ranking(s, *query) : get_courier_ranking(s, *query));
      });
    }
    case Route::metrics_range:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::read_orders,
                     [&s, query, respond] { respond(get_metrics_range(s, *query)); });
    case Route::day_report:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::read_orders,
                     [&s, query, respond] { respond(get_day_report(s, *query)); });
    case Route::events:
      if (method != "GET") return respond(method_not_allowed("GET"));
      // Authenticated here rather than by `guarded`: the stream is counted
      // against its user and ends when the token expires.
      return off_network(request, respond, [&s, shared, respond] {
        auto outcome = authenticate(s, *shared, Permission::read_orders);
        if (auto* denied = std::get_if<Response>(&outcome)) return respond(std::move(*denied));
        respond.attribute_to(std::get<Principal>(outcome).username);
        respond(get_events(s, *shared, std::get<Principal>(outcome)));
      });
    case Route::users:
      if (method == "GET") {
        return guarded(Permission::manage_users, [&s, respond] { respond(get_users(s)); });
      }
      if (method == "POST") {
        return guarded(Permission::manage_users, [&s, shared, respond](const Principal& by) {
          post_user(s, *shared, by, respond);
        });
      }
      return respond(method_not_allowed("GET, POST"));
    case Route::user:
      if (method != "PATCH") return respond(method_not_allowed("PATCH"));
      return guarded(Permission::manage_users,
                     [&s, name = segments[1], shared, respond](const Principal& by) {
                       patch_user(s, name, *shared, by, respond);
                     });
    // Webhooks are admins' to manage, as users are.
    case Route::webhooks:
      if (method == "GET") {
        return guarded(Permission::manage_users, [&s, respond] { respond(get_webhooks(s)); });
      }
      if (method == "POST") {
        return guarded(Permission::manage_users,
                       [&s, shared, respond] { respond(post_webhook(s, *shared)); });
      }
      return respond(method_not_allowed("GET, POST"));
    case Route::webhook:
      if (method == "GET") {
        return guarded(Permission::manage_users,
                       [&s, id = segments[1], respond] { respond(get_webhook(s, id)); });
      }
      if (method == "PATCH") {
        return guarded(Permission::manage_users, [&s, id = segments[1], shared, respond] {
          respond(patch_webhook(s, id, *shared));
        });
      }
      if (method == "DELETE") {
        return guarded(Permission::manage_users,
                       [&s, id = segments[1], respond] { respond(delete_webhook(s, id)); });
      }
      return respond(method_not_allowed("GET, PATCH, DELETE"));
    case Route::parked_deliveries:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::manage_users,
                     [&s, id = segments[1], respond] { respond(get_parked_deliveries(s, id)); });
    case Route::replay_delivery:
      if (method != "POST") return respond(method_not_allowed("POST"));
      return guarded(Permission::manage_users,
                     [&s, id = segments[1], delivery = segments[3], respond] {
                       respond(post_replay(s, id, delivery));
                     });
    case Route::audit:
      if (method != "GET") return respond(method_not_allowed("GET"));
      return guarded(Permission::manage_users,
                     [&s, query, respond] { respond(get_audit(s, *query)); });
    case Route::healthz:
      if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
      return respond(get_health());
    case Route::readyz:
      if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
      return off_network(request, respond, [&s, respond] { respond(get_ready(s)); });
    case Route::openapi:
      if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
      return respond(get_openapi());
    case Route::dashboard_file: {
      std::string path;
      for (const auto& segment : segments) path += "/" + segment;
      // A file read: off the network threads too.
      return off_network(request, respond,
                         [&s, path = std::move(path), respond] { respond(get_static(s, path)); });
    }
    case Route::unmatched:
      break;
  }
  respond(error_response(ApiError::not_found, "Not Found"));
}

}  // namespace cargomon::api
