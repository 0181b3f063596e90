// open_store picks the implementation by the URL's scheme, and says which
// forms it accepts when it knows none.

#include "storage/open_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "storage/memory/memory_store.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/postgres/throwaway_schema.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace cargomon {
namespace {

namespace fs = std::filesystem;

class OpenStore : public ::testing::Test {
 protected:
  OpenStore() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cargomon-open-" + std::to_string(rd()));
  }
  ~OpenStore() override { fs::remove_all(dir_); }

  fs::path dir_;
  BusinessCalendar calendar_{"America/Bogota"};
};

TEST_F(OpenStore, EmptyOrSqliteIsTheEmbeddedDatabaseInTheDataDirectory) {
  for (const char* url : {"", "sqlite:", "sqlite"}) {
    fs::remove_all(dir_);
    const auto store = open_store(url, dir_ / "data", calendar_);
    EXPECT_NE(dynamic_cast<SqliteStore*>(store.get()), nullptr) << url;
    EXPECT_TRUE(fs::exists(dir_ / "data" / "cargomon.db")) << url;
    EXPECT_EQ(store->live_orders(), nullptr);
  }
}

TEST_F(OpenStore, AnEmbeddedDatabaseThatMustExistIsNotCreated) {
  try {
    open_store("", dir_, calendar_, IfMissing::fail);
    FAIL() << "opened a database that does not exist";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no database at"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir_ / "cargomon.db"));
}

TEST_F(OpenStore, ACommandOtherThanServeCreatesADatabaseOnlyInAnEmptyDirectory) {
  const auto refused = [&](const fs::path& dir, const std::string& expected) {
    try {
      open_store("", dir, calendar_, IfMissing::create_in_empty_directory);
      ADD_FAILURE() << "opened " << dir;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "cargomon.db"));
  };
  refused(dir_ / "missing", "data directory " + (dir_ / "missing").string() + " does not exist");
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
  fs::create_directories(dir_ / "other");
  std::ofstream(dir_ / "other" / "notes.txt") << "x";
  refused(dir_ / "other", "no cargomon database in " + (dir_ / "other").string());
  fs::create_directories(dir_ / "empty");
  open_store("", dir_ / "empty", calendar_, IfMissing::create_in_empty_directory);
  EXPECT_TRUE(fs::exists(dir_ / "empty" / "cargomon.db"));
  // Once there, it opens wherever it is.
  open_store("", dir_ / "empty", calendar_, IfMissing::create_in_empty_directory);
}

TEST_F(OpenStore, ADynamoDbUrlTakesOnlyTheCreateTablesOption) {
  // Refused before any connection or credentials are looked at.
  for (const char* url : {"dynamodb://prefix?create=no", "dynamodb://prefix?create_tables=maybe"}) {
    try {
      open_store(url, dir_, calendar_);
      FAIL() << url;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("create_tables=false"), std::string::npos) << e.what();
    }
  }
}

TEST_F(OpenStore, MemoryIsTheInMemoryStoreAndTouchesNoDisk) {
  const auto store = open_store("memory:", dir_, calendar_);
  EXPECT_NE(dynamic_cast<MemoryStore*>(store.get()), nullptr);
  EXPECT_FALSE(fs::exists(dir_));
}

TEST_F(OpenStore, AnUnknownSchemeNamesTheAcceptedFormsWithoutEchoingCredentials) {
  for (const char* url :
       {"mysql://root:hunter2@db/cargomon", "postgres:/missing-slash", "dynamo://table"}) {
    try {
      open_store(url, dir_, calendar_);
      FAIL() << url;
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      for (const char* form :
           {"sqlite:", "postgres://", "postgresql://", "memory:", "dynamodb://"}) {
        EXPECT_NE(message.find(form), std::string::npos) << form << " in " << message;
      }
      EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    }
  }
}

TEST_F(OpenStore, APostgresUrlIsPostgresSharedThroughItsLiveOrders) {
  const auto server = testing::test_postgres_url();
  if (!server) GTEST_SKIP() << testing::kNoPostgres;
  const testing::ThrowawaySchema schema(*server);
  for (const std::string scheme : {"postgres://", "postgresql://"}) {
    auto url = schema.url();
    url.replace(0, url.find("://") + 3, scheme);
    const auto store = open_store(url, dir_, calendar_);
    EXPECT_NE(dynamic_cast<PostgresStore*>(store.get()), nullptr) << scheme;
    EXPECT_NE(store->live_orders(), nullptr) << scheme;
  }
}

}  // namespace
}  // namespace cargomon
