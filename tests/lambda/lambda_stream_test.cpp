// GET /eventos from the real `cargomon lambda` through Lambda response
// streaming, against the stand-in Runtime API (which records a streamed
// response chunk by chunk, with its headers and trailers): the prelude, the
// first metrics, an order registered by another execution environment (a
// second `cargomon lambda` on the same SQLite file) arriving on the open
// stream, the clean end before the invocation's deadline, and the resume
// with Last-Event-ID that replays exactly what came in between.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstring>
#include <vector>

#include "lambda/lambda_function.hpp"
#include "net/event_stream_parser.hpp"

namespace cargomon::testing {
namespace {

constexpr std::string_view kDelimiter{"\0\0\0\0\0\0\0\0", 8};

// A streamed answer's prelude (its JSON) and the body after it, so far.
struct Streamed {
  bool has_prelude = false;
  json::object prelude;
  std::string body;
};

Streamed split(const std::string& streamed) {
  Streamed out;
  const auto at = streamed.find(kDelimiter);
  if (at == std::string::npos) return out;
  out.has_prelude = true;
  out.prelude = json::parse(streamed.substr(0, at)).as_object();
  out.body = streamed.substr(at + kDelimiter.size());
  return out;
}

struct SseEvent {
  std::string name;
  std::string id;
  std::string data;
};

// The complete events in an SSE body, with the project's own parser.
std::vector<SseEvent> events_in(const std::string& body) {
  if (body.empty()) return {};
  net::EventStreamParser parser;
  const auto room = parser.prepare(body.size());
  std::memcpy(room.data(), body.data(), body.size());
  std::vector<SseEvent> events;
  parser.commit(body.size(), [&](const net::StreamEvent& event) {
    events.push_back({std::string(event.name), std::string(event.id), std::string(event.data)});
  });
  return events;
}

std::vector<SseEvent> named(const std::vector<SseEvent>& events, const std::string& name) {
  std::vector<SseEvent> found;
  for (const auto& event : events) {
    if (event.name == name) found.push_back(event);
  }
  return found;
}

// A function URL's GET /eventos (payload 2.0).
std::string stream_event(const std::string& jwt, const std::string& last_event_id = "") {
  json::object headers{{"authorization", "Bearer " + jwt}, {"accept", "text/event-stream"}};
  if (!last_event_id.empty()) headers["last-event-id"] = last_event_id;
  return json::serialize(json::object{
      {"version", "2.0"},
      {"routeKey", "$default"},
      {"rawPath", "/eventos"},
      {"rawQueryString", ""},
      {"headers", headers},
      {"requestContext",
       {{"stage", "$default"}, {"http", {{"method", "GET"}, {"sourceIp", "203.0.113.9"}}}}},
      {"isBase64Encoded", false}});
}

std::string order_event(const std::string& jwt, const std::string& order_id) {
  const std::string order =
      R"({"pedido_id": ")" + order_id +
      R"(", "repartidor": {"IdRepartidor": 7, "Nombre": "Ana"},)"
      R"( "productos": [{"IdProducto": "pk0002", "producto": "Tarjeta SIM", "precio": 18.9}]})";
  return json::serialize(json::object{
      {"version", "2.0"},
      {"rawPath", "/registrar_pedido_entregado"},
      {"rawQueryString", ""},
      {"headers", {{"authorization", "Bearer " + jwt}, {"content-type", "application/json"}}},
      {"requestContext", {{"stage", "$default"}, {"http", {{"method", "POST"}}}}},
      {"body", order},
      {"isBase64Encoded", false}});
}

// Registers an order through `function` (buffered); its sequence.
std::int64_t register_order(LambdaFunction& function, const std::string& jwt,
                            const std::string& order_id) {
  const auto answer = function.call(order_event(jwt, order_id));
  EXPECT_EQ(answer.at("statusCode"), 200) << json::serialize(answer);
  return body_of(answer).at("pedido").at("secuencia").as_int64();
}

const Env kStreaming{{"CARGOMON_LAMBDA_STREAMING", "true"},
                     // Short, for a quick test; the default is 1 s.
                     {"CARGOMON_LAMBDA_POLL_INTERVAL", "100"}};

TEST(LambdaStream, WithoutStreamingTheLiveStreamIsA404ThatSaysWhy) {
  LambdaFunction function;
  const std::string jwt = function.login();
  const auto answer = function.call(stream_event(jwt));
  EXPECT_EQ(answer.at("statusCode"), 404) << json::serialize(answer);
  EXPECT_EQ(body_of(answer).at("detail"),
            "The live stream needs response streaming on this front door");
}

TEST(LambdaStream, WithStreamingEveryAnswerIsStreamedWithAPrelude) {
  LambdaFunction function(kStreaming);
  const auto health = function.answer(R"({"version": "2.0", "rawPath": "/healthz",
    "requestContext": {"stage": "$default", "http": {"method": "GET"}}})");
  EXPECT_TRUE(health.streamed);
  EXPECT_EQ(health.kind, "response");
  const auto parts = split(health.body);
  ASSERT_TRUE(parts.has_prelude) << health.body;
  EXPECT_EQ(parts.prelude.at("statusCode"), 200);
  EXPECT_TRUE(json::parse(parts.body).is_object()) << parts.body;

  // Without a usable token the stream is a 401 that ends at once.
  const auto denied = function.answer(stream_event("not-a-token"));
  EXPECT_TRUE(denied.streamed);
  EXPECT_EQ(split(denied.body).prelude.at("statusCode"), 401);
  EXPECT_TRUE(function.process().running()) << function.output();
}

