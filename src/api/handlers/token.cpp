// POST /token: username and password for a bearer token.

#include <chrono>
#include <memory>
#include <variant>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "auth/password.hpp"
#include "metrics/metrics.hpp"

namespace cargomon::api {
namespace {

// Checked against when the user does not exist, so that an unknown user
// costs as much time as a wrong password and usernames cannot be probed.
const std::string& decoy_hash() {
  static const std::string hash = auth::hash_password("cargomon-decoy-password");
  return hash;
}

// What a session keeps of the sign-in's request: the rest is not copied
// into the queued work.
Request session_request_of(const Request& request) {
  Request kept;
  kept.client_address = request.client_address;
  kept.user_agent = request.user_agent.substr(0, StoredSession::kMaxUserAgentBytes);
  return kept;
}

}  // namespace

void post_token(Services& s, const Request& request, Respond respond) {
  Response error;
  auto body = read_json_body(request, error);
  if (!body) return respond(std::move(error));
  std::vector<FieldError> problems;
  const auto string_field = [&](const char* name) -> std::string {
    const JsonNode* node = body->kind == JsonNode::Kind::object ? body->find(name) : nullptr;
    if (!node) {
      problems.push_back(
          {{std::string("body"), std::string(name)}, "field required", "value_error.missing"});
    } else if (node->kind != JsonNode::Kind::string) {
      problems.push_back(
          {{std::string("body"), std::string(name)}, "must be a string", "type_error"});
    } else if (node->text.size() > 1024) {
      problems.push_back(
          {{std::string("body"), std::string(name)}, "must be at most 1024 bytes", "value_error"});
    } else {
      return node->text;
    }
    return {};
  };
  std::string username = string_field("username");
  std::string password = string_field("password");
  // Optional: asked for, a session with a refresh token (true: for weeks,
  // a wall screen; false: for a working day in one tab). Clients of the
  // original send nothing and get the answer they always had.
  std::optional<bool> keep_signed_in;
  if (const JsonNode* keep =
          body->kind == JsonNode::Kind::object ? body->find("mantener_sesion") : nullptr) {
    if (keep->kind == JsonNode::Kind::boolean) {
      keep_signed_in = keep->boolean;
    } else if (keep->kind != JsonNode::Kind::null) {
      problems.push_back({{std::string("body"), std::string("mantener_sesion")},
                          "must be true or false",
                          "type_error"});
    }
  }
  if (!problems.empty()) return respond(validation_response(problems));

  // Admitted before the check runs, so that concurrent guesses count as they
  // arrive, not only once Argon2 has finished with them.
  auto admitted = s.throttle.begin(username, request.client_address);
  if (const auto* wait = std::get_if<std::chrono::seconds>(&admitted)) {
    if (s.metrics) s.metrics->login(metrics::LoginOutcome::throttled);
    auto response =
        error_response(ApiError::too_many_requests, "Too many failed logins; try again in " +
                                                        std::to_string(wait->count()) + " seconds");
    response.header("Retry-After", std::to_string(wait->count()));
    response.warning = "login throttled: too many failed logins";
    response.user = username;
    respond(std::move(response));
    // On a store thread, never this network one; at most one entry per
    // account and address per window (AuditRecorder), and none when the
    // store threads are full: a flood must not grow the trail or a queue.
    if (s.audit) {
      const std::size_t bytes = username.size() + request.client_address.size() + 256;
      (void)s.store_work.try_post(
          [&s, username, address = request.client_address] {
            s.audit->record_throttled_login(username, address);
          },
          bytes);
    }
    return;
  }
  // Shared: std::function needs a copyable task. Dropped unrun (a full
  // executor), the attempt just stops counting.
  auto attempt = std::make_shared<auth::LoginThrottle::Attempt>(
      std::move(std::get<auth::LoginThrottle::Attempt>(admitted)));

  // Argon2id takes tens of milliseconds by design: off the I/O threads.
  const std::size_t bytes = username.size() + password.size();
  post_answering(s.hashing, respond, "POST /token", bytes,
                 [&s, username = std::move(username), password = std::move(password), attempt,
                  respond, keep_signed_in, session_request = session_request_of(request),
                  address = request.client_address] {
                   const auto user = s.users.find_user(username);
                   const bool password_ok =
                       auth::verify_password(user ? user->password_hash : decoy_hash(), password);
                   const bool valid = password_ok && user && !user->disabled;
                   if (!valid) {
                     attempt->failed();
                     if (s.metrics) s.metrics->login(metrics::LoginOutcome::failed);
                     auto refused = error_response(ApiError::unauthenticated,
                                                   "Incorrect username or password");
                     refused.warning = user ? "login failed" : "login failed: no such user";
                     refused.user = username;
                     respond(std::move(refused));
                     // Failed logins are as many as the throttle lets through per
                     // account and address: each is recorded, off the hashing threads.
                     if (s.audit) {
                       const char* why = !user          ? "usuario desconocido"
                                         : !password_ok ? "credenciales incorrectas"
                                                        : "usuario deshabilitado";
                       (void)s.store_work.try_post(
                           [&s, username, address, why] {
                             s.audit->record(audit_action::login_failed, username, address,
                                             username, {{"motivo", why}});
                           },
                           username.size() + address.size() + 256);
                     }
                     return;
                   }
                   attempt->succeeded();
                   if (s.metrics) s.metrics->login(metrics::LoginOutcome::succeeded);
                   JsonWriter out;
                   out.begin_object()
                       .key("access_token")
                       .string(s.tokens.issue(user->username, user->role, user->token_generation))
                       .key("token_type")
                       .string("bearer")
                       .key("expires_in")
                       .number(s.tokens.ttl().count())
                       .key("role")
                       .string(to_string(user->role));
                   if (keep_signed_in && s.sessions) {
                     start_session(s, session_request, *user, *keep_signed_in, out);
                   }
                   out.end_object();
                   auto issued = json_response(200, out.take());
                   issued.user = user->username;
                   respond(std::move(issued));
                 });
}

}  // namespace cargomon::api
