// The audit trail through the real binary: user changes and refused logins
// appear in GET /auditoria (admins only, paged, filtered) and in `cargomon
// audit`, and no entry ever holds a password, a hash or a token.

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

namespace json = boost::json;

class Audit : public ServerTest {
 protected:
  // The trail's entries for `query` (all pages).
  static std::vector<json::object> entries(const std::string& query) {
    std::vector<json::object> all;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      const auto res =
          client().get("/auditoria?limit=500" + query + (cursor.empty() ? "" : "&cursor=" + cursor),
                       admin_token());
      EXPECT_EQ(res.status, 200) << res.body;
      if (res.status != 200) return all;
      const auto body = res.json().as_object();
      for (const auto& entry : body.at("entradas").as_array()) all.push_back(entry.as_object());
      if (body.at("next_cursor").is_null()) return all;
      cursor = std::string(body.at("next_cursor").as_string());
    }
    ADD_FAILURE() << "the trail did not end";
    return all;
  }

  // Entries are written just after the answer, on a store thread: polled
  // for, with a deadline, until `done` holds of them.
  static std::vector<json::object> eventually(
      const std::string& query, const std::function<bool(const std::vector<json::object>&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto found = entries(query);
    while (!done(found) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
      found = entries(query);
    }
    return found;
  }

  static std::size_t count(const std::vector<json::object>& found, const std::string& action,
                           const std::string& subject) {
    std::size_t n = 0;
    for (const auto& entry : found) {
      n += entry.at("accion") == action.c_str() && entry.at("objeto") == subject.c_str();
    }
    return n;
  }
};

TEST_F(Audit, UserChangesAndFailedLoginsAreRecordedWithWhoWhenAndWhereButNoSecret) {
  token_for("aud-ana", "viewer");  // created by admin, password "password-aud-ana"
  ASSERT_EQ(client()
                .request("PATCH", "/usuarios/aud-ana", R"({"disabled":true})",
                         {{"Content-Type", "application/json"},
                          {"Authorization", "Bearer " + admin_token()}})
                .status,
            200);
  ASSERT_EQ(client()
                .request("PATCH", "/usuarios/aud-ana",
                         R"({"disabled":false,"role":"courier","password":"new-secret-pass-1"})",
                         {{"Content-Type", "application/json"},
                          {"Authorization", "Bearer " + admin_token()}})
                .status,
            200);
  ASSERT_EQ(client()
                .post_json("/token", R"({"username":"aud-ana","password":"wrong-secret-xyz"})")
                .status,
            401);

  const auto by_admin = eventually("&usuario=admin", [](const auto& found) {
    return count(found, "usuario.modificado", "aud-ana") == 1;
  });
  EXPECT_EQ(count(by_admin, "usuario.creado", "aud-ana"), 1u);
  EXPECT_EQ(count(by_admin, "usuario.deshabilitado", "aud-ana"), 1u);
  EXPECT_EQ(count(by_admin, "usuario.habilitado", "aud-ana"), 1u);
  EXPECT_EQ(count(by_admin, "usuario.rol_cambiado", "aud-ana"), 1u);
  for (const auto& entry : by_admin) {
    EXPECT_EQ(entry.at("usuario"), "admin");
    EXPECT_EQ(entry.at("direccion"), "127.0.0.1");
    EXPECT_FALSE(entry.at("fecha").as_string().empty());
  }

  const auto failed = eventually("&accion=login.fallido", [](const auto& found) {
    return count(found, "login.fallido", "aud-ana") == 1;
  });
  ASSERT_EQ(count(failed, "login.fallido", "aud-ana"), 1u);
  for (const auto& entry : failed) EXPECT_EQ(entry.at("accion"), "login.fallido");

  const auto all = client().get("/auditoria?limit=500", admin_token());
  ASSERT_EQ(all.status, 200);
  for (const char* secret :
       {"password-aud-ana", "new-secret-pass-1", "wrong-secret-xyz", "argon2", kAdminPassword}) {
    EXPECT_EQ(all.body.find(secret), std::string::npos) << secret << " in " << all.body;
  }
  EXPECT_EQ(all.body.find(admin_token()), std::string::npos);
}

TEST_F(Audit, OnlyAdminsReadTheTrail) {
  EXPECT_EQ(client().get("/auditoria", token_for("aud-viewer", "viewer")).status, 403);
  EXPECT_EQ(client().get("/auditoria", token_for("aud-courier", "courier")).status, 403);
  EXPECT_EQ(client().get("/auditoria").status, 401);
  EXPECT_EQ(client().post_json("/auditoria", "{}", admin_token()).status, 405);
}