TEST(LambdaStream, OrdersFromAnotherEnvironmentReachTheStreamAndAResumeMissesNoneRepeatsNone) {
  LambdaFunction streaming(kStreaming);
  ASSERT_TRUE(streaming.runtime().wait_next_calls(1, in(30s))) << streaming.output();
  // Another execution environment on the same store, answering buffered.
  LambdaFunction other(Env{{"CARGOMON_DATA_DIR", (streaming.dir().path() / "data").string()}});
  const std::string jwt = other.login();

  // Long enough for the other environment's order to arrive first, even on
  // a loaded machine; short enough to wait for the end.
  const auto deadline = std::chrono::system_clock::now() + 6s;
  const auto id = streaming.runtime().invoke(stream_event(jwt), 6s);
  const auto opened = streaming.runtime().wait_stream(
      id,
      [](const RuntimePost& post) {
        return !named(events_in(split(post.body).body), "metrics").empty();
      },
      in(30s));
  ASSERT_TRUE(opened) << streaming.output();
  EXPECT_FALSE(opened->complete);  // it arrives piece by piece, still open
  EXPECT_EQ(opened->kind, "response");
  EXPECT_EQ(opened->headers.at("lambda-runtime-function-response-mode"), "streaming");
  EXPECT_EQ(opened->headers.at("transfer-encoding"), "chunked");
  EXPECT_EQ(opened->headers.at("content-type"),
            "application/vnd.awslambda.http-integration-response");
  const auto& trailer = opened->headers.at("trailer");
  EXPECT_NE(trailer.find("Lambda-Runtime-Function-Error-Type"), std::string::npos);
  EXPECT_NE(trailer.find("Lambda-Runtime-Function-Error-Body"), std::string::npos);
  EXPECT_GE(opened->chunks.size(), 2u);  // the prelude first, the events after
  const auto first = split(opened->body);
  EXPECT_EQ(first.prelude.at("statusCode"), 200);
  EXPECT_EQ(first.prelude.at("headers").at("Content-Type"), "text/event-stream");
  EXPECT_EQ(first.prelude.at("headers").at("Cache-Control"), "no-store");
  EXPECT_EQ(first.prelude.at("cookies"), json::array());
  EXPECT_TRUE(first.body.starts_with("retry: 1000\n\n")) << first.body;
  const auto metrics = named(events_in(first.body), "metrics");
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_TRUE(json::parse(metrics[0].data).as_object().contains("acumulado_ventas_dia"));

  // Stored by the other environment, it reaches this one's open stream.
  const auto seen = register_order(other, jwt, "otro-1");
  const auto arrived = streaming.runtime().wait_stream(
      id,
      [](const RuntimePost& post) {
        return !named(events_in(split(post.body).body), "pedido").empty();
      },
      in(30s));
  ASSERT_TRUE(arrived) << streaming.output();
  const auto pedidos = named(events_in(split(arrived->body).body), "pedido");
  ASSERT_EQ(pedidos.size(), 1u);
  EXPECT_EQ(pedidos[0].id, std::to_string(seen));
  EXPECT_EQ(json::parse(pedidos[0].data).at("pedido").at("pedido_id"), "otro-1");

  // The stream ends by itself, cleanly, before the invocation's deadline.
  const auto ended = streaming.runtime().wait_answer(id, in(30s));
  ASSERT_TRUE(ended) << streaming.output();
  EXPECT_TRUE(ended->complete);
  EXPECT_LT(ended->completed_at, deadline);
  EXPECT_TRUE(ended->trailers.empty()) << ended->trailers.begin()->first;
  EXPECT_TRUE(ended->body.ends_with("\n\n"));  // on an event's boundary

  // Orders while no stream is open; the browser reconnects with the last id.
  const auto second = register_order(other, jwt, "otro-2");
  const auto third = register_order(other, jwt, "otro-3");
  // What it missed is written first, so a short deadline will do.
  const auto resumed_id = streaming.runtime().invoke(stream_event(jwt, std::to_string(seen)), 3s);
  const auto resumed = streaming.runtime().wait_stream(
      resumed_id,
      [](const RuntimePost& post) {
        const auto events = events_in(split(post.body).body);
        return named(events, "pedido").size() >= 2 && !named(events, "metrics").empty();
      },
      in(30s));
  ASSERT_TRUE(resumed) << streaming.output();
  const auto replayed = named(events_in(split(resumed->body).body), "pedido");
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_EQ(replayed[0].id, std::to_string(second));
  EXPECT_EQ(replayed[1].id, std::to_string(third));
  EXPECT_EQ(json::parse(replayed[0].data).at("pedido").at("pedido_id"), "otro-2");
  EXPECT_EQ(json::parse(replayed[1].data).at("pedido").at("pedido_id"), "otro-3");
  const auto resumed_end = streaming.runtime().wait_answer(resumed_id, in(30s));
  ASSERT_TRUE(resumed_end) << streaming.output();
  EXPECT_EQ(named(events_in(split(resumed_end->body).body), "pedido").size(), 2u);
  EXPECT_TRUE(streaming.process().running()) << streaming.output();
}

}  // namespace
}  // namespace cargomon::testing
