#pragma once
// For tests: a fresh table prefix on the DynamoDB (Local) at
// CARGOMON_TEST_DYNAMODB_ENDPOINT, whose tables are deleted when this object
// goes. scripts/with-dynamodb-local.sh starts one and sets the variable.

#include <optional>
#include <string>

#include "aws/environment.hpp"

namespace cargomon::testing {

inline constexpr const char* kNoDynamoDb =
    "CARGOMON_TEST_DYNAMODB_ENDPOINT is unset: run under scripts/with-dynamodb-local.sh to test "
    "the DynamoDB store";

// The endpoint's configuration (with the environment's or dummy
// credentials), or nullopt when the variable is unset.
std::optional<aws::ServiceConfig> test_dynamodb_config();

class ThrowawayTables {
 public:
  explicit ThrowawayTables(aws::ServiceConfig config);
  ~ThrowawayTables();  // deletes PREFIX-orders and PREFIX-users
  ThrowawayTables(const ThrowawayTables&) = delete;
  ThrowawayTables& operator=(const ThrowawayTables&) = delete;

  const std::string& prefix() const { return prefix_; }
  const aws::ServiceConfig& config() const { return config_; }
  // dynamodb://PREFIX, for open_store and --store.
  std::string url() const { return "dynamodb://" + prefix_; }

 private:
  aws::ServiceConfig config_;
  std::string prefix_;
};

}  // namespace cargomon::testing
