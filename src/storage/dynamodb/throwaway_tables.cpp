#include "storage/dynamodb/throwaway_tables.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

#include "aws/dynamodb_client.hpp"

namespace cargomon::testing {

std::optional<aws::ServiceConfig> test_dynamodb_config() {
  const char* endpoint =
      std::getenv("CARGOMON_TEST_DYNAMODB_ENDPOINT");  // NOLINT(concurrency-mt-unsafe)
  if (endpoint == nullptr || *endpoint == '\0') return std::nullopt;
  aws::ServiceConfig config;
  const auto env = [](const char* name, const char* fallback) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
    return std::string(value != nullptr && *value != '\0' ? value : fallback);
  };
  config.credentials.access_key_id = env("AWS_ACCESS_KEY_ID", "cargomontest");
  config.credentials.secret_access_key = env("AWS_SECRET_ACCESS_KEY", "cargomontest");
  config.region = env("AWS_REGION", "us-east-1");
  config.endpoint = aws::Endpoint::parse(endpoint);
  return config;
}

ThrowawayTables::ThrowawayTables(aws::ServiceConfig config) : config_(std::move(config)) {
  static std::atomic<int> counter{0};
  std::random_device random;
  prefix_ = "cargomon-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" +
            std::to_string(random() % 1'000'000);
}

ThrowawayTables::~ThrowawayTables() {
  try {
    aws::DynamoDbClient client(config_);
    for (const auto* suffix : {"-orders", "-users"}) {
      client.call("DeleteTable", {{"TableName", prefix_ + suffix}});
    }
  } catch (const std::exception&) {
    // DynamoDB Local keeps its tables in memory only: they go with it.
  }
}

}  // namespace cargomon::testing
