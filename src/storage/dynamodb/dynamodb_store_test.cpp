// What only the DynamoDB store has (the contract suite covers the rest), on
// DynamoDB Local at CARGOMON_TEST_DYNAMODB_ENDPOINT (skipped, saying so,
// when it is unset).

#include "storage/dynamodb/dynamodb_store.hpp"

#include <gtest/gtest.h>

#include <future>

#include "storage/dynamodb/throwaway_tables.hpp"

namespace cargomon {
namespace {

class DynamoDbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = testing::test_dynamodb_config();
    if (!config) GTEST_SKIP() << testing::kNoDynamoDb;
    tables_ = std::make_unique<testing::ThrowawayTables>(std::move(*config));
  }

  DynamoDbStoreOptions options() const {
    DynamoDbStoreOptions options;
    options.table_prefix = tables_->prefix();
    return options;
  }

  BusinessCalendar calendar_{"America/Bogota"};
  std::unique_ptr<testing::ThrowawayTables> tables_;
};

TEST_F(DynamoDbStoreTest, MissingTablesAreAnErrorWhenCreatingThemIsTurnedOff) {
  auto no_create = options();
  no_create.create_tables = false;
  EXPECT_THROW(DynamoDbStore(tables_->config(), no_create, calendar_), StoreUnavailable);
  { DynamoDbStore created(tables_->config(), options(), calendar_); }
  EXPECT_NO_THROW(DynamoDbStore(tables_->config(), no_create, calendar_));
}

TEST_F(DynamoDbStoreTest, ABadPrefixIsRefused) {
  auto bad = options();
  bad.table_prefix = "no spaces";
  EXPECT_THROW(DynamoDbStore(tables_->config(), bad, calendar_), std::runtime_error);
}

TEST_F(DynamoDbStoreTest, AnUnreachableServerIsUnavailable) {
  auto config = tables_->config();
  config.endpoint = aws::Endpoint::parse("http://127.0.0.1:1");
  auto quick = options();
  quick.client.call_deadline = std::chrono::milliseconds(200);
  EXPECT_THROW(DynamoDbStore(config, quick, calendar_), StoreUnavailable);
}

}  // namespace
}  // namespace cargomon
