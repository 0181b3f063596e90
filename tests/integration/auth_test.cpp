// Authentication and authorization over HTTP: 401 for every kind of bad
// token, 403 for a role that may not, throttled logins, user management.

#include <sodium.h>
#include <sqlite3.h>

#include <boost/json.hpp>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

struct Endpoint {
  const char* method;
  const char* target;
  const char* body;
};

const Endpoint kProtected[] = {
    {"POST", "/registrar_pedido_entregado",
     R"({"pedido_id":"auth-x","repartidor":{"IdRepartidor":1,"Nombre":"A"},"productos":[{"IdProducto":"p","producto":"x","precio":1}]})"},
    {"GET", "/pedidos", ""},
    {"GET", "/pedidos/auth-x", ""},
    {"GET", "/metrics", ""},
    {"GET", "/eventos", ""},
    {"GET", "/usuarios", ""},
    {"POST", "/usuarios", R"({"username":"zed","password":"password-zed","role":"admin"})"},
    {"PATCH", "/usuarios/admin", R"({"role":"viewer"})"},
    {"GET", "/auditoria", ""},
};

std::string base64url(const std::string& in) {
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()),
                    in.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

class Auth : public ServerTest {
 protected:
  HttpResponse call(const Endpoint& e, const std::string& authorization) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    return client().request(e.method, e.target, e.body, headers);
  }
};

TEST_F(Auth, EveryProtectedEndpointAnswers401WithoutAUsableToken) {
  const auto parts_of = [](const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return std::array<std::string, 3>{token.substr(0, a), token.substr(a + 1, b - a - 1),
                                      token.substr(b + 1)};
  };
  const auto p = parts_of(admin_token());
  const std::string alg_none = base64url(R"({"alg":"none","typ":"JWT"})") + "." + p[1] + ".";
  const std::string tampered =
      p[0] + "." + base64url(R"({"sub":"admin","role":"admin","iat":1,"exp":99999999999})") + "." +
      p[2];
  const std::vector<std::string> bad = {"",
                                        "Bearer",
                                        "Basic YWRtaW46YWRtaW4=",
                                        "Bearer not-a-token",
                                        "Bearer " + p[0] + "." + p[1],
                                        "Bearer " + alg_none,
                                        "Bearer " + tampered,
                                        "Bearer " + admin_token() + "x"};
  for (const auto& endpoint : kProtected) {
    for (const auto& authorization : bad) {
      const auto res = call(endpoint, authorization);
      EXPECT_EQ(res.status, 401) << endpoint.method << " " << endpoint.target << " with '"
                                 << authorization << "': " << res.body;
      EXPECT_EQ(res.header("www-authenticate"), "Bearer");
      EXPECT_FALSE(res.detail().empty());
    }
  }
  EXPECT_EQ(client().get("/pedidos/auth-x", admin_token()).status, 404);  // nothing stored
}

TEST_F(Auth, RolesAreEnforcedWith403) {
  const auto viewer = token_for("vera", "viewer");
  const auto courier = token_for("carlos", "courier");
  // Viewer reads, but neither registers orders nor manages users.
  EXPECT_EQ(call(kProtected[0], "Bearer " + viewer).status, 403);
  EXPECT_EQ(call(kProtected[1], "Bearer " + viewer).status, 200);
  EXPECT_EQ(call(kProtected[3], "Bearer " + viewer).status, 200);
  EXPECT_EQ(call(kProtected[5], "Bearer " + viewer).status, 403);
  EXPECT_EQ(call(kProtected[6], "Bearer " + viewer).status, 403);
  EXPECT_EQ(call(kProtected[7], "Bearer " + viewer).status, 403);
  // Courier only registers orders.
  EXPECT_EQ(call(kProtected[0], "Bearer " + courier).status, 200);
  for (int i = 1; i < 8; ++i) {
    const auto res = call(kProtected[i], "Bearer " + courier);
    EXPECT_EQ(res.status, 403) << kProtected[i].target;
    EXPECT_NE(res.detail().find("courier"), std::string::npos) << res.body;
  }
  // A courier cannot promote itself.
  EXPECT_EQ(
      client()
          .request("PATCH", "/usuarios/carlos", R"({"role":"admin"})",
                   {{"Authorization", "Bearer " + courier}, {"Content-Type", "application/json"}})
          .status,
      403);
}

