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
void post_order(Services& services, const Request& request, Respond respond);
Response get_orders(Services& services, const QueryParams& query);
// Streamed: the answer carries BodyChunks that read the store page by page.
Response get_orders_csv(Services& services, const QueryParams& query);
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
