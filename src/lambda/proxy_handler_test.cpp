// One invocation through the real Router over a memory store.

#include "lambda/proxy_handler.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/bounded_executor.hpp"
#include "api/event_feed.hpp"
#include "auth/password.hpp"
#include "storage/memory/memory_store.hpp"
#include "storage/polled_live_orders.hpp"

namespace cargomon::lambda {
namespace {

namespace json = boost::json;

json::value body_of(const Outcome& outcome) {
  return json::parse(json::parse(outcome.payload).at("body").as_string());
}

HandlerLimits streaming_limits() {
  HandlerLimits limits;
  limits.stream.enabled = true;
  return limits;
}

class ProxyHandlerTest : public ::testing::Test {
 protected:
  Outcome invoke(std::string event) {
    Invocation invocation{"req-1", 0, "arn:aws:lambda:x", "", std::move(event)};
    return handler.handle(invocation);
  }

  BusinessCalendar calendar{"America/Bogota"};
  FakeClock clock{Timestamp{}};
  MemoryStore store{calendar};
  auth::TokenService tokens{std::string(32, 's'), std::chrono::minutes(30), clock};
  auth::LoginThrottle throttle{clock};
  api::InlineExecutor inline_work;
  api::Services services{calendar, clock,       store,       store,   tokens,
                         throttle, inline_work, inline_work, nullptr, {}};
  api::Router router{services};
  ProxyHandler handler{router, HandlerLimits{}};
  PolledLiveOrders live{store, {}};
  OnDemandFeed on_demand{services, live};
  ProxyHandler streaming{router, streaming_limits(), &on_demand};
};

// A streamed payload: its prelude's JSON and the body after the delimiter.
struct Streamed {
  json::object prelude;
  std::string body;
};

Streamed split(const std::string& payload) {
  const auto at = payload.find(std::string(8, '\0'));
  if (at == std::string::npos) {
    ADD_FAILURE() << "no prelude delimiter in " << payload;
    return {};
  }
  return {json::parse(payload.substr(0, at)).as_object(), payload.substr(at + 8)};
}

std::string stream_event(const std::string& token) {
  return json::serialize(
      json::object{{"version", "2.0"},
                   {"rawPath", "/eventos"},
                   {"headers", {{"authorization", "Bearer " + token}}},
                   {"requestContext", {{"stage", "$default"}, {"http", {{"method", "GET"}}}}}});
}

TEST_F(ProxyHandlerTest, AnHttpEventIsAnsweredByTheRouter) {
  const auto outcome = invoke(R"({"version": "2.0", "rawPath": "/healthz",
    "requestContext": {"stage": "$default", "http": {"method": "GET"}}})");
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.status, 200);
  const auto payload = json::parse(outcome.payload);
  EXPECT_EQ(payload.at("statusCode"), 200);
  // The headers every answer carries come from the Router, as for serve.
  EXPECT_EQ(payload.at("headers").at("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(outcome.method, "GET");
  EXPECT_EQ(outcome.path, "/healthz");
}

TEST_F(ProxyHandlerTest, AnUnauthenticatedCallIs401AsOnServe) {
  const auto outcome = invoke(R"({"httpMethod": "GET", "path": "/metrics",
    "headers": {"Authorization": "Bearer nonsense"}})");
  ASSERT_TRUE(outcome.ok);
  EXPECT_EQ(json::parse(outcome.payload).at("statusCode"), 401);
}

// The function serves the same router: a screen kept signed in renews its
// token through it, and its session shows the browser that signed in.
TEST_F(ProxyHandlerTest, ASessionSignsInAndRenewsAsOnServe) {
  services.sessions = &store;
  ASSERT_EQ(store.create_user(
                User{"pantalla", auth::hash_password("una pantalla en la pared"), Role::viewer}),
            UserChange::done);
  const auto post = [&](const std::string& path, const json::object& body) {
    const auto outcome = invoke(json::serialize(json::object{
        {"version", "2.0"},
        {"rawPath", path},
        {"headers", {{"content-type", "application/json"}, {"user-agent", "Pantalla/1.0"}}},
        {"body", json::serialize(body)},
        {"requestContext", {{"stage", "$default"}, {"http", {{"method", "POST"}}}}}}));
    EXPECT_TRUE(outcome.ok) << outcome.message;
    const auto payload = json::parse(outcome.payload);
    EXPECT_EQ(payload.at("statusCode"), 200) << outcome.payload;
    return json::parse(payload.at("body").as_string()).as_object();
  };
  const auto signed_in = post("/token", {{"username", "pantalla"},
                                         {"password", "una pantalla en la pared"},
                                         {"mantener_sesion", true}});
  ASSERT_TRUE(signed_in.contains("refresh_token"));
  const auto renewed = post("/token/renovar", {{"refresh_token", signed_in.at("refresh_token")}});
  EXPECT_EQ(renewed.at("sesion_id"), signed_in.at("sesion_id"));
  EXPECT_NE(renewed.at("refresh_token"), signed_in.at("refresh_token"));
  const auto session = store.find_session(std::string(signed_in.at("sesion_id").as_string()));
  ASSERT_TRUE(session);
  EXPECT_EQ(session->user_agent, "Pantalla/1.0");
  EXPECT_EQ(session->username, "pantalla");
}

TEST_F(ProxyHandlerTest, TheLiveStreamNeedsStreaming) {
  const auto outcome = invoke(R"({"httpMethod": "GET", "path": "/eventos"})");
  ASSERT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.status, 401);  // authenticated first, as on serve
  store.create_user(User{"vera", "hash", Role::viewer, false});
  const auto refused = invoke(stream_event(tokens.issue("vera", Role::viewer)));
  ASSERT_TRUE(refused.ok);
  EXPECT_FALSE(refused.streamed);
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(body_of(refused).at("detail"),
            "The live stream needs response streaming on this front door");
}