TEST_F(Auth, DisabledUsersTokensStopWorkingAndRoleChangesApplyAtOnce) {
  const auto token = token_for("dora", "viewer");
  EXPECT_EQ(client().get("/metrics", token).status, 200);
  const auto promote = client().request(
      "PATCH", "/usuarios/dora", R"({"role":"courier"})",
      {{"Authorization", "Bearer " + admin_token()}, {"Content-Type", "application/json"}});
  ASSERT_EQ(promote.status, 200) << promote.body;
  // A role change revokes the tokens issued before it; a new one has the new role.
  EXPECT_EQ(client().get("/metrics", token).status, 401);
  const auto as_courier = client().login("dora", "password-dora");
  EXPECT_EQ(client().get("/metrics", as_courier).status, 403);
  const auto disable = client().request(
      "PATCH", "/usuarios/dora", R"({"disabled":true})",
      {{"Authorization", "Bearer " + admin_token()}, {"Content-Type", "application/json"}});
  ASSERT_EQ(disable.status, 200);
  EXPECT_EQ(client().get("/metrics", as_courier).status, 401);
  EXPECT_EQ(
      client().post_json("/token", R"({"username":"dora","password":"password-dora"})").status,
      401);
}

TEST_F(Auth, APasswordChangeRevokesEveryTokenIssuedBefore) {
  const auto first = token_for("pia", "viewer");
  const auto second = client().login("pia", "password-pia");  // another screen
  ASSERT_EQ(client().get("/metrics", first).status, 200);
  const auto changed = client().request(
      "PATCH", "/usuarios/pia", R"({"password":"a brand new passphrase"})",
      {{"Authorization", "Bearer " + admin_token()}, {"Content-Type", "application/json"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  for (const auto& old : {first, second}) {
    const auto refused = client().get("/metrics", old);
    EXPECT_EQ(refused.status, 401);
    EXPECT_NE(refused.detail().find("Token revoked"), std::string::npos) << refused.body;
  }
  // Signing in again at once works: the new token is under the new generation.
  const auto fresh = client().login("pia", "a brand new passphrase");
  EXPECT_EQ(client().get("/metrics", fresh).status, 200);
}

TEST_F(Auth, DisablingThenEnablingAUserDoesNotReviveOldTokens) {
  const auto token = token_for("rita", "courier");
  const auto patch = [&](const char* body) {
    return client()
        .request(
            "PATCH", "/usuarios/rita", body,
            {{"Authorization", "Bearer " + admin_token()}, {"Content-Type", "application/json"}})
        .status;
  };
  ASSERT_EQ(patch(R"({"disabled":true})"), 200);
  ASSERT_EQ(patch(R"({"disabled":false})"), 200);
  const auto order = R"({"pedido_id":"revived-1","repartidor":{"IdRepartidor":1,"Nombre":"A"},)"
                     R"("productos":[{"IdProducto":"p","producto":"x","precio":1}]})";
  EXPECT_EQ(client().post_json("/registrar_pedido_entregado", order, token).status, 401);
  EXPECT_EQ(client().get("/pedidos/revived-1", admin_token()).status, 404);  // nothing stored
  const auto fresh = client().login("rita", "password-rita");
  EXPECT_EQ(client().post_json("/registrar_pedido_entregado", order, fresh).status, 200);
}

TEST_F(Auth, APasswordSetByTheCommandWhileTheServerRunsRevokesOldTokensSoon) {
  const auto data = (dir_->path() / "data").string();
  const auto token = token_for("cli-pat", "viewer");
  ASSERT_EQ(client().get("/metrics", token).status, 200);  // the server now remembers her
  const auto set =
      run_cargomon({"user", "passwd", "cli-pat", "--data-dir", data}, "another passphrase\n");
  ASSERT_EQ(set.status, 0) << set.output;
  // Within the user cache's second (CachedUserStore's unit tests pin it): poll.
  int status = 200;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    status = client().get("/metrics", token).status;
  }
  EXPECT_EQ(status, 401);
  EXPECT_EQ(client().get("/metrics", client().login("cli-pat", "another passphrase")).status, 200);
}

TEST_F(Auth, AnOpenStreamEndsWhenItsUserLosesAccess) {
  const auto token = token_for("vico", "viewer");
  EventReader reader(server().port(), token);
  ASSERT_EQ(reader.status(), 200);
  ASSERT_TRUE(reader.next());  // today's metrics: the stream is open
  const auto disable = client().request(
      "PATCH", "/usuarios/vico", R"({"disabled":true})",
      {{"Authorization", "Bearer " + admin_token()}, {"Content-Type", "application/json"}});
  ASSERT_EQ(disable.status, 200);
  // The feed asks about its streams' users every second: the stream says why
  // it ends, then ends.
  std::optional<EventReader::Event> event;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    event = reader.next(std::chrono::seconds(20));
  } while (event && event->name != "fin" && std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(event) << "the stream ended without saying why, or went on";
  EXPECT_EQ(event->name, "fin");
  EXPECT_EQ(boost::json::parse(event->data).at("reason"), "access revoked");
  EXPECT_FALSE(reader.next(std::chrono::seconds(5))) << "the stream went on after fin";
}

TEST_F(Auth, TheLastAdminCannotBeDemoted) {
  const auto res = client().request(
      "PATCH", "/usuarios/admin", R"({"role":"viewer"})",
      {{"Authorization", "Bearer " + admin_token()}, {"Content-Type", "application/json"}});
  EXPECT_EQ(res.status, 409) << res.body;
  EXPECT_EQ(client().get("/usuarios", admin_token()).status, 200);
}

TEST_F(Auth, TheUserCommandCannotDemoteOrDisableTheLastAdminEither) {
  // The store refuses, so the command obeys the same rule as the API while
  // the server runs beside it.
  const auto data = (dir_->path() / "data").string();
  for (const std::vector<std::string>& change :
       {std::vector<std::string>{"user", "role", "admin", "viewer", "--data-dir", data},
        std::vector<std::string>{"user", "disable", "admin", "--data-dir", data}}) {
    const auto refused = run_cargomon(change);
    EXPECT_NE(refused.status, 0) << refused.output;
    EXPECT_NE(refused.output.find("no enabled admin"), std::string::npos) << refused.output;
  }
  const auto listed = run_cargomon({"user", "list", "--data-dir", data});
  EXPECT_NE(listed.output.find("admin\tadmin\n"), std::string::npos) << listed.output;
  EXPECT_EQ(client().get("/usuarios", admin_token()).status, 200);
}

TEST_F(Auth, LoginAnswersTokenShapeAndRejectsWrongCredentials) {
  const auto ok = client().post_json(
      "/token", std::string(R"({"username":"admin","password":")") + kAdminPassword + R"("})");
  ASSERT_EQ(ok.status, 200);
  const auto body = ok.json();
  EXPECT_EQ(body.at("token_type"), "bearer");
  EXPECT_EQ(body.at("expires_in"), 1800);
  EXPECT_EQ(body.at("role"), "admin");
  const auto wrong = client().post_json("/token", R"({"username":"admin","password":"nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.detail(), "Incorrect username or password");
  const auto unknown = client().post_json("/token", R"({"username":"ghost","password":"nope"})");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.detail(), "Incorrect username or password");
}

TEST_F(Auth, RepeatedFailedLoginsAreThrottledAcrossConnections) {
  token_for("tina", "viewer");
  for (int i = 0; i < 10; ++i) {
    HttpClient fresh(server().port());  // a new connection each time
    EXPECT_EQ(
        fresh.post_json("/token", R"({"username":"tina","password":"wrong-password"})").status,
        401);
  }
  HttpClient fresh(server().port());
  const auto blocked =
      fresh.post_json("/token", R"({"username":"tina","password":"password-tina"})");
  EXPECT_EQ(blocked.status, 429);
  const int retry_after = std::stoi(blocked.header("retry-after"));
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 300);
  // Other accounts are not affected.
  EXPECT_EQ(client()
                .post_json("/token", std::string(R"({"username":"admin","password":")") +
                                         kAdminPassword + R"("})")
                .status,
            200);
}

