#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "api/authenticate.hpp"
#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"

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
    // named here: it needs Retry-After to back off (429, 503) and the CSV
    // download's file name.
    response.header("Access-Control-Expose-Headers", "Retry-After, Content-Disposition");
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

}  // namespace

void Router::handle(Request request, Respond::Sink sink) const {
  const Respond respond([sink = std::move(sink), origin = request.origin,
                         &settings = services_.settings](Response response) {
    add_common_headers(response, origin, settings);
    sink(std::move(response));
  });
  auto shared = std::make_shared<const Request>(std::move(request));
  answer_failures(respond, describe(*shared), [&] { route(shared, respond); });
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

void Router::route(const std::shared_ptr<const Request>& shared, const Respond& respond) const {
  const Request& request = *shared;
  const auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) {
    respond(error_response(ApiError::bad_request, "Malformed request target"));
    return;
  }
  const boost::urls::url_view& url = *parsed;
  std::vector<std::string> segments;
  for (auto segment : url.segments()) segments.push_back(segment);
  if (!segments.empty() && segments.back().empty()) segments.pop_back();
  strip_base_path(segments, services_.settings.base_path);
  auto query = std::make_shared<QueryParams>();
  for (auto param : url.params()) query->emplace(param.key, param.value);

  const std::string& method = request.method;
  auto& s = services_;

  if (method == "OPTIONS") {
    // CORS preflight: the allowed origin is echoed by add_common_headers.
    Response preflight;
    preflight.status = 204;
    preflight.content_type.clear();
    preflight.header("Access-Control-Allow-Methods", "GET, POST, PATCH, OPTIONS");
    preflight.header("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
    preflight.header("Access-Control-Max-Age", "600");
    respond(std::move(preflight));
    return;
  }

  // Off the network threads: authenticates (a store read, at most once a
  // second per user) and runs `then` for a principal with `permission`, or
  // answers 401/403.
  const auto guarded = [&](Permission permission, auto then) {
    off_network(request, respond, [&s, shared, respond, permission, then = std::move(then)] {
      auto outcome = authenticate(s, *shared, permission);
      if (auto* denied = std::get_if<Response>(&outcome)) return respond(std::move(*denied));
      then();
    });
  };

  const auto n = segments.size();
  const std::string first = n > 0 ? segments[0] : "";

  if (n == 1 && first == "token") {
    if (method != "POST") return respond(method_not_allowed("POST"));
    // Reads nothing here: the password check runs on the hashing executor.
    return post_token(s, request, respond);
  }
  if (n == 1 && first == "registrar_pedido_entregado") {
    if (method != "POST") return respond(method_not_allowed("POST"));
    // The ingest path: with its user read a moment ago, nothing here waits
    // (the store queues the order), so it stays on this thread and saves
    // two thread hops per order.
    if (auto known = authenticate_from_memory(s, request, Permission::register_order)) {
      if (auto* denied = std::get_if<Response>(&*known)) return respond(std::move(*denied));
      return post_order(s, request, respond);
    }
    return guarded(Permission::register_order,
                   [&s, shared, respond] { post_order(s, *shared, respond); });
  }
  if (n == 1 && first == "pedidos") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders,
                   [&s, query, respond] { respond(get_orders(s, *query)); });
  }
  if (n == 1 && first == "pedidos.csv") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders,
                   [&s, query, respond] { respond(get_orders_csv(s, *query)); });
  }
  if (n == 2 && first == "pedidos") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders,
                   [&s, id = segments[1], respond] { respond(get_order(s, id)); });
  }
  if (n == 1 && first == "metrics") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders,
                   [&s, query, respond] { respond(get_metrics(s, *query)); });
  }
  if (n == 2 && first == "metrics" &&
      (segments[1] == "productos" || segments[1] == "repartidores")) {
    if (method != "GET") return respond(method_not_allowed("GET"));
    const bool products = segments[1] == "productos";
    return guarded(Permission::read_orders, [&s, query, products, respond] {
      respond(products ? get_product_ranking(s, *query) : get_courier_ranking(s, *query));
    });
  }
  if (n == 1 && first == "eventos") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    // Authenticated here rather than by `guarded`: the stream is counted
    // against its user and ends when the token expires.
    return off_network(request, respond, [&s, shared, respond] {
      auto outcome = authenticate(s, *shared, Permission::read_orders);
      if (auto* denied = std::get_if<Response>(&outcome)) return respond(std::move(*denied));
      respond(get_events(s, *shared, std::get<Principal>(outcome)));
    });
  }
  if (n == 1 && first == "usuarios") {
    if (method == "GET") {
      return guarded(Permission::manage_users, [&s, respond] { respond(get_users(s)); });
    }
    if (method == "POST") {
      return guarded(Permission::manage_users,
                     [&s, shared, respond] { post_user(s, *shared, respond); });
    }
    return respond(method_not_allowed("GET, POST"));
  }
  if (n == 2 && first == "usuarios") {
    if (method != "PATCH") return respond(method_not_allowed("PATCH"));
    return guarded(Permission::manage_users, [&s, name = segments[1], shared, respond] {
      patch_user(s, name, *shared, respond);
    });
  }
  if (n == 1 && first == "healthz") {
    if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
    return respond(get_health());
  }
  if (n == 1 && first == "readyz") {
    if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
    return off_network(request, respond, [&s, respond] { respond(get_ready(s)); });
  }
  if (n == 1 && first == "openapi.json") {
    if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
    return respond(get_openapi());
  }
  if (method == "GET" || method == "HEAD") {
    std::string path;
    for (const auto& segment : segments) path += "/" + segment;
    // A file read: off the network threads too.
    return off_network(request, respond,
                       [&s, path = std::move(path), respond] { respond(get_static(s, path)); });
  }
  respond(error_response(ApiError::not_found, "Not Found"));
}

}  // namespace cargomon::api
