// Proxy events to requests and responses back, for the three front doors.

#include "lambda/proxy_event.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace cargomon::lambda {
namespace {

namespace json = boost::json;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CARGOMON_FIXTURES_DIR) + "/seed-events/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ProxyRequest accepted(const std::string& event) {
  auto translation = translate_event(event, {});
  auto* request = std::get_if<ProxyRequest>(&translation);
  if (request == nullptr) {
    ADD_FAILURE() << "not accepted: " << event;
    return {};
  }
  return *request;
}

api::Response rejected(const std::string& event, const EventLimits& limits = {}) {
  auto translation = translate_event(event, limits);
  auto* rejection = std::get_if<Rejected>(&translation);
  if (rejection == nullptr) {
    ADD_FAILURE() << "not rejected: " << event;
    return {};
  }
  return rejection->response;
}

std::string unrecognised(const std::string& event, const EventLimits& limits = {}) {
  auto translation = translate_event(event, limits);
  auto* failure = std::get_if<Unrecognised>(&translation);
  if (failure == nullptr) {
    ADD_FAILURE() << "recognised: " << event;
    return {};
  }
  EXPECT_FALSE(failure->message.empty());
  return failure->error_type;
}

TEST(ProxyEvent, TheSeedsRestEventsBecomeTheirRequests) {
  const auto token = accepted(fixture("token.json"));
  EXPECT_EQ(token.shape.kind, EventKind::rest_v1);
  EXPECT_EQ(token.request.method, "POST");
  EXPECT_EQ(token.request.target, "/token");
  EXPECT_EQ(token.request.content_type, "application/json");
  EXPECT_EQ(token.request.body, R"({"username": "admin", "password": "admin"})");
  EXPECT_EQ(token.request.client_address, "127.0.0.1");

  const auto metrics = accepted(fixture("metrics.json"));
  EXPECT_EQ(metrics.request.method, "GET");
  EXPECT_EQ(metrics.request.target, "/metrics");  // `path` has no stage; requestContext.path has
  EXPECT_EQ(metrics.request.authorization, "Bearer <TOKEN>");
  EXPECT_TRUE(metrics.request.body.empty());

  EXPECT_EQ(accepted(fixture("pedidos.json")).request.target, "/pedidos");
  const auto order = accepted(fixture("registrar_pedido_entregado.json"));
  EXPECT_EQ(order.request.target, "/registrar_pedido_entregado");
  EXPECT_NE(order.request.body.find("María López"), std::string::npos);
}

TEST(ProxyEvent, RestQueryParametersAreEncodedAgainAndHeadersMatchAnyCase) {
  const auto proxy = accepted(R"({
    "httpMethod": "GET", "path": "/pedidos",
    "headers": {"authorization": "Bearer a"},
    "multiValueHeaders": {"AUTHORIZATION": ["Bearer b"], "Last-Event-ID": ["7"]},
    "queryStringParameters": {"limit": "5"},
    "multiValueQueryStringParameters": {"fecha": ["2024-09-12"], "q": ["a b&c"]},
    "body": null, "isBase64Encoded": false})");
  EXPECT_EQ(proxy.request.target, "/pedidos?fecha=2024-09-12&q=a%20b%26c");
  EXPECT_EQ(proxy.request.authorization, "Bearer b");  // multiValueHeaders wins: it has them all
  EXPECT_EQ(proxy.request.last_event_id, "7");
}

TEST(ProxyEvent, PayloadTwoStripsANamedStageAndKeepsTheRawQuery) {
  const auto proxy = accepted(R"({
    "version": "2.0", "rawPath": "/prod/pedidos/abc", "rawQueryString": "limit=2&cursor=x%2By",
    "cookies": ["a=1"], "headers": {"content-type": "application/json", "origin": "https://d"},
    "requestContext": {"stage": "prod", "http": {"method": "POST", "sourceIp": "203.0.113.9"}},
    "body": "eyJhIjoxfQ==", "isBase64Encoded": true})");
  EXPECT_EQ(proxy.shape.kind, EventKind::http_v2);
  EXPECT_EQ(proxy.request.method, "POST");
  EXPECT_EQ(proxy.request.target, "/pedidos/abc?limit=2&cursor=x%2By");
  EXPECT_EQ(proxy.request.body, R"({"a":1})");
  EXPECT_EQ(proxy.request.origin, "https://d");
  EXPECT_EQ(proxy.request.client_address, "203.0.113.9");

  // $default (function URLs, HTTP APIs' default stage) is not in the path.
  const auto url = accepted(R"({"version": "2.0", "rawPath": "/default/metrics",
    "requestContext": {"stage": "$default", "http": {"method": "GET"}}})");
  EXPECT_EQ(url.request.target, "/default/metrics");
}

