// GET /usuarios, POST /usuarios, PATCH /usuarios/{username}: admins manage
// users; each change goes into the audit trail under the admin's name.

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "auth/password.hpp"
#include "domain/user_service.hpp"
#include "storage/user_directory.hpp"

namespace cargomon::api {
namespace {

// The user service over this server's store: two references, made where it
// is used (on the hashing executor: it hashes passwords).
class Users {
 public:
  explicit Users(Services& s)
      : directory_(s.users), service_(directory_, auth::hash_password, s.clock) {}
  UserService& operator*() { return service_; }
  UserService* operator->() { return &service_; }

 private:
  StoredUserDirectory directory_;
  UserService service_;
};

void write_user(JsonWriter& out, const User& user) {
  out.begin_object()
      .key("username")
      .string(user.username)
      .key("role")
      .string(to_string(user.role))
      .key("disabled")
      .boolean(user.disabled)
      .end_object();
}

Response user_response(int status, const User& user) {
  JsonWriter out;
  write_user(out, user);
  return json_response(status, out.take());
}

FieldError field_error(std::string field, std::string msg, const char* type = "value_error") {
  return {{std::string("body"), std::move(field)}, std::move(msg), type};
}

// What the service refused, as HTTP: a broken policy is a 422 naming the
// fields, a taken name or the last enabled admin a 409.
Response refusal_response(const UserOutcome& outcome) {
  switch (*outcome.error) {
    case UserError::invalid: {
      std::vector<FieldError> errors;
      for (const auto& problem : outcome.problems) {
        errors.push_back(field_error(problem.field, problem.message));
      }
      return validation_response(errors);
    }
    case UserError::not_found:
      return error_response(ApiError::not_found, outcome.detail);
    case UserError::already_exists: {
      auto refused = error_response(ApiError::conflict, outcome.detail);
      refused.warning = "conflict: the user already exists";
      return refused;
    }
    case UserError::last_enabled_admin: {
      auto refused = error_response(ApiError::conflict, outcome.detail);
      refused.warning = "conflict: the last enabled admin must stay";
      return refused;
    }
  }
  return error_response(ApiError::conflict, outcome.detail);
}

Response outcome_response(int status, const UserOutcome& outcome) {
  return outcome.ok() ? user_response(status, outcome.user) : refusal_response(outcome);
}

}  // namespace

Response get_users(Services& s) {
  JsonWriter out;
  out.begin_object().key("usuarios").begin_array();
  for (const auto& user : Users(s)->list()) write_user(out, user);
  out.end_array().end_object();
  return json_response(200, out.take());
}

void post_user(Services& s, const Request& request, const Principal& by, Respond respond) {
  Response error;
  auto body = read_json_object(request, error);
  if (!body) return respond(std::move(error));
  // Every bad field is listed at once: JSON types here, the policies' words
  // from the domain.
  std::vector<FieldError> problems;
  NewUser user;
  const auto* username = body->find("username");
  if (!username || username->kind != JsonNode::Kind::string) {
    problems.push_back(field_error("username", "a string is required"));
  } else if (auto problem = username_problem(username->text)) {
    problems.push_back(field_error("username", *problem));
  } else {
    user.username = username->text;
  }
  const auto* password = body->find("password");
  if (!password || password->kind != JsonNode::Kind::string) {
    problems.push_back(field_error("password", "a string is required"));
  } else if (auto problem = password_problem(password->text)) {
    problems.push_back(field_error("password", *problem));
  } else {
    user.password = password->text;
  }
  const auto* role = body->find("role");
  if (!role || role->kind != JsonNode::Kind::string || !parse_role(role->text)) {
    problems.push_back(field_error("role", std::string(kRoleProblem)));
  } else {
    user.role = *parse_role(role->text);
  }
  if (!problems.empty()) return respond(validation_response(problems));

  // Hashing takes tens of milliseconds by design: on its own executor.
  const std::size_t bytes = user.username.size() + user.password.size();
  post_answering(
      s.hashing, respond, "POST /usuarios", bytes,
      [&s, user = std::move(user), respond, actor = by.username, address = request.client_address] {
        const auto outcome = Users(s)->create(user);
        respond(outcome_response(201, outcome));
        if (outcome.ok() && s.audit) {
          s.audit->record_user_change(actor, address, std::nullopt, outcome.user, false);
        }
      });
}

void patch_user(Services& s, const std::string& username, const Request& request,
                const Principal& by, Respond respond) {
  Response error;
  auto body = read_json_object(request, error);
  if (!body) return respond(std::move(error));
  std::vector<FieldError> problems;
  UserUpdate update;
  if (const auto* password = body->find("password")) {
    if (password->kind != JsonNode::Kind::string) {
      problems.push_back(field_error("password", "must be a string", "type_error"));
    } else if (auto problem = password_problem(password->text)) {
      problems.push_back(field_error("password", *problem));
    } else {
      update.password = password->text;
    }
  }
  if (const auto* role = body->find("role")) {
    if (role->kind != JsonNode::Kind::string || !parse_role(role->text)) {
      problems.push_back(field_error("role", std::string(kRoleProblem)));
    } else {
      update.role = parse_role(role->text);
    }
  }
  if (const auto* disabled = body->find("disabled")) {
    if (disabled->kind != JsonNode::Kind::boolean) {
      problems.push_back(field_error("disabled", "must be true or false", "type_error"));
    } else {
      update.disabled = disabled->boolean;
    }
  }
  if (!problems.empty()) return respond(validation_response(problems));

  post_answering(s.hashing, respond, "PATCH /usuarios/" + username.substr(0, 64),
                 username.size() + 1024,
                 [&s, username, update = std::move(update), respond, actor = by.username,
                  address = request.client_address] {
                   // The last-admin rule is decided by the store, in the
                   // write's transaction.
                   const auto outcome = Users(s)->update(username, update);
                   respond(outcome_response(200, outcome));
                   // Recorded after answering: the change is made either way.
                   if (outcome.ok() && s.audit) {
                     s.audit->record_user_change(actor, address, outcome.before, outcome.user,
                                                 update.password.has_value());
                   }
                 });
}

}  // namespace cargomon::api
