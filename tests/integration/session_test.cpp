// Signed-in sessions over HTTP: POST /token with mantener_sesion hands out a
// refresh token; POST /token/renovar rotates it (a rotated one presented
// again revokes the session); POST /token/cerrar ends it; admins list and
// revoke sessions (GET/DELETE /sesiones); a disabled user or a new password
// ends them too.

#include <boost/json.hpp>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

namespace json = boost::json;

struct SignedIn {
  std::string access_token;
  std::string refresh_token;
  std::string session_id;
};

class Sessions : public ServerTest {
 protected:
  static HttpResponse sign_in_raw(const std::string& username, const std::string& password,
                                  const std::string& keep, const std::string& user_agent = "") {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (!user_agent.empty()) headers.emplace_back("User-Agent", user_agent);
    std::string body = R"({"username":")" + username + R"(","password":")" + password + "\"";
    if (!keep.empty()) body += R"(,"mantener_sesion":)" + keep;
    body += "}";
    return client().request("POST", "/token", body, headers);
  }

  static SignedIn sign_in(const std::string& username, const std::string& password,
                          bool keep = true, const std::string& user_agent = "") {
    const auto res = sign_in_raw(username, password, keep ? "true" : "false", user_agent);
    EXPECT_EQ(res.status, 200) << res.body;
    const auto body = res.json().as_object();
    EXPECT_EQ(body.at("mantener_sesion").as_bool(), keep);
    return {std::string(body.at("access_token").as_string()),
            std::string(body.at("refresh_token").as_string()),
            std::string(body.at("sesion_id").as_string())};
  }

  static HttpResponse renew(const std::string& refresh_token) {
    return client().post_json("/token/renovar",
                              json::serialize(json::object{{"refresh_token", refresh_token}}));
  }

  static SignedIn renewed(const std::string& refresh_token) {
    const auto res = renew(refresh_token);
    EXPECT_EQ(res.status, 200) << res.body;
    const auto body = res.json().as_object();
    return {std::string(body.at("access_token").as_string()),
            std::string(body.at("refresh_token").as_string()),
            std::string(body.at("sesion_id").as_string())};
  }

  static std::vector<std::string> listed_ids(const std::string& query = "") {
    const auto res = client().get("/sesiones" + query, admin_token());
    EXPECT_EQ(res.status, 200) << res.body;
    std::vector<std::string> ids;
    const auto listing = res.json();
    for (const auto& session : listing.at("sesiones").as_array()) {
      ids.emplace_back(session.at("id").as_string());
    }
    return ids;
  }

  static bool listed(const std::string& id) {
    const auto ids = listed_ids();
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }
};

TEST_F(Sessions, ASignInWithoutTheChoiceAnswersAsAlwaysWithoutARefreshToken) {
  const auto res = sign_in_raw("admin", kAdminPassword, "");
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = res.json().as_object();
  EXPECT_TRUE(body.contains("access_token"));
  EXPECT_EQ(body.at("token_type").as_string(), "bearer");
  EXPECT_TRUE(body.contains("expires_in"));
  EXPECT_EQ(body.at("role").as_string(), "admin");
  EXPECT_FALSE(body.contains("refresh_token"));
  EXPECT_EQ(body.size(), 4u);
}

TEST_F(Sessions, RenewalRotatesTheRefreshTokenAndGivesAWorkingAccessToken) {
  token_for("pantalla1", "viewer");
  const auto first = sign_in("pantalla1", "password-pantalla1", true, "Pantalla/1.0 (bodega)");
  const auto second = renewed(first.refresh_token);
  EXPECT_EQ(second.session_id, first.session_id);
  EXPECT_NE(second.refresh_token, first.refresh_token);
  EXPECT_EQ(client().get("/pedidos", second.access_token).status, 200);
  // The admins' list shows it with who, from where and with what.
  const auto res = client().get("/sesiones?usuario=pantalla1", admin_token());
  ASSERT_EQ(res.status, 200) << res.body;
  const auto listing = res.json();
  const auto& sessions = listing.at("sesiones").as_array();
  ASSERT_EQ(sessions.size(), 1u);
  const auto& session = sessions[0].as_object();
  EXPECT_EQ(session.at("id").as_string(), first.session_id);
  EXPECT_EQ(session.at("usuario").as_string(), "pantalla1");
  EXPECT_EQ(session.at("agente").as_string(), "Pantalla/1.0 (bodega)");
  EXPECT_EQ(session.at("direccion").as_string(), "127.0.0.1");
  EXPECT_TRUE(session.at("mantener_sesion").as_bool());
  EXPECT_FALSE(session.at("creada").as_string().empty());
}

