// GET /usuarios, POST /usuarios, PATCH /usuarios/{username}: admins manage users.

#include "api/errors.hpp"
#include "api/handlers/handlers.hpp"
#include "auth/password.hpp"

namespace cargomon::api {
namespace {

constexpr std::size_t kMinPassword = 8;
constexpr std::size_t kMaxPassword = 1024;

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

FieldError field_error(const char* field, std::string msg, const char* type = "value_error") {
  return {{std::string("body"), std::string(field)}, std::move(msg), type};
}

std::optional<std::string> password_problem(const std::string& password) {
  if (password.size() < kMinPassword) {
    return "must be at least " + std::to_string(kMinPassword) + " characters";
  }
  if (password.size() > kMaxPassword) {
    return "must be at most " + std::to_string(kMaxPassword) + " bytes";
  }
  return std::nullopt;
}

// True when `after` would leave no enabled admin.
bool removes_last_admin(UserStore& users, const User& before, const User& after) {
  const bool was_admin = before.role == Role::admin && !before.disabled;
  const bool is_admin = after.role == Role::admin && !after.disabled;
  if (!was_admin || is_admin) return false;
  std::size_t admins = 0;
  for (const auto& user : users.list_users()) admins += user.role == Role::admin && !user.disabled;
  return admins <= 1;
}

}  // namespace

Response get_users(Services& s) {
  JsonWriter out;
  out.begin_object().key("usuarios").begin_array();
  for (const auto& user : s.users.list_users()) write_user(out, user);
  out.end_array().end_object();
  return json_response(200, out.take());
}

void post_user(Services& s, const Request& request, Respond respond) {
  Response error;
  auto body = read_json_body(request, error);
  if (!body) return respond(std::move(error));
  if (body->kind != JsonNode::Kind::object) {
    return respond(
        validation_response({{{std::string("body")}, "must be a JSON object", "type_error"}}));
  }
  std::vector<FieldError> problems;
  User user;
  const auto* username = body->find("username");
  if (!username || username->kind != JsonNode::Kind::string) {
    problems.push_back(field_error("username", "a string is required"));
  } else if (!is_valid_username(username->text)) {
    problems.push_back(field_error("username", "must be 1 to 64 of A-Z a-z 0-9 . _ @ -"));
  } else {
    user.username = username->text;
  }
  const auto* password = body->find("password");
  std::string clear;
  if (!password || password->kind != JsonNode::Kind::string) {
    problems.push_back(field_error("password", "a string is required"));
  } else if (auto problem = password_problem(password->text)) {
    problems.push_back(field_error("password", *problem));
  } else {
    clear = password->text;
  }
  const auto* role = body->find("role");
  if (!role || role->kind != JsonNode::Kind::string || !parse_role(role->text)) {
    problems.push_back(field_error("role", "must be one of admin, viewer, courier"));
  } else {
    user.role = *parse_role(role->text);
  }
  if (!problems.empty()) return respond(validation_response(problems));

  // Hashing takes tens of milliseconds by design: on its own executor.
  post_answering(s.hashing, respond, "POST /usuarios", clear.size() + user.username.size(),
                 [&s, user = std::move(user), clear = std::move(clear), respond]() mutable {
                   user.password_hash = auth::hash_password(clear);
                   if (s.users.create_user(user) == UserChange::already_exists) {
                     return respond(error_response(ApiError::conflict,
                                                   "User " + user.username + " already exists"));
                   }
                   respond(user_response(201, user));
                 });
}

void patch_user(Services& s, const std::string& username, const Request& request, Respond respond) {
  Response error;
  auto body = read_json_body(request, error);
  if (!body) return respond(std::move(error));
  if (body->kind != JsonNode::Kind::object) {
    return respond(
        validation_response({{{std::string("body")}, "must be a JSON object", "type_error"}}));
  }
  std::vector<FieldError> problems;
  std::optional<std::string> new_password;
  std::optional<Role> new_role;
  std::optional<bool> new_disabled;
  if (const auto* password = body->find("password")) {
    if (password->kind != JsonNode::Kind::string) {
      problems.push_back(field_error("password", "must be a string", "type_error"));
    } else if (auto problem = password_problem(password->text)) {
      problems.push_back(field_error("password", *problem));
    } else {
      new_password = password->text;
    }
  }
  if (const auto* role = body->find("role")) {
    if (role->kind != JsonNode::Kind::string || !parse_role(role->text)) {
      problems.push_back(field_error("role", "must be one of admin, viewer, courier"));
    } else {
      new_role = parse_role(role->text);
    }
  }
  if (const auto* disabled = body->find("disabled")) {
    if (disabled->kind != JsonNode::Kind::boolean) {
      problems.push_back(field_error("disabled", "must be true or false", "type_error"));
    } else {
      new_disabled = disabled->boolean;
    }
  }
  if (!problems.empty()) return respond(validation_response(problems));

  post_answering(
      s.hashing, respond, "PATCH /usuarios/" + username.substr(0, 64),
      username.size() + (new_password ? new_password->size() : 0),
      [&s, username, new_password, new_role, new_disabled, respond] {
        const auto before = s.users.find_user(username);
        if (!before)
          return respond(error_response(ApiError::not_found, "User " + username + " not found"));
        User after = *before;
        if (new_password) after.password_hash = auth::hash_password(*new_password);
        if (new_role) after.role = *new_role;
        if (new_disabled) after.disabled = *new_disabled;
        if (removes_last_admin(s.users, *before, after)) {
          return respond(error_response(ApiError::conflict,
                                        "This would leave no enabled admin; nothing was changed"));
        }
        if (s.users.update_user(after) == UserChange::not_found) {
          return respond(error_response(ApiError::not_found, "User " + username + " not found"));
        }
        respond(user_response(200, after));
      });
}

}  // namespace cargomon::api
