// Every kind of bad input gets a 4xx whose message names the problem, nothing
// is stored, and the server stays healthy. One table, one server.

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

struct Case {
  const char* name;
  std::string method;
  std::string target;
  std::string body;
  std::string content_type;
  int status;
  std::string message;  // a fragment the answer's detail must contain
};

const std::string kProducts = R"("productos":[{"IdProducto":"p1","producto":"Moneda","precio":1}])";
const std::string kCourier = R"("repartidor":{"IdRepartidor":1,"Nombre":"Ana"})";

std::string order(const std::string& fields) { return "{" + fields + "}"; }
std::string with(const std::string& extra) {
  return order(R"("pedido_id":"bad-1",)" + kCourier + "," + kProducts + extra);
}
std::string product(const std::string& line) {
  return order(R"("pedido_id":"bad-1",)" + kCourier + R"(,"productos":[)" + line + "]");
}

std::vector<Case> cases() {
  const std::string post = "POST";
  const std::string path = "/registrar_pedido_entregado";
  const std::string json = "application/json";
  std::vector<Case> c = {
      {"empty body", post, path, "", json, 400, "Body is empty"},
      {"not json", post, path, "hello", json, 400, "not valid JSON"},
      {"truncated json", post, path, R"({"pedido_id":"x")", json, 400, "not valid JSON"},
      {"trailing comma", post, path, R"({"pedido_id":"x",})", json, 400, "not valid JSON"},
      {"duplicate key", post, path, R"({"pedido_id":"a","pedido_id":"b"})", json, 400,
       "duplicate key \"pedido_id\""},
      {"deep nesting", post, path, std::string(200, '[') + std::string(200, ']'), json, 400,
       "nested deeper"},
      {"invalid utf-8", post, path, "{\"pedido_id\":\"\xff\xfe\"}", json, 400, "not valid JSON"},
      {"NaN literal", post, path, product(R"({"IdProducto":"p","producto":"x","precio":NaN})"),
       json, 400, "not valid JSON"},
      {"text/plain", post, path, with(""), "text/plain", 415, "application/json"},
      {"form encoded", post, path, "a=b", "application/x-www-form-urlencoded", 415,
       "application/json"},
      {"array body", post, path, "[]", json, 422, "must be a JSON object"},
      {"string body", post, path, "\"pedido\"", json, 422, "must be a JSON object"},
      {"missing pedido_id", post, path, order(kCourier + "," + kProducts), json, 422,
       "[\"body\",\"pedido_id\"] field required"},
      {"empty pedido_id", post, path, order(R"("pedido_id":"",)" + kCourier + "," + kProducts),
       json, 422, "must not be empty"},
      {"numeric pedido_id", post, path, order(R"("pedido_id":12345,)" + kCourier + "," + kProducts),
       json, 422, "must be a string, not a number"},
      {"long pedido_id", post, path,
       order(R"("pedido_id":")" + std::string(129, 'x') + R"(",)" + kCourier + "," + kProducts),
       json, 422, "at most 128 characters"},
      {"missing repartidor", post, path, order(R"("pedido_id":"bad-1",)" + kProducts), json, 422,
       "[\"body\",\"repartidor\"] field required"},
      {"repartidor not object", post, path,
       order(R"("pedido_id":"bad-1","repartidor":"Ana",)" + kProducts), json, 422,
       "must be an object"},
      {"courier id float", post, path,
       order(R"("pedido_id":"bad-1","repartidor":{"IdRepartidor":1.5,"Nombre":"A"},)" + kProducts),
       json, 422, "non-negative integer or a string"},
      {"courier id negative", post, path,
       order(R"("pedido_id":"bad-1","repartidor":{"IdRepartidor":-3,"Nombre":"A"},)" + kProducts),
       json, 422, "non-negative integer or a string"},
      {"courier id bool", post, path,
       order(R"("pedido_id":"bad-1","repartidor":{"IdRepartidor":true,"Nombre":"A"},)" + kProducts),
       json, 422, "IdRepartidor"},
      {"missing courier name", post, path,
       order(R"("pedido_id":"bad-1","repartidor":{"IdRepartidor":1},)" + kProducts), json, 422,
       "[\"body\",\"repartidor\",\"Nombre\"] field required"},
      {"blank courier name", post, path,
       order(R"("pedido_id":"bad-1","repartidor":{"IdRepartidor":1,"Nombre":"   "},)" + kProducts),
       json, 422, "must not be blank"},
      {"control char in name", post, path,
       order(R"("pedido_id":"bad-1","repartidor":{"IdRepartidor":1,"Nombre":"A\u0000B"},)" +
             kProducts),
       json, 422, "control characters"},
      {"missing productos", post, path, order(R"("pedido_id":"bad-1",)" + kCourier), json, 422,
       "[\"body\",\"productos\"] field required"},
      {"empty productos", post, path,
       order(R"("pedido_id":"bad-1",)" + kCourier + R"(,"productos":[])"), json, 422,
       "at least one product"},
      {"productos not array", post, path,
       order(R"("pedido_id":"bad-1",)" + kCourier + R"(,"productos":{"a":1})"), json, 422,
       "must be an array"},
      {"product not object", post, path, product("42"), json, 422,
       "[\"body\",\"productos\",0] must be an object"},
      {"missing precio", post, path, product(R"({"IdProducto":"p","producto":"x"})"), json, 422,
       "[\"body\",\"productos\",0,\"precio\"] field required"},
      {"negative precio", post, path, product(R"({"IdProducto":"p","producto":"x","precio":-1})"),
       json, 422, "must not be negative"},
      {"precio three decimals", post, path,
       product(R"({"IdProducto":"p","producto":"x","precio":1.005})"), json, 422,
       "at most 2 decimals"},
      {"precio as string", post, path, product(R"({"IdProducto":"p","producto":"x","precio":"1"})"),
       json, 422, "must be a number >= 0"},
      {"precio null", post, path, product(R"({"IdProducto":"p","producto":"x","precio":null})"),
       json, 422, "must be a number >= 0"},
      {"precio huge", post, path, product(R"({"IdProducto":"p","producto":"x","precio":1e400})"),
       json, 422, "not be above"},
      {"precio 1e-7", post, path, product(R"({"IdProducto":"p","producto":"x","precio":1e-7})"),
       json, 422, "at most 2 decimals"},
      {"missing product name", post, path, product(R"({"IdProducto":"p","precio":1})"), json, 422,
       "[\"body\",\"productos\",0,\"producto\"] field required"},
      {"long product name", post, path,
       product(R"({"IdProducto":"p","producto":")" + std::string(201, 'n') + R"(","precio":1})"),
       json, 422, "at most 200 characters"},
      {"cantidad zero", post, path,
       product(R"({"IdProducto":"p","producto":"x","precio":1,"cantidad":0})"), json, 422,
       "from 1 to 10000"},
      {"cantidad fraction", post, path,
       product(R"({"IdProducto":"p","producto":"x","precio":1,"cantidad":1.5})"), json, 422,
       "from 1 to 10000"},
      {"too many lines", post, path,
       [] {
         std::string lines;
         for (int i = 0; i < 1001; ++i) {
           lines += std::string(i ? "," : "") + R"({"IdProducto":"p","producto":"x","precio":1})";
         }
         return product(lines);
       }(),
       json, 422, "at most 1000 products"},
      {"order total too large", post, path,
       [] {
         std::string lines;
         for (int i = 0; i < 200; ++i) {
           lines += std::string(i ? "," : "") +
                    R"({"IdProducto":"p","producto":"x","precio":100000000})";
         }
         return product(lines);
       }(),
       json, 422, "order total must not be above"},
      {"timestamp words", post, path, with(R"(,"timestamp":"yesterday")"), json, 422,
       "[\"body\",\"timestamp\"]"},
      {"timestamp bad date", post, path, with(R"(,"timestamp":"2024-02-30 10:00:00")"), json, 422,
       "valid date"},
      {"timestamp number", post, path, with(R"(,"timestamp":1726131058)"), json, 422,
       "must be a string"},
      {"timestamp far future", post, path, with(R"(,"timestamp":"2999-01-01 00:00:00")"), json, 422,
       "timestamp"},
      {"timestamp bad offset", post, path, with(R"(,"timestamp":"2024-09-12T10:00:00+25:00")"),
       json, 422, "timestamp"},
      {"several errors at once", post, path,
       order(R"("pedido_id":"","repartidor":{},"productos":[])"), json, 422,
       "[\"body\",\"repartidor\",\"IdRepartidor\"] field required"},
      {"limit zero", "GET", "/pedidos?limit=0", "", "", 400,
       "limit must be an integer from 1 to 1000"},
      {"limit too big", "GET", "/pedidos?limit=5000", "", "", 400, "limit must be"},
      {"limit text", "GET", "/pedidos?limit=ten", "", "", 400, "limit must be"},
      {"bad cursor", "GET", "/pedidos?cursor=xyz", "", "", 400, "cursor"},
      {"bad fecha", "GET", "/pedidos?fecha=12-09-2024", "", "", 400, "fecha must be a date"},
      {"bad desde", "GET", "/pedidos?desde=ayer", "", "", 400, "desde must be a timestamp"},
      {"metrics bad fecha", "GET", "/metrics?fecha=2024-13-01", "", "", 400,
       "fecha must be a date"},
      {"token not json", post, "/token", "username=admin", json, 400, "not valid JSON"},
      {"token missing password", post, "/token", R"({"username":"admin"})", json, 422,
       "[\"body\",\"password\"] field required"},
      {"token number username", post, "/token", R"({"username":1,"password":"x"})", json, 422,
       "must be a string"},
      {"unknown path", "GET", "/nope/nope", "", "", 404, "Not Found"},
      {"wrong method", "DELETE", "/pedidos", "", "", 405, "Method Not Allowed"},
      {"wrong method on token", "GET", "/token", "", "", 405, "Method Not Allowed"},
      {"user bad role", post, "/usuarios",
       R"({"username":"u1","password":"password1","role":"god"})", json, 422,
       "admin, viewer, courier"},
      {"user short password", post, "/usuarios",
       R"({"username":"u1","password":"short","role":"viewer"})", json, 422, "at least 8"},
      {"user bad name", post, "/usuarios",
       R"({"username":"a b","password":"password1","role":"viewer"})", json, 422, "username"},
      {"last event id text", "GET", "/eventos", "", "", 400, "Last-Event-ID"},
  };
  return c;
}

