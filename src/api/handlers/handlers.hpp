#pragma once
// One function per endpoint: parse, call the domain or the store, serialize.

#include <map>
#include <string>

#include "api/exchange.hpp"
#include "api/json.hpp"
#include "api/services.hpp"

namespace cargomon::api {

using QueryParams = std::map<std::string, std::string, std::less<>>;

void post_token(Services& services, const Request& request, Respond respond);
// POST /token/renovar, POST /token/cerrar, GET /sesiones, DELETE
// /sesiones/{id}: signed-in sessions (handlers/sessions.cpp).
void post_token_renewal(Services& services, const Request& request, Respond respond);
void post_token_logout(Services& services, const Request& request, Respond respond);
Response get_sessions(Services& services, const QueryParams& query);
Response delete_session(Services& services, const std::string& session_id);
// The refresh token and session fields of POST /token's answer for a user
// who chose (or declined) to keep the screen signed in: stores the session.
// May read and write the store.
// `request`: whose address and user agent the session shows.
void start_session(Services& services, const Request& request, const User& user,
                   bool keep_signed_in, JsonWriter& out);
void post_order(Services& services, const Request& request, Respond respond);
Response get_orders(Services& services, const QueryParams& query);
// Streamed: the answer carries BodyChunks that read the store page by page.
Response get_orders_csv(Services& services, const QueryParams& query);
// Written whole to a scratch file first, then streamed from it.
Response get_orders_xlsx(Services& services, const QueryParams& query);
Response get_order(Services& services, const std::string& order_id);
Response get_metrics(Services& services, const QueryParams& query);
// The day's complete rankings, page by page (/metrics lists only the first).
Response get_product_ranking(Services& services, const QueryParams& query);
Response get_metrics_range(Services& services, const QueryParams& query);
Response get_day_report(Services& services, const QueryParams& query);
Response get_courier_ranking(Services& services, const QueryParams& query);
Response get_events(Services& services, const Request& request, const Principal& principal);
Response get_users(Services& services);
// `by` is who asked: the audit trail records the change under their name.
void post_user(Services& services, const Request& request, const Principal& by, Respond respond);
void patch_user(Services& services, const std::string& username, const Request& request,
                const Principal& by, Respond respond);
// Webhook endpoints, admins only (handlers/webhooks.cpp).
Response get_webhooks(Services& services);
Response post_webhook(Services& services, const Request& request);
Response get_webhook(Services& services, const std::string& id);
Response patch_webhook(Services& services, const std::string& id, const Request& request);
Response delete_webhook(Services& services, const std::string& id);
Response get_parked_deliveries(Services& services, const std::string& id);
Response post_replay(Services& services, const std::string& id, const std::string& delivery_id);
// The audit trail, newest first, in pages (admins).
Response get_audit(Services& services, const QueryParams& query);
Response get_health();
Response get_ready(Services& services);
Response get_openapi();
Response get_static(const Services& services, const std::string& path);

// Shared by handlers that take a JSON body: checks the content type and
// parses; on failure fills `error`.
std::optional<JsonNode> read_json_body(const Request& request, Response& error);
// read_json_body for a body that must be a JSON object (else 422).
std::optional<JsonNode> read_json_object(const Request& request, Response& error);

}  // namespace cargomon::api