TEST_F(Sessions, ARotatedRefreshTokenPresentedAgainRevokesTheSession) {
  token_for("pantalla2", "viewer");
  const auto first = sign_in("pantalla2", "password-pantalla2");
  const auto second = renewed(first.refresh_token);
  const auto third = renewed(second.refresh_token);
  // `first`, two renewals back, is a copy someone kept.
  const auto reused = renew(first.refresh_token);
  EXPECT_EQ(reused.status, 401) << reused.body;
  EXPECT_NE(reused.detail().find("revoked"), std::string::npos) << reused.body;
  // The screen holding the current one is signed out as well.
  EXPECT_EQ(renew(third.refresh_token).status, 401);
  EXPECT_FALSE(listed(first.session_id));
}

TEST_F(Sessions, ARevokedSessionNoLongerRenews) {
  token_for("pantalla3", "viewer");
  const auto screen = sign_in("pantalla3", "password-pantalla3");
  ASSERT_TRUE(listed(screen.session_id));
  const auto viewer = token_for("mirona", "viewer");
  EXPECT_EQ(client().get("/sesiones", viewer).status, 403);
  EXPECT_EQ(client()
                .request("DELETE", "/sesiones/" + screen.session_id, "",
                         {{"Authorization", "Bearer " + viewer}})
                .status,
            403);
  const auto revoked = client().request("DELETE", "/sesiones/" + screen.session_id, "",
                                        {{"Authorization", "Bearer " + admin_token()}});
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_EQ(renew(screen.refresh_token).status, 401);
  EXPECT_FALSE(listed(screen.session_id));
  const auto again = client().request("DELETE", "/sesiones/" + screen.session_id, "",
                                      {{"Authorization", "Bearer " + admin_token()}});
  EXPECT_EQ(again.status, 404) << again.body;
  EXPECT_EQ(client()
                .request("DELETE", "/sesiones/not-a-session", "",
                         {{"Authorization", "Bearer " + admin_token()}})
                .status,
            404);
}

TEST_F(Sessions, SigningOutEndsTheSession) {
  token_for("pantalla4", "viewer");
  const auto screen = sign_in("pantalla4", "password-pantalla4", false);
  const auto out = client().post_json(
      "/token/cerrar", json::serialize(json::object{{"refresh_token", screen.refresh_token}}));
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(renew(screen.refresh_token).status, 401);
  EXPECT_FALSE(listed(screen.session_id));
  // Again, or with a token of another form of nothing: nothing to do.
  EXPECT_EQ(client()
                .post_json("/token/cerrar",
                           json::serialize(json::object{{"refresh_token", screen.refresh_token}}))
                .status,
            204);
}

TEST_F(Sessions, DisablingTheUserOrChangingThePasswordEndsItsSessions) {
  token_for("pantalla5", "viewer");
  const auto disabled = sign_in("pantalla5", "password-pantalla5");
  ASSERT_EQ(client()
                .request("PATCH", "/usuarios/pantalla5", R"({"disabled":true})",
                         {{"Content-Type", "application/json"},
                          {"Authorization", "Bearer " + admin_token()}})
                .status,
            200);
  EXPECT_EQ(renew(disabled.refresh_token).status, 401);
  EXPECT_FALSE(listed(disabled.session_id));

  token_for("pantalla6", "viewer");
  const auto changed = sign_in("pantalla6", "password-pantalla6");
  ASSERT_EQ(client()
                .request("PATCH", "/usuarios/pantalla6", R"({"password":"another-password-6"})",
                         {{"Content-Type", "application/json"},
                          {"Authorization", "Bearer " + admin_token()}})
                .status,
            200);
  EXPECT_FALSE(listed(changed.session_id));
  const auto refused = renew(changed.refresh_token);
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.detail().find("changed"), std::string::npos) << refused.body;
}

TEST_F(Sessions, BadInputIsRefusedSayingWhatIsWrong) {
  EXPECT_EQ(sign_in_raw("admin", kAdminPassword, R"("yes")").status, 422);
  EXPECT_EQ(client().post_json("/token/renovar", "{}").status, 422);
  EXPECT_EQ(client().post_json("/token/renovar", R"({"refresh_token":5})").status, 422);
  EXPECT_EQ(client().post_json("/token/renovar", "[1]").status, 422);
  const auto malformed = client().post_json("/token/renovar", R"({"refresh_token":"abc"})");
  EXPECT_EQ(malformed.status, 401);
  EXPECT_FALSE(malformed.detail().empty());
  const auto unknown = renew(std::string(32, '0') + "." + std::string(64, '0'));
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(client().post_json("/token/cerrar", "{}").status, 422);
  EXPECT_EQ(client().get("/token/renovar").status, 405);
  EXPECT_EQ(client().get("/sesiones?usuario=no%20such", admin_token()).status, 422);
}

}  // namespace
}  // namespace cargomon::testing
