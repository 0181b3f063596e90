// The log (issue 16, part 2): `serve --log-format json` writes one JSON
// object per line on stderr; one access line per request with its route
// pattern, status and request id (the client's X-Request-Id, echoed), a
// warning for each refusal an operator wants to see, and never a password
// or a token. The real binary, port 0, a temporary directory.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace cargomon::testing {
namespace {

namespace json = boost::json;

constexpr const char* kWrongPassword = "wrong-password-Zq7";

class Logs : public ServerTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    start({"--log-format", "json"});
  }

  // The server's JSON lines so far (the listening lines on stdout are not).
  static std::vector<json::object> log_lines() {
    std::vector<json::object> lines;
    std::istringstream output(server().output());
    for (std::string line; std::getline(output, line);) {
      if (!line.starts_with('{')) continue;
      json::error_code ec;
      auto parsed = json::parse(line, ec);
      EXPECT_FALSE(ec) << "not JSON: " << line;
      if (!ec && parsed.is_object()) lines.push_back(parsed.as_object());
    }
    return lines;
  }

  static std::vector<json::object> lines_of(const std::string& request_id,
                                            const std::string& message) {
    std::vector<json::object> out;
    for (auto& line : log_lines()) {
      const auto* id = line.if_contains("requestId");
      const auto* said = line.if_contains("message");
      if (id && id->is_string() && id->as_string() == std::string_view(request_id) && said &&
          said->is_string() && said->as_string().starts_with(message)) {
        out.push_back(std::move(line));
      }
    }
    return out;
  }

  // The lines of `request_id` starting with `message`, once there are
  // `count` of them (the answer is logged before it is written, so they
  // are there by now; polled all the same, with a deadline).
  static std::vector<json::object> wait_lines(const std::string& request_id,
                                              const std::string& message, std::size_t count = 1) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto lines = lines_of(request_id, message);
    while (lines.size() < count && std::chrono::steady_clock::now() < deadline) {
      lines = lines_of(request_id, message);
    }
    return lines;
  }

  static HttpResponse get_with_id(const std::string& target, const std::string& token,
                                  const std::string& request_id) {
    std::vector<std::pair<std::string, std::string>> headers{{"X-Request-Id", request_id}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return client().request("GET", target, "", headers);
  }

  static HttpResponse post_with_id(const std::string& target, const std::string& body,
                                   const std::string& token, const std::string& request_id) {
    std::vector<std::pair<std::string, std::string>> headers{{"X-Request-Id", request_id},
                                                             {"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return client().request("POST", target, body, headers);
  }
};

TEST_F(Logs, EachRequestHasOneAccessLineWithItsRoutePatternAndEchoedRequestId) {
  const auto answer = get_with_id("/pedidos/order-secret-42", admin_token(), "good-1");
  EXPECT_EQ(answer.status, 404) << answer.body;
  EXPECT_EQ(answer.header("x-request-id"), "good-1");

  const auto lines = wait_lines("good-1", "request");
  ASSERT_EQ(lines.size(), 1U) << server().output();
  const auto& line = lines.front();
  EXPECT_EQ(line.at("level"), "info");
  EXPECT_EQ(line.at("method"), "GET");
  EXPECT_EQ(line.at("route"), "/pedidos/{pedido_id}");
  EXPECT_EQ(line.at("status").to_number<int>(), 404);
  EXPECT_EQ(line.at("user"), "admin");
  EXPECT_GE(line.at("duration_us").to_number<std::int64_t>(), 0);
  EXPECT_EQ(line.at("bytes").to_number<std::size_t>(), answer.body.size());
  EXPECT_TRUE(std::regex_match(std::string(line.at("timestamp").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << line.at("timestamp");
  // The route's pattern, never the raw path.
  EXPECT_EQ(server().output().find("order-secret-42"), std::string::npos);
  // A second request with the same id is a second line.
  EXPECT_EQ(get_with_id("/pedidos", admin_token(), "good-1").status, 200);
  EXPECT_EQ(wait_lines("good-1", "request", 2).size(), 2U);
}

TEST_F(Logs, AnUnusableRequestIdIsReplacedByAGeneratedOne) {
  const auto answer = get_with_id("/healthz", "", "has spaces and {braces}");
  EXPECT_EQ(answer.status, 200);
  const auto id = answer.header("x-request-id");
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{32}"))) << id;
  EXPECT_EQ(wait_lines(id, "request").size(), 1U);
  const auto too_long = get_with_id("/healthz", "", std::string(65, 'a'));
  EXPECT_EQ(too_long.header("x-request-id").size(), 32U);
  // Without one, every answer still has one, errors included.
  EXPECT_EQ(client().get("/no/such/thing/here").header("x-request-id").size(), 32U);
}

TEST_F(Logs, ARejectedTokenIsAWarningWithItsReason) {
  const std::string bogus = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJldmUifQ.bm90LWEtc2lnbmF0dXJl";
  const auto answer = get_with_id("/pedidos", bogus, "bad-token-1");
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.header("x-request-id"), "bad-token-1");
  const auto warnings = wait_lines("bad-token-1", "token rejected");
  ASSERT_EQ(warnings.size(), 1U) << server().output();
  EXPECT_EQ(warnings.front().at("level"), "warn");
  EXPECT_EQ(warnings.front().at("route"), "/pedidos");
  EXPECT_EQ(warnings.front().at("status").to_number<int>(), 401);
  const auto access = wait_lines("bad-token-1", "request");
  ASSERT_EQ(access.size(), 1U);
  EXPECT_EQ(access.front().at("status").to_number<int>(), 401);

  EXPECT_EQ(get_with_id("/pedidos", "", "no-token-1").status, 401);
  const auto missing = wait_lines("no-token-1", "token rejected");
  ASSERT_EQ(missing.size(), 1U);
  EXPECT_EQ(missing.front().at("message"), "token rejected: missing");
  EXPECT_EQ(server().output().find(bogus), std::string::npos);
}

TEST_F(Logs, AConflictIsAWarning) {
  const std::string body = R"({"username":"dup","password":"password-dup1","role":"viewer"})";
  EXPECT_EQ(post_with_id("/usuarios", body, admin_token(), "create-1").status, 201);
  const auto again = post_with_id("/usuarios", body, admin_token(), "conflict-1");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.header("x-request-id"), "conflict-1");
  const auto warnings = wait_lines("conflict-1", "conflict");
  ASSERT_EQ(warnings.size(), 1U) << server().output();
  EXPECT_EQ(warnings.front().at("message"), "conflict: the user already exists");
  EXPECT_EQ(warnings.front().at("route"), "/usuarios");
  EXPECT_EQ(warnings.front().at("user"), "admin");
  const auto access = wait_lines("conflict-1", "request");
  ASSERT_EQ(access.size(), 1U);
  EXPECT_EQ(access.front().at("status").to_number<int>(), 409);
  EXPECT_EQ(server().output().find("password-dup1"), std::string::npos);
}

TEST_F(Logs, FailedAndThrottledLoginsAreWarningsThatNameTheUserNotThePassword) {
  token_for("tina", "viewer");
  const std::string wrong =
      std::string(R"({"username":"tina","password":")") + kWrongPassword + R"("})";
  int status = 0;
  int attempts = 0;
  for (; attempts < 20 && status != 429; ++attempts) {
    status = post_with_id("/token", wrong, "", "login-" + std::to_string(attempts)).status;
  }
  ASSERT_EQ(status, 429) << "never throttled";
  const auto failed = wait_lines("login-0", "login failed");
  ASSERT_EQ(failed.size(), 1U) << server().output();
  EXPECT_EQ(failed.front().at("user"), "tina");
  EXPECT_EQ(failed.front().at("status").to_number<int>(), 401);
  const auto throttled = wait_lines("login-" + std::to_string(attempts - 1), "login throttled");
  ASSERT_EQ(throttled.size(), 1U) << server().output();
  EXPECT_EQ(throttled.front().at("level"), "warn");
  EXPECT_EQ(throttled.front().at("user"), "tina");
  EXPECT_EQ(throttled.front().at("status").to_number<int>(), 429);
  EXPECT_EQ(throttled.front().at("route"), "/token");
}

// Last: every test above has logged by now.
TEST_F(Logs, ZNoPasswordOrTokenIsEverLogged) {
  client().login("admin", kAdminPassword);
  const auto output = server().output();
  EXPECT_FALSE(output.empty());
  EXPECT_EQ(output.find(kAdminPassword), std::string::npos);
  EXPECT_EQ(output.find(kWrongPassword), std::string::npos);
  EXPECT_EQ(output.find("password-tina"), std::string::npos);
  EXPECT_EQ(output.find(admin_token()), std::string::npos);
  // Nor a piece of one: its signature.
  EXPECT_EQ(output.find(admin_token().substr(admin_token().rfind('.') + 1)), std::string::npos);
  // Every line is JSON but the operator's lines on stdout (the output has
  // both): the listening lines and the first start's admin.
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("cargomon ") || line.starts_with("Created user 'admin'")) continue;
    EXPECT_TRUE(line.starts_with('{')) << line;
  }
}

// Text lines by default; with the access log off, the warnings stay.
TEST(LogsOff, WithoutTheAccessLogTheWarningsAreStillTextLines) {
  TempDir dir;
  ServerProcess::Options options;
  options.data_dir = dir.path() / "data";
  options.env = {{"CARGOMON_ADMIN_PASSWORD", kAdminPassword}};
  options.extra_args = {"--access-log", "off"};
  ServerProcess server(options);
  HttpClient client(server.port());
  EXPECT_EQ(client.request("GET", "/pedidos", "", {{"X-Request-Id", "off-1"}}).status, 401);
  EXPECT_EQ(client.get("/healthz").status, 200);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::string output = server.output();
  while (output.find("token rejected") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    output = server.output();
  }
  EXPECT_TRUE(std::regex_search(
      output, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn token rejected: missing )"
                         R"(requestId=off-1 route=/pedidos status=401)")))
      << output;
  EXPECT_EQ(output.find(" info request "), std::string::npos) << output;
}

}  // namespace
}  // namespace cargomon::testing
