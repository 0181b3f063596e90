// The real `cargomon lambda` against a stand-in Runtime API on loopback,
// with an SQLite store in a temporary directory: the seed's four API
// Gateway events, payload 2.0 events, bad events, init failures, and the
// same bytes as `serve`.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>
#include <thread>

#include "lambda/lambda_function.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace cargomon::testing {
namespace {

TEST(LambdaRuntime, TheSeedsFourEventsGetTheOriginalsAnswersInShape) {
  LambdaFunction function;
  // /token: {"access_token", "token_type": "bearer"}, as the original
  // answered through Mangum: a REST proxy response, body JSON, not base64.
  const auto login = function.call(token_event());
  EXPECT_EQ(login.at("statusCode"), 200);
  EXPECT_EQ(login.at("isBase64Encoded"), false);
  EXPECT_TRUE(login.at("multiValueHeaders").is_object());
  EXPECT_EQ(login.at("headers").at("Content-Type"), "application/json");
  const auto issued = body_of(login);
  EXPECT_EQ(issued.at("token_type"), "bearer");
  const std::string jwt(issued.at("access_token").as_string());
  ASSERT_FALSE(jwt.empty());

  const auto order =
      function.call(replace_all(seed_event("registrar_pedido_entregado.json"), "<TOKEN>", jwt));
  EXPECT_EQ(order.at("statusCode"), 200) << json::serialize(order);
  const auto registered = body_of(order);
  EXPECT_EQ(registered.at("message"), "Pedido registrado exitosamente");
  EXPECT_EQ(registered.at("pedido").at("pedido_id"), "12345");
  EXPECT_EQ(registered.at("pedido").at("repartidor").at("IdRepartidor"), "101");

  const auto listing = function.call(replace_all(seed_event("pedidos.json"), "<TOKEN>", jwt));
  EXPECT_EQ(listing.at("statusCode"), 200);
  const auto orders = body_of(listing).at("pedidos").as_array();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].at("pedido_id"), "12345");

  const auto metrics = function.call(replace_all(seed_event("metrics.json"), "<TOKEN>", jwt));
  EXPECT_EQ(metrics.at("statusCode"), 200);
  const auto figures = body_of(metrics);
  EXPECT_EQ(figures.at("top_3_productos"), (json::array{json::array{"Moneda", 1}}));
  EXPECT_EQ(figures.at("precio_promedio_por_pedido"), 1);
  EXPECT_EQ(figures.at("acumulado_ventas_dia"), 1);
  EXPECT_TRUE(function.process().running()) << function.output();
}

TEST(LambdaRuntime, PayloadTwoEventsFromAFunctionUrlAndANamedStage) {
  LambdaFunction function;
  const std::string jwt = function.login();
  // A function URL: stage $default, headers in lower case, a base64 body.
  const std::string order_json =
      R"({"pedido_id": "v2-1", "repartidor": {"IdRepartidor": 7, "Nombre": "Ana"},)"
      R"( "productos": [{"IdProducto": "pk0002", "producto": "Tarjeta SIM", "precio": 18.9}]})";
  std::string base64;
  {
    // Encoded by hand (the test does not link libsodium): standard alphabet.
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::size_t i = 0;
    for (; i + 2 < order_json.size(); i += 3) {
      const auto n = (static_cast<unsigned char>(order_json[i]) << 16) |
                     (static_cast<unsigned char>(order_json[i + 1]) << 8) |
                     static_cast<unsigned char>(order_json[i + 2]);
      for (int shift = 18; shift >= 0; shift -= 6) base64 += kAlphabet[(n >> shift) & 63];
    }
    const std::size_t left = order_json.size() - i;
    if (left > 0) {
      unsigned n = static_cast<unsigned char>(order_json[i]) << 16;
      if (left == 2) n |= static_cast<unsigned char>(order_json[i + 1]) << 8;
      base64 += kAlphabet[(n >> 18) & 63];
      base64 += kAlphabet[(n >> 12) & 63];
      base64 += left == 2 ? kAlphabet[(n >> 6) & 63] : '=';
      base64 += '=';
    }
  }
  json::object event{
      {"version", "2.0"},
      {"routeKey", "$default"},
      {"rawPath", "/registrar_pedido_entregado"},
      {"rawQueryString", ""},
      {"headers", {{"authorization", "Bearer " + jwt}, {"content-type", "application/json"}}},
      {"requestContext",
       {{"stage", "$default"}, {"http", {{"method", "POST"}, {"sourceIp", "203.0.113.7"}}}}},
      {"body", base64},
      {"isBase64Encoded", true}};
  const auto stored = function.call(json::serialize(event));
  EXPECT_EQ(stored.at("statusCode"), 200) << json::serialize(stored);
  EXPECT_FALSE(stored.contains("multiValueHeaders"));  // 2.0 has cookies instead
  EXPECT_EQ(body_of(stored).at("pedido").at("productos").at(0).at("precio"), 18.9);

  // An HTTP API stage "prod": its name prefixes rawPath and is stripped.
  json::object listing{{"version", "2.0"},
                       {"rawPath", "/prod/pedidos"},
                       {"rawQueryString", "limit=1"},
                       {"cookies", json::array{"theme=dark"}},
                       {"headers", {{"authorization", "Bearer " + jwt}}},
                       {"requestContext", {{"stage", "prod"}, {"http", {{"method", "GET"}}}}},
                       {"isBase64Encoded", false}};
  const auto page = function.call(json::serialize(listing));
  EXPECT_EQ(page.at("statusCode"), 200) << json::serialize(page);
  EXPECT_EQ(body_of(page).at("pedidos").at(0).at("pedido_id"), "v2-1");
}

