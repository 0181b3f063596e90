// The DynamoDB client's retry policy, and one call against DynamoDB Local
// when CARGOMON_TEST_DYNAMODB_ENDPOINT names one (scripts/with-dynamodb-local.sh).

#include "aws/dynamodb_client.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace cargomon::aws {
namespace {

TEST(DynamoDbErrors, TypeMessageAndCancellationReasonsAreDecoded) {
  const auto error = parse_error(
      R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
      R"("Message":"Transaction cancelled","CancellationReasons":[{"Code":"ConditionalCheckFailed"},)"
      R"({"Code":"None"}]})");
  EXPECT_EQ(error.type, "TransactionCanceledException");
  EXPECT_EQ(error.message, "Transaction cancelled");
  EXPECT_EQ(error.cancellation_codes, (std::vector<std::string>{"ConditionalCheckFailed", "None"}));
  EXPECT_EQ(parse_error("<html>").type, "");
}

TEST(DynamoDbErrors, ThrottlingServerFaultsAndConflictsAreRetriedConditionsAndValidationNot) {
  const auto error = [](std::string type, std::vector<std::string> codes = {}) {
    DynamoDbError e;
    e.type = std::move(type);
    e.cancellation_codes = std::move(codes);
    return e;
  };
  EXPECT_TRUE(is_retryable(0, {}));
  EXPECT_TRUE(is_retryable(500, {}));
  EXPECT_TRUE(is_retryable(503, {}));
  EXPECT_TRUE(is_retryable(400, error("ThrottlingException")));
  EXPECT_TRUE(is_retryable(400, error("ProvisionedThroughputExceededException")));
  EXPECT_TRUE(is_retryable(400, error("RequestLimitExceeded")));
  EXPECT_TRUE(
      is_retryable(400, error("TransactionCanceledException", {"None", "TransactionConflict"})));
  EXPECT_FALSE(is_retryable(400, error("TransactionCanceledException",
                                       {"ConditionalCheckFailed", "TransactionConflict"})));
  EXPECT_FALSE(
      is_retryable(400, error("TransactionCanceledException", {"ConditionalCheckFailed"})));
  EXPECT_FALSE(is_retryable(400, error("ConditionalCheckFailedException")));
  EXPECT_FALSE(is_retryable(400, error("ValidationException")));
  EXPECT_FALSE(is_retryable(400, error("ResourceNotFoundException")));
}

TEST(DynamoDbClient, AnUnreachableServerIsUnavailableWithinTheDeadline) {
  ServiceConfig config;
  config.credentials = {"k", "s", ""};
  config.region = "us-east-1";
  config.endpoint = Endpoint::parse("http://127.0.0.1:1");  // nothing listens on port 1
  DynamoDbOptions options;
  options.call_deadline = std::chrono::milliseconds(300);
  options.backoff_base = std::chrono::milliseconds(1);
  options.backoff_cap = std::chrono::milliseconds(5);
  DynamoDbClient client(config, options);
  const auto started = std::chrono::steady_clock::now();
  const auto result = client.call("ListTables", {});
  EXPECT_EQ(result.kind, DynamoDbResult::Kind::unavailable);
  EXPECT_NE(result.detail.find("attempts"), std::string::npos) << result.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(DynamoDbClient, AnHttpsEndpointIsSpokenToOverTls) {
  // Nothing listens there: the TLS path fails at its connection, in time.
  ServiceConfig config;
  config.credentials = {"k", "s", ""};
  config.region = "us-east-1";
  config.endpoint = Endpoint::parse("https://127.0.0.1:1");
  DynamoDbOptions options;
  options.call_deadline = std::chrono::milliseconds(300);
  options.backoff_base = std::chrono::milliseconds(1);
  DynamoDbClient client(config, options);
  const auto result = client.call("ListTables", {});
  EXPECT_EQ(result.kind, DynamoDbResult::Kind::unavailable);
  EXPECT_NE(result.detail.find("connect"), std::string::npos) << result.detail;
}

TEST(DynamoDbClient, SignedCallsAreAnsweredByDynamoDbLocal) {
  const char* endpoint = std::getenv("CARGOMON_TEST_DYNAMODB_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') {
    GTEST_SKIP() << "CARGOMON_TEST_DYNAMODB_ENDPOINT is unset (run under "
                    "scripts/with-dynamodb-local.sh)";
  }
  ServiceConfig config;
  config.credentials = {"cargomontest", "cargomontest", "asessiontoken"};
  config.region = "us-east-1";
  config.endpoint = Endpoint::parse(endpoint);
  DynamoDbClient client(config);
  for (int i = 0; i < 3; ++i) {  // the same connection, reused
    const auto result = client.call("ListTables", {});
    ASSERT_EQ(result.kind, DynamoDbResult::Kind::ok) << result.detail;
    EXPECT_TRUE(result.body.as_object().contains("TableNames"));
  }
  const auto missing = client.call("DescribeTable", {{"TableName", "cargomon-no-such-table"}});
  EXPECT_EQ(missing.kind, DynamoDbResult::Kind::refused);
  EXPECT_EQ(missing.error.type, "ResourceNotFoundException");
}

}  // namespace
}  // namespace cargomon::aws
