// /webhooks: admins register the endpoints webhooks are sent to, see their
// parked deliveries and replay them (webhook/deliverer.hpp sends them).

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "domain/webhook.hpp"
#include "webhook/signature.hpp"
#include "webhook/target.hpp"

namespace cargomon::api {
namespace {

constexpr std::size_t kParkedListed = 100;

void write_endpoint(JsonWriter& out, const WebhookEndpoint& endpoint, const BusinessCalendar& c,
                    bool with_secret) {
  out.begin_object()
      .key("id")
      .string(endpoint.id)
      .key("url")
      .string(endpoint.url)
      .key("descripcion")
      .string(endpoint.description)
      .key("eventos")
      .begin_array();
  for (const auto name : subscribed_names(endpoint.events)) out.string(name);
  out.end_array()
      .key("desactivado")
      .boolean(endpoint.disabled)
      .key("creado")
      .string(c.format(endpoint.created_at));
  // Shown once, on creation: whoever reads it can forge deliveries.
  if (with_secret) out.key("secreto").string(endpoint.secret);
  out.end_object();
}

Response endpoint_response(int status, const WebhookEndpoint& endpoint, const BusinessCalendar& c,
                           bool with_secret = false) {
  JsonWriter out;
  write_endpoint(out, endpoint, c, with_secret);
  return json_response(status, out.take());
}

FieldError field_error(std::string field, std::string msg, const char* type = "value_error") {
  return {{std::string("body"), std::move(field)}, std::move(msg), type};
}

Response no_webhooks() {
  return error_response(ApiError::not_found, "This store does not keep webhooks yet");
}

Response no_endpoint(const std::string& id) {
  return error_response(ApiError::not_found, "No webhook endpoint " + id.substr(0, 64));
}

// Reads the fields present into `endpoint`; `required` for creation.
std::vector<FieldError> read_fields(const JsonNode& body, WebhookEndpoint& endpoint, bool required,
                                    bool allow_private) {
  std::vector<FieldError> problems;
  for (const auto& key : body.keys) {
    if (key != "url" && key != "eventos" && key != "descripcion" &&
        (required || key != "desactivado")) {
      problems.push_back(field_error(key.substr(0, 64), "is not a field of a webhook endpoint",
                                     "extra_forbidden"));
    }
  }
  if (const auto* url = body.find("url")) {
    if (url->kind != JsonNode::Kind::string) {
      problems.push_back(field_error("url", "must be a string", "type_error"));
    } else {
      const auto parsed = webhook::parse_target(url->text, allow_private);
      if (const auto* problem = std::get_if<std::string>(&parsed)) {
        problems.push_back(field_error("url", "must be a valid URL: " + *problem));
      } else {
        endpoint.url = url->text;
      }
    }
  } else if (required) {
    problems.push_back(field_error("url", "a string is required"));
  }
  if (const auto* events = body.find("eventos")) {
    std::uint8_t bits = 0;
    bool bad = events->kind != JsonNode::Kind::array || events->children.empty();
    for (const auto& event : events->children) {
      const auto parsed =
          event.kind == JsonNode::Kind::string ? parse_webhook_event(event.text) : std::nullopt;
      if (!parsed) {
        bad = true;
        break;
      }
      bits |= static_cast<std::uint8_t>(*parsed);
    }
    if (bad) {
      std::string names;
      for (const auto name : webhook_event_names())
        names += (names.empty() ? "" : ", ") + std::string(name);
      problems.push_back(field_error("eventos", "must be a non-empty list of: " + names));
    } else {
      endpoint.events = bits;
    }
  } else if (required) {
    problems.push_back(field_error("eventos", "a list of event types is required"));
  }
  if (const auto* description = body.find("descripcion")) {
    if (description->kind != JsonNode::Kind::string) {
      problems.push_back(field_error("descripcion", "must be a string", "type_error"));
    } else if (description->text.size() > kMaxWebhookDescriptionBytes) {
      problems.push_back(
          field_error("descripcion",
                      "must be at most " + std::to_string(kMaxWebhookDescriptionBytes) + " bytes"));
    } else {
      endpoint.description = description->text;
    }
  }
  if (const auto* disabled = body.find("desactivado"); disabled && !required) {
    if (disabled->kind != JsonNode::Kind::boolean) {
      problems.push_back(field_error("desactivado", "must be true or false", "type_error"));
    } else {
      endpoint.disabled = disabled->boolean;
    }
  }
  return problems;
}

}  // namespace

Response get_webhooks(Services& s) {
  if (!s.webhooks) return no_webhooks();
  JsonWriter out;
  out.begin_object().key("webhooks").begin_array();
  for (const auto& endpoint : s.webhooks->list_webhooks()) {
    write_endpoint(out, endpoint, s.calendar, false);
  }
  out.end_array().end_object();
  return json_response(200, out.take());
}

Response post_webhook(Services& s, const Request& request) {
  Response error;
  auto body = read_json_object(request, error);
  if (!body) return error;
  WebhookEndpoint endpoint;
  const auto problems = read_fields(*body, endpoint, true, s.webhook_allow_private);
  if (!problems.empty()) return validation_response(problems);
  if (!s.webhooks) return no_webhooks();
  endpoint.id = webhook::new_endpoint_id();
  endpoint.secret = webhook::new_secret();
  endpoint.created_at = s.clock.now();
  if (!s.webhooks->create_webhook(endpoint)) {
    auto refused =
        error_response(ApiError::conflict, "At most " + std::to_string(kMaxWebhookEndpoints) +
                                               " webhook endpoints can be registered");
    refused.warning = "conflict: webhook endpoints at their limit";
    return refused;
  }
  return endpoint_response(201, endpoint, s.calendar, true);
}

Response get_webhook(Services& s, const std::string& id) {
  if (!s.webhooks) return no_webhooks();
  const auto endpoint = s.webhooks->find_webhook(id);
  if (!endpoint) return no_endpoint(id);
  return endpoint_response(200, *endpoint, s.calendar);
}

Response patch_webhook(Services& s, const std::string& id, const Request& request) {
  Response error;
  auto body = read_json_object(request, error);
  if (!body) return error;
  if (!s.webhooks) return no_webhooks();
  auto endpoint = s.webhooks->find_webhook(id);
  if (!endpoint) return no_endpoint(id);
  const auto problems = read_fields(*body, *endpoint, false, s.webhook_allow_private);
  if (!problems.empty()) return validation_response(problems);
  if (!s.webhooks->update_webhook(*endpoint)) return no_endpoint(id);
  return endpoint_response(200, *endpoint, s.calendar);
}

Response delete_webhook(Services& s, const std::string& id) {
  if (!s.webhooks) return no_webhooks();
  if (!s.webhooks->delete_webhook(id)) return no_endpoint(id);
  Response gone;
  gone.status = 204;
  gone.content_type.clear();
  return gone;
}

Response get_parked_deliveries(Services& s, const std::string& id) {
  if (!s.webhooks) return no_webhooks();
  if (!s.webhooks->find_webhook(id)) return no_endpoint(id);
  JsonWriter out;
  out.begin_object().key("aparcados").begin_array();
  for (const auto& parked : s.webhooks->parked_deliveries(id, kParkedListed)) {
    out.begin_object()
        .key("entrega")
        .string(parked.delivery_id)
        .key("intentos")
        .number(parked.attempts)
        .key("ultimo_error")
        .string(parked.last_error)
        .key("aparcado")
        .string(s.calendar.format(parked.parked_at))
        .key("reenvio_pedido")
        .boolean(parked.replay_requested)
        .key("cuerpo")
        .string(parked.payload)
        .end_object();
  }
  out.end_array().end_object();
  return json_response(200, out.take());
}

Response post_replay(Services& s, const std::string& id, const std::string& delivery_id) {
  if (!s.webhooks) return no_webhooks();
  if (!s.webhooks->request_replay(id, delivery_id)) {
    return error_response(ApiError::not_found, "No parked delivery " + delivery_id.substr(0, 96) +
                                                   " for endpoint " + id.substr(0, 64));
  }
  // Sent by the deliverer at its next round; the list shows how it went.
  return json_response(202, R"({"detail":"The delivery will be sent again"})");
}

}  // namespace cargomon::api