TEST(LambdaRuntime, BadEventsAreAnsweredAndTheLoopKeepsServing) {
  LambdaFunction function;
  const auto garbage = function.answer("{this is not json");
  EXPECT_EQ(garbage.kind, "error");
  EXPECT_EQ(garbage.headers.at("lambda-runtime-function-error-type"), "Runtime.MalformedEvent");
  const auto error = json::parse(garbage.body);
  EXPECT_EQ(error.at("errorType"), "Runtime.MalformedEvent");
  EXPECT_FALSE(error.at("errorMessage").as_string().empty());

  const auto scheduled = function.answer(R"({"source": "aws.events", "detail-type": "x"})");
  EXPECT_EQ(scheduled.kind, "error");
  EXPECT_EQ(json::parse(scheduled.body).at("errorType"), "Runtime.UnknownEvent");

  // A REST event without a path: a 400 proxy response, in the REST shape.
  const auto no_path = function.call(R"({"httpMethod": "GET", "headers": {}})");
  EXPECT_EQ(no_path.at("statusCode"), 400);
  EXPECT_TRUE(body_of(no_path).at("detail").is_string());

  // An order body that is not JSON: the API's own 400, through the Router.
  const auto bad_body = function.call(
      R"({"httpMethod": "POST", "path": "/registrar_pedido_entregado",
          "headers": {"Content-Type": "application/json", "Authorization": "Bearer x"},
          "body": "{"})");
  EXPECT_EQ(bad_body.at("statusCode").as_int64() / 100, 4);

  const auto health = function.call(R"({"httpMethod": "GET", "path": "/healthz"})");
  EXPECT_EQ(health.at("statusCode"), 200);
  EXPECT_TRUE(function.process().running()) << function.output();
}

TEST(LambdaRuntime, ASecretPerEnvironmentIsAnInitErrorThatSaysWhatToSet) {
  LambdaFunction function(Env{{"CARGOMON_JWT_SECRET", ""}});
  const auto post = function.runtime().wait_init_error(in(30s));
  ASSERT_TRUE(post) << function.output();
  EXPECT_EQ(post->headers.at("lambda-runtime-function-error-type"), "Cargomon.InvalidSettings");
  const auto body = json::parse(post->body);
  EXPECT_EQ(body.at("errorType"), "Cargomon.InvalidSettings");
  EXPECT_NE(std::string(body.at("errorMessage").as_string()).find("CARGOMON_JWT_SECRET"),
            std::string::npos);
  EXPECT_EQ(function.process().wait_exit(in(30s)), 1);
  EXPECT_EQ(function.runtime().next_calls(), 0u);
}

TEST(LambdaRuntime, AStoreThatCannotOpenIsAnInitError) {
  LambdaFunction function(Env{{"CARGOMON_STORE", "nosuchstore://x"}});
  const auto post = function.runtime().wait_init_error(in(30s));
  ASSERT_TRUE(post) << function.output();
  EXPECT_EQ(json::parse(post->body).at("errorType"), "Cargomon.InitFailed");
  EXPECT_EQ(function.process().wait_exit(in(30s)), 1);
}

