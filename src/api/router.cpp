#include "api/router.hpp"

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

void add_common_headers(Response& response, const Request& request, const HttpSettings& settings) {
  response.header("X-Content-Type-Options", "nosniff");
  response.header("Referrer-Policy", "no-referrer");
  if (response.content_type.starts_with("application/json")) {
    response.header("Cache-Control", "no-store");
  }
  if (!request.origin.empty() &&
      std::find(settings.cors_origins.begin(), settings.cors_origins.end(), request.origin) !=
          settings.cors_origins.end()) {
    response.header("Access-Control-Allow-Origin", request.origin);
    response.header("Vary", "Origin");
  }
}

}  // namespace

void Router::handle(Request request, Respond respond) const {
  // Every answer gets the common headers, whichever path produced it.
  const Request& req = request;
  Respond finish = [respond = std::move(respond), origin = req.origin,
                    &settings = services_.settings](Response response) {
    Request headers_only;
    headers_only.origin = origin;
    add_common_headers(response, headers_only, settings);
    respond(std::move(response));
  };
  try {
    route(request, finish);
  } catch (const StoreUnavailable&) {
    // Thrown only before a handler took `finish` over, so it has not answered.
    if (finish) {
      finish(error_response(ApiError::store_unavailable,
                            "The store is unavailable, try again shortly"));
    }
  }
}

void Router::route(Request& request, Respond& respond) const {
  const auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) {
    respond(error_response(ApiError::bad_request, "Malformed request target"));
    return;
  }
  const boost::urls::url_view& url = *parsed;
  std::vector<std::string> segments;
  for (auto segment : url.segments()) segments.push_back(segment);
  if (!segments.empty() && segments.back().empty()) segments.pop_back();
  QueryParams query;
  for (auto param : url.params()) query.emplace(param.key, param.value);

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

  // Runs `then` for an authenticated principal with `permission`, or answers 401/403.
  const auto guarded = [&](Permission permission, auto then) {
    auto outcome = authenticate(s, request, permission);
    if (auto* denied = std::get_if<Response>(&outcome)) {
      respond(std::move(*denied));
      return;
    }
    then();
  };

  const auto n = segments.size();
  const std::string first = n > 0 ? segments[0] : "";

  if (n == 1 && first == "token") {
    if (method != "POST") return respond(method_not_allowed("POST"));
    return post_token(s, request, std::move(respond));
  }
  if (n == 1 && first == "registrar_pedido_entregado") {
    if (method != "POST") return respond(method_not_allowed("POST"));
    return guarded(Permission::register_order, [&] { post_order(s, request, std::move(respond)); });
  }
  if (n == 1 && first == "pedidos") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders, [&] { respond(get_orders(s, query)); });
  }
  if (n == 1 && first == "pedidos.csv") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders, [&] { respond(get_orders_csv(s, query)); });
  }
  if (n == 2 && first == "pedidos") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders, [&] { respond(get_order(s, segments[1])); });
  }
  if (n == 1 && first == "metrics") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders, [&] { respond(get_metrics(s, query)); });
  }
  if (n == 1 && first == "eventos") {
    if (method != "GET") return respond(method_not_allowed("GET"));
    return guarded(Permission::read_orders, [&] { respond(get_events(s, request)); });
  }
  if (n == 1 && first == "usuarios") {
    if (method == "GET") return guarded(Permission::manage_users, [&] { respond(get_users(s)); });
    if (method == "POST") {
      return guarded(Permission::manage_users, [&] { post_user(s, request, std::move(respond)); });
    }
    return respond(method_not_allowed("GET, POST"));
  }
  if (n == 2 && first == "usuarios") {
    if (method != "PATCH") return respond(method_not_allowed("PATCH"));
    return guarded(Permission::manage_users,
                   [&] { patch_user(s, segments[1], request, std::move(respond)); });
  }
  if (n == 1 && first == "healthz") {
    if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
    return respond(get_health());
  }
  if (n == 1 && first == "readyz") {
    if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
    return respond(get_ready(s));
  }
  if (n == 1 && first == "openapi.json") {
    if (method != "GET" && method != "HEAD") return respond(method_not_allowed("GET"));
    return respond(get_openapi());
  }
  if (method == "GET" || method == "HEAD") {
    std::string path;
    for (const auto& segment : segments) path += "/" + segment;
    return respond(get_static(s, path));
  }
  respond(error_response(ApiError::not_found, "Not Found"));
}

}  // namespace cargomon::api
