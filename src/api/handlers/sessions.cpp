// Signed-in sessions: POST /token's refresh token, POST /token/renovar,
// POST /token/cerrar, and the admins' GET /sesiones and DELETE
// /sesiones/{sesion_id}. The rules (rotation, reuse, expiry) are the
// store's (storage/session_store.hpp); here: the wire and the user checks.

#include <map>

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "auth/refresh_token.hpp"

namespace cargomon::api {
namespace {

// Expired sessions deleted per sign-in: bounded, so a sign-in costs the
// same however many screens have gone; sign-ins outnumber expiries.
constexpr std::size_t kPrunedPerSignIn = 16;

std::int64_t seconds_between(Timestamp from, Timestamp to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

std::chrono::seconds lifetime_of(const Services& s, bool keep_signed_in) {
  return keep_signed_in ? s.session_settings.kept_lifetime : s.session_settings.browser_lifetime;
}

// A user agent as kept: at most kMaxUserAgentBytes of printable ASCII (what
// an admin reads in a list, never a way to write into it).
std::string bounded_user_agent(std::string_view sent) {
  std::string kept;
  for (const char c : sent) {
    if (kept.size() >= StoredSession::kMaxUserAgentBytes) break;
    kept.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return kept;
}

void write_session_fields(JsonWriter& out, const std::string& refresh_token,
                          const StoredSession& session, Timestamp now) {
  out.key("refresh_token")
      .string(refresh_token)
      .key("sesion_id")
      .string(session.id)
      .key("sesion_expira_en")
      .number(seconds_between(now, session.expires_at))
      .key("mantener_sesion")
      .boolean(session.keep_signed_in);
}

Response session_ended(std::string detail, std::string warning, std::string user = {}) {
  auto response = error_response(ApiError::unauthenticated, std::move(detail));
  response.warning = std::move(warning);
  response.user = std::move(user);
  return response;
}

// The refresh token of a renewal or logout body, or the answer to send.
std::variant<auth::RefreshToken, Response> read_refresh_token(const Request& request) {
  Response error;
  auto body = read_json_object(request, error);
  if (!body) return error;
  const auto* field = body->find("refresh_token");
  if (!field) {
    return validation_response(
        {{{"body", "refresh_token"}, "field required", "value_error.missing"}});
  }
  if (field->kind != JsonNode::Kind::string) {
    return validation_response({{{"body", "refresh_token"}, "must be a string", "type_error"}});
  }
  auto token = auth::parse_refresh_token(field->text);
  if (!token) {
    return session_ended("Invalid refresh token: not one this server issued",
                         "session refused: malformed refresh token");
  }
  return std::move(*token);
}

// `address`: the client's, which the session shows from now on.
void renew(Services& s, const std::string& address, const auth::RefreshToken& token,
           const Respond& respond) {
  const auto now = s.clock.now();
  const auto session = s.sessions->find_session(token.session_id);
  if (!session || session->revoked || session->expires_at <= now) {
    return respond(session_ended("Session ended or revoked; sign in again",
                                 "session refused: ended, revoked or unknown",
                                 session ? session->username : std::string()));
  }
  // The user as they are now: a password, role or access change since the
  // sign-in (a new token generation) ends the session, as it ends tokens.
  const auto user = s.users.find_user(session->username);
  if (!user || user->disabled || user->token_generation != session->token_generation) {
    s.sessions->revoke_session(session->id, now);
    return respond(session_ended(
        "Session revoked: the user's password, role or access changed since signing in; "
        "sign in again",
        "session refused: the user changed", session->username));
  }
  const auto secret = auth::new_refresh_secret();
  const auto expires_at = now + lifetime_of(s, session->keep_signed_in);
  const auto outcome = s.sessions->rotate_session(
      {session->id, auth::hash_refresh_secret(token.secret), auth::hash_refresh_secret(secret), now,
       expires_at, now - s.session_settings.retry_grace, address});
  if (outcome == RotationOutcome::reused) {
    return respond(session_ended(
        "Refresh token already used: the session is revoked for safety; sign in again",
        "session revoked: a rotated refresh token was presented again", session->username));
  }
  if (outcome == RotationOutcome::gone) {
    return respond(session_ended("Session ended or revoked; sign in again",
                                 "session refused: ended meanwhile", session->username));
  }
  auto renewed = *session;
  renewed.expires_at = expires_at;
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
  write_session_fields(out, auth::RefreshToken{session->id, secret}.text(), renewed, now);
  out.end_object();
  auto answer = json_response(200, out.take());
  answer.user = user->username;
  respond(std::move(answer));
}

void write_listed_session(JsonWriter& out, const Services& s, const StoredSession& session) {
  out.begin_object()
      .key("id")
      .string(session.id)
      .key("usuario")
      .string(session.username)
      .key("creada")
      .string(s.calendar.format(session.created_at))
      .key("ultimo_uso")
      .string(s.calendar.format(session.last_used_at))
      .key("expira")
      .string(s.calendar.format(session.expires_at))
      .key("direccion")
      .string(session.address)
      .key("agente")
      .string(session.user_agent)
      .key("mantener_sesion")
      .boolean(session.keep_signed_in)
      .end_object();
}

Response no_sessions() {
  return error_response(ApiError::not_found, "Sessions are not kept on this server");
}

}  // namespace

void start_session(Services& s, const Request& request, const User& user, bool keep_signed_in,
                   JsonWriter& out) {
  const auto now = s.clock.now();
  s.sessions->prune_sessions(now, kPrunedPerSignIn);
  const auto token = auth::new_refresh_token();
  StoredSession session;
  session.id = token.session_id;
  session.username = user.username;
  session.refresh_hash = auth::hash_refresh_secret(token.secret);
  session.token_generation = user.token_generation;
  session.keep_signed_in = keep_signed_in;
  session.created_at = now;
  session.last_used_at = now;
  session.expires_at = now + lifetime_of(s, keep_signed_in);
  session.address = request.client_address;
  session.user_agent = bounded_user_agent(request.user_agent);
  s.sessions->create_session(session);
  write_session_fields(out, token.text(), session, now);
}

void post_token_renewal(Services& s, const Request& request, Respond respond) {
  if (!s.sessions) return respond(no_sessions());
  auto token = read_refresh_token(request);
  if (auto* refused = std::get_if<Response>(&token)) return respond(std::move(*refused));
  post_answering(s.store_work, respond, "POST /token/renovar", 512,
                 [&s, address = request.client_address, token = std::get<auth::RefreshToken>(token),
                  respond] { renew(s, address, token, respond); });
}

void post_token_logout(Services& s, const Request& request, Respond respond) {
  if (!s.sessions) return respond(no_sessions());
  auto token = read_refresh_token(request);
  if (auto* refused = std::get_if<Response>(&token)) return respond(std::move(*refused));
  post_answering(
      s.store_work, respond, "POST /token/cerrar", 512,
      [&s, token = std::get<auth::RefreshToken>(token), respond] {
        // Only the holder of the session's secret ends it; for
        // anyone else, as for a session already ended, there is
        // nothing to do, and the answer says nothing about it.
        const auto now = s.clock.now();
        const auto session = s.sessions->find_session(token.session_id);
        const auto hash = auth::hash_refresh_secret(token.secret);
        if (session && (hash == session->refresh_hash ||
                        (!session->previous_hash.empty() && hash == session->previous_hash))) {
          s.sessions->revoke_session(session->id, now);
        }
        Response done;
        done.status = 204;
        done.content_type.clear();
        if (session) done.user = session->username;
        respond(std::move(done));
      });
}

Response get_sessions(Services& s, const QueryParams& query) {
  if (!s.sessions) return no_sessions();
  std::string username;
  if (const auto found = query.find("usuario"); found != query.end()) {
    if (!is_valid_username(found->second)) {
      return validation_response({{{"query", "usuario"},
                                   "must be a username (1-64 of A-Z a-z 0-9 . _ @ -)",
                                   "value_error"}});
    }
    username = found->second;
  }
  const auto now = s.clock.now();
  auto sessions = s.sessions->list_sessions(username, now, s.session_settings.max_listed);
  // A session whose user changed since (password, role, access) no longer
  // renews: it is not listed as active. Each user read once.
  std::map<std::string, std::optional<User>, std::less<>> users;
  std::erase_if(sessions, [&](const StoredSession& session) {
    auto found = users.find(session.username);
    if (found == users.end()) {
      found = users.emplace(session.username, s.users.find_user(session.username)).first;
    }
    const auto& user = found->second;
    return !user || user->disabled || user->token_generation != session.token_generation;
  });
  JsonWriter out;
  out.begin_object().key("sesiones").begin_array();
  for (const auto& session : sessions) write_listed_session(out, s, session);
  out.end_array().end_object();
  return json_response(200, out.take());
}

Response delete_session(Services& s, const std::string& session_id) {
  if (!s.sessions) return no_sessions();
  if (!auth::is_session_id(session_id) || !s.sessions->revoke_session(session_id, s.clock.now())) {
    return error_response(ApiError::not_found, "No active session with this id");
  }
  Response done;
  done.status = 204;
  done.content_type.clear();
  return done;
}

}  // namespace cargomon::api