TEST(LambdaRuntime, ASettingThatDoesNotParseIsAnInitErrorToo) {
  LambdaFunction function(Env{{"CARGOMON_TOKEN_TTL", "half an hour"}});
  const auto post = function.runtime().wait_init_error(in(30s));
  ASSERT_TRUE(post) << function.output();
  const auto body = json::parse(post->body);
  EXPECT_EQ(body.at("errorType"), "Cargomon.InvalidSettings");
  EXPECT_NE(std::string(body.at("errorMessage").as_string()).find("token-ttl"), std::string::npos)
      << post->body;
  EXPECT_NE(function.process().wait_exit(in(30s)), 0);
}

// The function's stdout lines that are JSON objects with `key`.
std::vector<json::object> json_lines_with(const std::string& output, const std::string& key) {
  std::vector<json::object> found;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    boost::system::error_code ec;
    auto value = json::parse(line, ec);
    if (!ec && value.is_object() && value.as_object().contains(key)) {
      found.push_back(std::move(value.as_object()));
    }
  }
  return found;
}

TEST(LambdaRuntime, EachInvocationEndsWithAnEmfLineAndLogLinesAreJson) {
  LambdaFunction function;
  const std::string jwt = function.login();
  function.call(replace_all(seed_event("registrar_pedido_entregado.json"), "<TOKEN>", jwt));
  function.call(replace_all(seed_event("metrics.json"), "<TOKEN>", "not-a-token"));
  function.answer("][");
  // Written just after each answer is posted: poll for the fourth.
  const auto deadline = in(30s);
  std::vector<json::object> emf;
  while (emf.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    emf = json_lines_with(function.output(), "_aws");
    std::this_thread::sleep_for(5ms);  // poll interval
  }
  ASSERT_EQ(emf.size(), 4u) << function.output();
  EXPECT_EQ(emf[1].at("outcome"), "accepted");
  EXPECT_EQ(emf[1].at("cargomon_orders_total"), 1);
  EXPECT_GT(emf[1].at("cargomon_store_duration_seconds").as_double(), 0.0);
  EXPECT_EQ(emf[2].at("cargomon_auth_failures_total"), 1);
  EXPECT_EQ(emf[3].at("error_type"), "Runtime.MalformedEvent");
  for (const auto& line : emf)
    EXPECT_TRUE(line.at("requestId").as_string().starts_with("8476a536"));
  // What spdlog logs is JSON too (the start-up line at least).
  const auto logs = json_lines_with(function.output(), "timestamp");
  ASSERT_FALSE(logs.empty()) << function.output();
  EXPECT_NE(logs[0].at("message").as_string().find("ready"), std::string::npos);
}

// CARGOMON_LOG_LEVEL (--log-level) as for serve: at warn the start-up line
// (info) is not written, while the invocations' EMF lines, metrics rather
// than log, always are.
TEST(LambdaRuntime, TheLogLevelIsTheOperatorsChoice) {
  LambdaFunction function(Env{{"CARGOMON_LOG_LEVEL", "warn"}});
  function.login();
  function.answer("][");
  const auto deadline = in(30s);
  std::vector<json::object> emf;
  while (emf.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    emf = json_lines_with(function.output(), "_aws");
    std::this_thread::sleep_for(5ms);  // poll interval
  }
  ASSERT_EQ(emf.size(), 2u) << function.output();
  const auto logs = json_lines_with(function.output(), "timestamp");
  for (const auto& line : logs) {
    EXPECT_NE(line.at("level"), "info") << function.output();
  }
  EXPECT_EQ(function.output().find("cargomon lambda ready"), std::string::npos);
}

// One code path: the Router answers `serve` and `lambda` with the same bytes.
TEST(LambdaRuntime, TheSameBytesAsServe) {
  TempDir serve_dir;
  ServerProcess::Options options;
  options.data_dir = serve_dir.path() / "data";
  options.env = {{"CARGOMON_JWT_SECRET", kSecret}, {"CARGOMON_ADMIN_PASSWORD", kPassword}};
  ServerProcess server(options);
  HttpClient client(server.port());
  LambdaFunction function;
  for (const std::string path : {"/openapi.json", "/metrics", "/nowhere"}) {
    const auto served = client.get(path);
    // With the language the test client asks for (it speaks English).
    const auto proxied = function.call(json::serialize(json::object{
        {"httpMethod", "GET"}, {"path", path}, {"headers", {{"Accept-Language", "en"}}}}));
    EXPECT_EQ(proxied.at("statusCode"), served.status) << path;
    EXPECT_EQ(proxied.at("body").as_string(), served.body) << path;
    EXPECT_EQ(proxied.at("headers").at("Content-Type").as_string(), served.header("content-type"))
        << path;
  }
}

}  // namespace
}  // namespace cargomon::testing