TEST(ProxyEvent, AlbEventsKeepTheClientsQueryEncoding) {
  const auto proxy = accepted(R"({
    "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:x"}},
    "httpMethod": "GET", "path": "/pedidos",
    "multiValueQueryStringParameters": {"cursor": ["x%2By"]},
    "multiValueHeaders": {"x-forwarded-for": ["198.51.100.1, 10.0.0.1"]},
    "body": "", "isBase64Encoded": false})");
  EXPECT_EQ(proxy.shape.kind, EventKind::alb);
  EXPECT_TRUE(proxy.shape.multi_value_headers);
  EXPECT_EQ(proxy.request.target, "/pedidos?cursor=x%2By");
  EXPECT_EQ(proxy.request.client_address, "10.0.0.1");
}

TEST(ProxyEvent, BrokenEventsOfAKnownKindAreAnswered4xx) {
  EXPECT_EQ(rejected(R"({"httpMethod": "GET"})").status, 400);
  EXPECT_EQ(rejected(R"({"version": "2.0", "rawPath": "/x"})").status, 400);
  EXPECT_EQ(rejected(R"({"httpMethod": "POST", "path": "/token", "body": "%%%",
                         "isBase64Encoded": true})")
                .status,
            400);
  EXPECT_EQ(rejected(R"({"httpMethod": "POST", "path": "/token", "body": "0123456789"})",
                     EventLimits{.max_event_bytes = 1024, .max_body_bytes = 4})
                .status,
            413);
  const auto response = rejected(R"({"httpMethod": 7, "path": "/"})");
  EXPECT_NE(response.body.find("detail"), std::string::npos);
}

TEST(ProxyEvent, WhatIsNotAnHttpEventGoesToError) {
  EXPECT_EQ(unrecognised("{not json"), "Runtime.MalformedEvent");
  EXPECT_EQ(unrecognised(""), "Runtime.MalformedEvent");
  EXPECT_EQ(unrecognised("[1,2]"), "Runtime.UnknownEvent");
  EXPECT_EQ(unrecognised(R"({"Records": [{"eventSource": "aws:sqs"}]})"), "Runtime.UnknownEvent");
  EXPECT_EQ(unrecognised(std::string(2000, ' '),
                         EventLimits{.max_event_bytes = 1000, .max_body_bytes = 100}),
            "Runtime.EventTooLarge");
}

api::Response json_answer() {
  api::Response response;
  response.status = 201;
  response.body = R"({"ok":true})";
  response.header("Vary", "Origin").header("Vary", "Accept").header("Cache-Control", "no-store");
  return response;
}

TEST(ProxyEvent, RestResponsesHaveTheSeedsShapeAndRepeatedHeadersInMultiValueHeaders) {
  const auto out = json::parse(render_response({EventKind::rest_v1, false}, json_answer()));
  EXPECT_EQ(out.at("statusCode"), 201);
  EXPECT_EQ(out.at("headers").at("Content-Type"), "application/json");
  EXPECT_EQ(out.at("headers").at("Cache-Control"), "no-store");
  EXPECT_FALSE(out.at("headers").as_object().contains("Vary"));
  EXPECT_EQ(out.at("multiValueHeaders").at("Vary"), (json::array{"Origin", "Accept"}));
  EXPECT_EQ(out.at("body"), R"({"ok":true})");
  EXPECT_EQ(out.at("isBase64Encoded"), false);
}

TEST(ProxyEvent, PayloadTwoResponsesJoinHeadersAndListCookies) {
  auto response = json_answer();
  response.header("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT");
  response.header("Set-Cookie", "b=2");
  const auto out = json::parse(render_response({EventKind::http_v2, false}, response));
  EXPECT_EQ(out.at("headers").at("Vary"), "Origin,Accept");
  EXPECT_EQ(out.at("cookies"), (json::array{"a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT", "b=2"}));
  EXPECT_FALSE(out.at("headers").as_object().contains("Set-Cookie"));
}

