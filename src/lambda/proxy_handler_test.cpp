// One invocation through the real Router over a memory store.

#include "lambda/proxy_handler.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/bounded_executor.hpp"
#include "storage/memory/memory_store.hpp"

namespace cargomon::lambda {
namespace {

namespace json = boost::json;

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
};

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

TEST_F(ProxyHandlerTest, TheLiveStreamNeedsStreaming) {
  const auto outcome = invoke(R"({"httpMethod": "GET", "path": "/eventos"})");
  ASSERT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.status / 100, 4);
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
  ProxyHandler small{router, HandlerLimits{.event = {}, .max_response_bytes = 64}};
  const auto outcome = small.handle(
      Invocation{"req-2", 0, "", "", R"({"httpMethod": "GET", "path": "/openapi.json"})"});
  ASSERT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.status, 500);
  EXPECT_LE(outcome.payload.size(), 1024u);
}

}  // namespace
}  // namespace cargomon::lambda