TEST_F(Audit, PagesCoverEveryEntryOnceNewestFirst) {
  for (int i = 0; i < 7; ++i) token_for("aud-page" + std::to_string(i), "viewer");
  const auto created = eventually("&accion=usuario.creado", [](const auto& found) {
    return count(found, "usuario.creado", "aud-page6") == 1;
  });
  std::vector<std::string> paged;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    const auto res = client().get(
        "/auditoria?accion=usuario.creado&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor),
        admin_token());
    ASSERT_EQ(res.status, 200) << res.body;
    const auto body = res.json().as_object();
    EXPECT_LE(body.at("entradas").as_array().size(), 2u);
    for (const auto& entry : body.at("entradas").as_array()) {
      paged.emplace_back(entry.at("id").as_string());
    }
    if (body.at("next_cursor").is_null()) break;
    cursor = std::string(body.at("next_cursor").as_string());
  }
  ASSERT_EQ(paged.size(), created.size());
  for (std::size_t i = 0; i < paged.size(); ++i) {
    EXPECT_EQ(paged[i], std::string(created[i].at("id").as_string()));
  }
  EXPECT_EQ(std::set<std::string>(paged.begin(), paged.end()).size(), paged.size());
  // Newest first: every later page's entries are older.
  for (std::size_t i = 1; i < created.size(); ++i) {
    EXPECT_GE(created[i - 1].at("fecha").as_string(), created[i].at("fecha").as_string());
  }
}

TEST_F(Audit, BadParametersAre400AndSayWhat) {
  for (const char* query : {"limit=0", "limit=501", "limit=abc", "cursor=zzz", "desde=ayer",
                            "hasta=2024-13-01", "accion=", "usuario="}) {
    const auto res = client().get(std::string("/auditoria?") + query, admin_token());
    EXPECT_EQ(res.status, 400) << query << ": " << res.body;
    EXPECT_FALSE(res.detail().empty()) << query;
  }
  const auto in_range = client().get(
      "/auditoria?desde=2000-01-01T00:00:00Z&hasta=2000-01-02T00:00:00Z", admin_token());
  ASSERT_EQ(in_range.status, 200);
  EXPECT_TRUE(in_range.json().at("entradas").as_array().empty());
  EXPECT_TRUE(in_range.json().at("next_cursor").is_null());
}

TEST_F(Audit, AThrottledAccountIsRecordedOncePerWindow) {
  token_for("aud-tina", "viewer");
  for (int i = 0; i < 10; ++i) {
    HttpClient fresh(server().port());
    fresh.post_json("/token", R"({"username":"aud-tina","password":"wrong-password"})");
  }
  for (int i = 0; i < 5; ++i) {
    HttpClient fresh(server().port());
    EXPECT_EQ(
        fresh.post_json("/token", R"({"username":"aud-tina","password":"wrong-password"})").status,
        429);
  }
  const auto throttled = eventually("&accion=login.limitado&usuario=aud-tina", [](const auto& f) {
    return count(f, "login.limitado", "aud-tina") >= 1;
  });
  EXPECT_EQ(count(throttled, "login.limitado", "aud-tina"), 1u);
}

TEST_F(Audit, CommandLineChangesAreRecordedAndTheAuditCommandListsThem) {
  const auto data = (dir_->path() / "data").string();
  const auto added = run_cargomon(
      {"user", "add", "aud-cli", "--role", "viewer", "--data-dir", data}, "cli-password-1\n");
  ASSERT_EQ(added.status, 0) << added.output;
  ASSERT_EQ(run_cargomon({"user", "disable", "aud-cli", "--data-dir", data}).status, 0);

  const auto lines =
      run_cargomon({"audit", "--data-dir", data, "--accion", "usuario.creado", "--limit", "1000"});
  ASSERT_EQ(lines.status, 0) << lines.output;
  bool found = false;
  std::size_t start = 0;
  while (start < lines.output.size()) {
    const auto end = lines.output.find('\n', start);
    const auto line = lines.output.substr(start, end - start);
    start = end == std::string::npos ? lines.output.size() : end + 1;
    if (line.empty()) continue;
    const auto entry = json::parse(line).as_object();
    EXPECT_EQ(entry.at("accion"), "usuario.creado");
    if (entry.at("objeto") == "aud-cli") {
      found = true;
      EXPECT_TRUE(entry.at("usuario").as_string().starts_with("cli")) << line;
      EXPECT_EQ(entry.at("direccion"), "");
    }
  }
  EXPECT_TRUE(found) << lines.output;
  EXPECT_EQ(lines.output.find("cli-password-1"), std::string::npos);

  const auto table = run_cargomon({"audit", "--data-dir", data, "--format", "table"});
  ASSERT_EQ(table.status, 0) << table.output;
  EXPECT_TRUE(table.output.starts_with("fecha\taccion\tusuario\tdireccion\tobjeto\tdetalle\n"));
  EXPECT_NE(table.output.find("\tusuario.deshabilitado\t"), std::string::npos) << table.output;

  // The server shows the same trail.
  const auto seen = eventually("&accion=usuario.deshabilitado", [](const auto& found) {
    return count(found, "usuario.deshabilitado", "aud-cli") == 1;
  });
  EXPECT_EQ(count(seen, "usuario.deshabilitado", "aud-cli"), 1u);

  EXPECT_NE(run_cargomon({"audit", "--data-dir", data, "--desde", "ayer"}).status, 0);
}

}  // namespace
}  // namespace cargomon::testing