TEST_F(ProxyHandlerTest, WithStreamingEveryAnswerIsStreamedWithItsPrelude) {
  const auto outcome = streaming.handle(Invocation{"req-3", 0, "", "", R"({"version": "2.0",
    "rawPath": "/healthz", "requestContext": {"stage": "$default", "http": {"method": "GET"}}})"});
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_TRUE(outcome.streamed);
  EXPECT_EQ(outcome.status, 200);
  EXPECT_FALSE(outcome.events);
  const auto parts = split(outcome.payload);
  EXPECT_EQ(parts.prelude.at("statusCode"), 200);
  EXPECT_EQ(parts.prelude.at("headers").at("X-Content-Type-Options"), "nosniff");
  EXPECT_TRUE(json::parse(parts.body).is_object());  // the body's bytes, not a JSON string

  // A REST event too; an ALB cannot stream and is answered as ever.
  const auto rest = streaming.handle(
      Invocation{"req-4", 0, "", "", R"({"httpMethod": "GET", "path": "/nowhere"})"});
  EXPECT_TRUE(rest.streamed);
  EXPECT_EQ(split(rest.payload).prelude.at("statusCode"), 404);
  const auto alb = streaming.handle(Invocation{"req-5", 0, "", "", R"({"httpMethod": "GET",
    "path": "/healthz", "requestContext": {"elb": {"targetGroupArn": "arn:x"}}})"});
  EXPECT_FALSE(alb.streamed);
  EXPECT_EQ(json::parse(alb.payload).at("statusCode"), 200);
}

TEST_F(ProxyHandlerTest, WithStreamingTheLiveStreamOpensWithItsFeedForTheInvocation) {
  store.create_user(User{"vera", "hash", Role::viewer, false});
  auto outcome = streaming.handle(
      Invocation{"req-6", 0, "", "", stream_event(tokens.issue("vera", Role::viewer))});
  ASSERT_TRUE(outcome.ok) << outcome.message;
  ASSERT_TRUE(outcome.streamed);
  ASSERT_TRUE(outcome.events);
  EXPECT_TRUE(outcome.feed);
  EXPECT_NE(services.feed, nullptr);
  const auto parts = split(outcome.payload);
  EXPECT_EQ(parts.prelude.at("statusCode"), 200);
  EXPECT_EQ(parts.prelude.at("headers").at("Content-Type"), "text/event-stream");
  EXPECT_EQ(parts.body, "retry: 1000\n\n");
  EXPECT_NE(outcome.events->take().text().find("event: metrics\n"), std::string::npos);
  outcome.events->detach();
  outcome.feed.reset();
  EXPECT_EQ(services.feed, nullptr);

  // Without a usable token: the 401, streamed, and no feed at all.
  const auto denied = streaming.handle(Invocation{"req-7", 0, "", "", stream_event("nonsense")});
  EXPECT_TRUE(denied.streamed);
  EXPECT_FALSE(denied.events);
  EXPECT_EQ(split(denied.payload).prelude.at("statusCode"), 401);
  EXPECT_EQ(services.feed, nullptr);
}

TEST_F(ProxyHandlerTest, ANonHttpEventIsAnErrorWithItsType) {
  const auto outcome = invoke(R"({"detail-type": "Scheduled Event"})");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error_type, "Runtime.UnknownEvent");
  const auto malformed = invoke("{");
  EXPECT_FALSE(malformed.ok);
  EXPECT_EQ(malformed.error_type, "Runtime.MalformedEvent");
}

TEST_F(ProxyHandlerTest, AnAnswerBeyondTheResponseLimitIsA500NotATruncation) {
  HandlerLimits limits;
  limits.max_response_bytes = 64;
  ProxyHandler small{router, limits};
  const auto outcome = small.handle(
      Invocation{"req-2", 0, "", "", R"({"httpMethod": "GET", "path": "/openapi.json"})"});
  ASSERT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.status, 500);
  EXPECT_LE(outcome.payload.size(), 1024u);
}

}  // namespace
}  // namespace cargomon::lambda