TEST(ProxyEvent, AlbResponsesCarryAStatusDescriptionAndTheEventsHeaderForm) {
  const auto multi = json::parse(render_response({EventKind::alb, true}, json_answer()));
  EXPECT_EQ(multi.at("statusDescription"), "201 Created");
  EXPECT_FALSE(multi.as_object().contains("headers"));
  EXPECT_EQ(multi.at("multiValueHeaders").at("Cache-Control"), (json::array{"no-store"}));
  const auto single = json::parse(render_response({EventKind::alb, false}, json_answer()));
  EXPECT_EQ(single.at("headers").at("Cache-Control"), "no-store");
}

TEST(ProxyEvent, BinaryBodiesGoBase64AndTextBodiesAsTheyAre) {
  api::Response csv;
  csv.content_type = "text/csv; charset=utf-8";
  csv.body = "pedido_id,precio\n1,1.00\n";
  const auto text = json::parse(render_response({EventKind::http_v2, false}, csv));
  EXPECT_EQ(text.at("body").as_string(), csv.body);
  EXPECT_EQ(text.at("isBase64Encoded"), false);

  api::Response png;
  png.content_type = "image/png";
  png.body = std::string("\x89PNG\r\n\x1a\n\0", 9);
  const auto binary = json::parse(render_response({EventKind::rest_v1, false}, png));
  EXPECT_EQ(binary.at("isBase64Encoded"), true);
  EXPECT_EQ(binary.at("body"), "iVBORw0KGgoA");

  // Text that is not UTF-8 cannot be a JSON string either.
  csv.body = "caf\xe9";
  EXPECT_EQ(json::parse(render_response({EventKind::rest_v1, false}, csv)).at("isBase64Encoded"),
            true);
  EXPECT_FALSE(travels_as_text("text/plain", "\xe2\x82"));  // cut short
  EXPECT_TRUE(travels_as_text("application/json", "\xe2\x82\xac"));
}

// The prelude's JSON, checked to end with exactly the eight NUL bytes.
json::object prelude_of(const std::string& prelude) {
  EXPECT_GE(prelude.size(), 8u);
  EXPECT_EQ(prelude.substr(prelude.size() - 8), std::string(8, '\0'));
  const auto json_text = prelude.substr(0, prelude.size() - 8);
  EXPECT_EQ(json_text.find('\0'), std::string::npos);
  return json::parse(json_text).as_object();
}

TEST(ProxyEvent, AStreamedAnswerToAFunctionUrlStartsWithStatusHeadersAndCookies) {
  api::Response stream;
  stream.content_type = "text/event-stream";
  stream.header("Cache-Control", "no-store");
  stream.header("Vary", "Origin");
  stream.header("Vary", "Accept");
  const auto out = prelude_of(render_stream_prelude({EventKind::http_v2, false}, stream));
  EXPECT_EQ(out.at("statusCode"), 200);
  EXPECT_EQ(out.at("headers").at("Content-Type"), "text/event-stream");
  EXPECT_EQ(out.at("headers").at("Cache-Control"), "no-store");
  EXPECT_EQ(out.at("headers").at("Vary"), "Origin,Accept");
  EXPECT_EQ(out.at("cookies"), json::array());  // always there: the format lists it
  EXPECT_FALSE(out.contains("body"));
  EXPECT_FALSE(out.contains("isBase64Encoded"));

  stream.header("Set-Cookie", "a=1");
  EXPECT_EQ(prelude_of(render_stream_prelude({EventKind::http_v2, false}, stream)).at("cookies"),
            (json::array{"a=1"}));
}

TEST(ProxyEvent, AStreamedAnswerToARestApiSplitsHeadersAsItsBufferedAnswer) {
  const auto out = prelude_of(render_stream_prelude({EventKind::rest_v1, false}, json_answer()));
  EXPECT_EQ(out.at("statusCode"), 201);
  EXPECT_EQ(out.at("headers").at("Content-Type"), "application/json");
  EXPECT_EQ(out.at("multiValueHeaders").at("Vary"), (json::array{"Origin", "Accept"}));
  EXPECT_FALSE(out.contains("cookies"));
}

TEST(ProxyEvent, ANulInAHeaderValueCannotEndThePreludeEarly) {
  api::Response response;
  response.header("X-Odd", std::string("a\0b", 3));
  const auto prelude = render_stream_prelude({EventKind::http_v2, false}, response);
  EXPECT_EQ(prelude.find('\0'), prelude.size() - 8);
  EXPECT_EQ(prelude_of(prelude).at("headers").at("X-Odd").as_string(), std::string("a\0b", 3));
}

TEST(ProxyEvent, Base64IsTheStandardAlphabetWithPadding) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("\xff\xfe"), "//4=");
}

}  // namespace
}  // namespace cargomon::lambda