TEST_F(Auth, UserCommandAddsUsersWithHashedPasswordsWhileTheServerRuns) {
  const auto data = (dir_->path() / "data").string();
  const auto added = run_cargomon(
      {"user", "add", "cli-user", "--role", "courier", "--data-dir", data}, "cli-password-1\n");
  ASSERT_EQ(added.status, 0) << added.output;
  EXPECT_EQ(client().login("cli-user", "cli-password-1").empty(), false);
  const auto short_password =
      run_cargomon({"user", "add", "cli-short", "--data-dir", data}, "short\n");
  EXPECT_NE(short_password.status, 0);
  EXPECT_NE(short_password.output.find("at least 8"), std::string::npos);
  const auto listed = run_cargomon({"user", "list", "--data-dir", data});
  EXPECT_NE(listed.output.find("cli-user\tcourier"), std::string::npos) << listed.output;

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((data + "/cargomon.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT username, password_hash FROM users", -1, &stmt, nullptr);
  int users = 0;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const std::string hash = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
    EXPECT_EQ(hash.find("cli-password-1"), std::string::npos);
    EXPECT_EQ(hash.find(kAdminPassword), std::string::npos);
    ++users;
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_GE(users, 2);
}

TEST_F(Auth, UserDisabledByTheCommandWhileTheServerRunsIsRefusedSoon) {
  const auto data = (dir_->path() / "data").string();
  const auto added = run_cargomon(
      {"user", "add", "cli-viewer", "--role", "viewer", "--data-dir", data}, "cli-password-2\n");
  ASSERT_EQ(added.status, 0) << added.output;
  const auto token = client().login("cli-viewer", "cli-password-2");
  ASSERT_EQ(client().get("/metrics", token).status, 200);  // the server now remembers her
  const auto disabled = run_cargomon({"user", "disable", "cli-viewer", "--data-dir", data});
  ASSERT_EQ(disabled.status, 0) << disabled.output;
  // The server rereads a remembered user after a second (CachedUserStore's
  // unit tests pin the interval); poll rather than wait for it.
  int status = 200;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    status = client().get("/metrics", token).status;
  }
  EXPECT_EQ(status, 401);
}

}  // namespace
}  // namespace cargomon::testing