class BadInput : public ServerTest, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(BadInput, Answers4xxNamingTheProblemStoresNothingAndStaysHealthy) {
  const Case c = cases()[GetParam()];
  std::vector<std::pair<std::string, std::string>> headers{
      {"Authorization", "Bearer " + admin_token()}};
  if (!c.content_type.empty()) headers.emplace_back("Content-Type", c.content_type);
  if (c.name == std::string("last event id text")) headers.emplace_back("Last-Event-ID", "abc");
  const auto before = client().get("/pedidos?limit=1000", admin_token()).body;
  const auto res = client().request(c.method, c.target, c.body, headers);
  EXPECT_EQ(res.status, c.status) << c.name << ": " << res.body;
  EXPECT_NE(res.detail().find(c.message), std::string::npos)
      << c.name << ": expected '" << c.message << "' in " << res.body;
  EXPECT_EQ(client().get("/pedidos?limit=1000", admin_token()).body, before) << c.name;
  EXPECT_EQ(client().get("/healthz").status, 200);

  // The same refusal in Spanish, the users' language: every message
  // translated, the 422's locations and types as they were.
  headers.emplace_back("Accept-Language", "es-CO,es;q=0.9,en;q=0.8");
  const auto spanish = client().request(c.method, c.target, c.body, headers);
  EXPECT_EQ(spanish.status, c.status) << c.name;
  EXPECT_EQ(spanish.header("content-language"), "es") << c.name;
  const auto english_detail = res.json().at("detail");
  const auto spanish_detail = spanish.json().at("detail");
  if (english_detail.is_string()) {
    EXPECT_NE(spanish_detail, english_detail) << c.name << ": not translated: " << res.body;
  } else {
    const auto& en = english_detail.as_array();
    const auto& es = spanish_detail.as_array();
    ASSERT_EQ(es.size(), en.size()) << c.name;
    for (std::size_t i = 0; i < en.size(); ++i) {
      EXPECT_EQ(es[i].at("loc"), en[i].at("loc")) << c.name;
      EXPECT_EQ(es[i].at("type"), en[i].at("type")) << c.name;
      EXPECT_NE(es[i].at("msg"), en[i].at("msg")) << c.name << ": not translated: " << res.body;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInput, ::testing::Range<std::size_t>(0, cases().size()),
                         [](const auto& info) {
                           std::string name = cases()[info.param].name;
                           for (auto& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

class HttpLimits : public ServerTest {};

TEST_F(HttpLimits, AClientThatNamesNoLanguageIsAnsweredInSpanish) {
  const auto answer =
      client().raw("GET /pedidos HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
  EXPECT_NE(answer.find("HTTP/1.1 401"), std::string::npos) << answer;
  EXPECT_NE(answer.find(R"({"detail":"No autenticado"})"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Content-Language: es"), std::string::npos) << answer;
  const auto english =
      client().request("GET", "/pedidos", "", {{"Accept-Language", "en-US,en;q=0.9"}});
  EXPECT_EQ(english.json().at("detail"), "Not authenticated");
  EXPECT_EQ(english.header("content-language"), "en");
}

TEST_F(HttpLimits, BodyOverTheLimitIs413) {
  const auto res =
      client().post_json("/registrar_pedido_entregado",
                         std::string(std::size_t{300} * 1024, ' ') + "{}", admin_token());
  EXPECT_EQ(res.status, 413);
  EXPECT_NE(res.detail().find("262144"), std::string::npos) << res.body;
  EXPECT_EQ(client().get("/healthz").status, 200);
}

TEST_F(HttpLimits, OversizedHeadersAre431) {
  const auto res = client().request("GET", "/healthz", "", {{"X-Big", std::string(20000, 'a')}});
  EXPECT_EQ(res.status, 431);
  EXPECT_EQ(client().get("/healthz").status, 200);
}

TEST_F(HttpLimits, GarbageIsAnswered400AndTheServerCarriesOn) {
  const auto answer = client().raw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_NE(answer.find("400 Bad Request"), std::string::npos) << answer;
  EXPECT_EQ(client().get("/healthz").status, 200);
}

TEST_F(HttpLimits, PipelinedRequestsAreAnsweredInOrder) {
  const auto answer = client().raw(
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto first = answer.find("200 OK");
  const auto second = answer.find("404 Not Found");
  const auto third = answer.find("200 OK", second);
  EXPECT_NE(first, std::string::npos) << answer;
  EXPECT_LT(first, second);
  EXPECT_NE(third, std::string::npos);
}

TEST_F(HttpLimits, PathTraversalNeverLeavesTheWebDirectory) {
  for (const char* target : {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.env",
                             "/..%2fcargomon.db", "/assets/../../data/jwt-secret"}) {
    const auto res = client().get(target);
    EXPECT_EQ(res.status, 404) << target << ": " << res.body;
    EXPECT_EQ(res.body.find("root:"), std::string::npos);
  }
}

TEST_F(HttpLimits, ResponsesCarryHardeningHeadersAndNoCorsForUnknownOrigins) {
  const auto res = client().request(
      "GET", "/metrics", "",
      {{"Authorization", "Bearer " + admin_token()}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(res.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(res.header("referrer-policy"), "no-referrer");
  EXPECT_EQ(res.header("cache-control"), "no-store");
  EXPECT_EQ(res.header("access-control-allow-origin"), "");
}

TEST(CrossOrigin, AnAllowedOriginMayReadRetryAfterAndTheCsvFileName) {
  const TempDir dir;
  ServerProcess::Options options;
  options.data_dir = dir.path() / "data";
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
  options.extra_args = {"--cors-origin", "https://panel.example"};
  ServerProcess server(options);
  HttpClient client(server.port());
  const auto token = client.login("admin", kAdminPassword);
  const auto res =
      client.request("GET", "/metrics", "",
                     {{"Authorization", "Bearer " + token}, {"Origin", "https://panel.example"}});
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(res.header("access-control-allow-origin"), "https://panel.example");
  // Without it a cross-origin page cannot see when to retry a 429 or a 503,
  // nor the request id to quote.
  EXPECT_EQ(res.header("access-control-expose-headers"),
            "Retry-After, RateLimit, RateLimit-Policy, Content-Disposition, X-Request-Id");
  EXPECT_EQ(res.header("x-request-id").size(), 32U);
  const auto other =
      client.request("GET", "/metrics", "",
                     {{"Authorization", "Bearer " + token}, {"Origin", "https://evil.example"}});
  EXPECT_EQ(other.header("access-control-expose-headers"), "");
}

// FastAPI served the original's interactive docs at /docs: the web build's
// docs.html answers there, as a page of the dashboard (same strict CSP).
TEST(WebDirectory, TheApiDocsPageAnswersAtDocsUnderTheDashboardsCsp) {
  const TempDir dir;
  const auto web = dir.path() / "web";
  std::filesystem::create_directories(web);
  const std::string docs = "<!doctype html><title>cargomon API docs</title>";
  std::ofstream(web / "index.html") << "<!doctype html><title>dashboard</title>";
  std::ofstream(web / "docs.html") << docs;
  ServerProcess::Options options;
  options.data_dir = dir.path() / "data";
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
  options.extra_args = {"--web-dir", web.string()};
  ServerProcess server(options);
  HttpClient client(server.port());

  const auto dashboard = client.get("/");
  ASSERT_EQ(dashboard.status, 200) << dashboard.body;
  for (const char* target : {"/docs", "/docs/", "/docs.html"}) {
    const auto res = client.get(target);
    ASSERT_EQ(res.status, 200) << target << ": " << res.body;
    EXPECT_EQ(res.body, docs) << target;
    EXPECT_EQ(res.header("content-type"), "text/html; charset=utf-8") << target;
    const auto csp = res.header("content-security-policy");
    EXPECT_EQ(csp, dashboard.header("content-security-policy")) << target;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  }
  EXPECT_EQ(client.get("/docs/x").status, 404);
}

}  // namespace
}  // namespace cargomon::testing
