// The migration runner both SQL stores use: pending migrations in order, each
// in its own transaction with its record; applied ones skipped; a failure
// rolls back only the migration that failed.

#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace cargomon {
namespace {

// Records what the runner asks of it; `fail_on` makes execute() throw.
class ScriptedDatabase final : public MigrationDatabase {
 public:
  std::set<int> applied;  // committed
  std::vector<std::string> calls;
  std::string fail_on;

  void create_schema_migrations() override { calls.push_back("create"); }
  void begin() override {
    calls.push_back("begin");
    recorded_.clear();
  }
  bool is_applied(int version) override { return applied.count(version) != 0; }
  int latest_applied() override { return applied.empty() ? 0 : *applied.rbegin(); }
  void execute(std::string_view sql) override {
    calls.push_back(std::string(sql));
    if (sql == fail_on) throw std::runtime_error("syntax error");
  }
  void record(int version) override { recorded_.insert(version); }
  void commit() override {
    calls.push_back("commit");
    applied.insert(recorded_.begin(), recorded_.end());
  }
  void rollback() noexcept override { calls.push_back("rollback"); }

 private:
  std::set<int> recorded_;
};

const Migration kThree[] = {{1, "one"}, {2, "two"}, {3, "three"}};

TEST(Migrations, PendingOnesRunInOrderEachInItsOwnTransaction) {
  ScriptedDatabase db;
  db.applied = {1};
  run_migrations(kThree, db);
  EXPECT_EQ(db.calls, (std::vector<std::string>{"create", "begin", "commit", "begin", "two",
                                                "commit", "begin", "three", "commit"}));
  EXPECT_EQ(db.applied, (std::set<int>{1, 2, 3}));
}

TEST(Migrations, UpToStopsAtThatVersion) {
  ScriptedDatabase db;
  run_migrations(kThree, db, 2);
  EXPECT_EQ(db.applied, (std::set<int>{1, 2}));
  run_migrations(kThree, db);
  EXPECT_EQ(db.applied, (std::set<int>{1, 2, 3}));
}

TEST(Migrations, AFailureRollsBackThatMigrationAndKeepsTheOnesBefore) {
  ScriptedDatabase db;
  db.fail_on = "two";
  EXPECT_THROW(run_migrations(kThree, db), std::runtime_error);
  EXPECT_EQ(db.applied, (std::set<int>{1}));
  EXPECT_EQ(db.calls.back(), "rollback");
  db.fail_on.clear();
  run_migrations(kThree, db);  // once fixed, it goes on from there
  EXPECT_EQ(db.applied, (std::set<int>{1, 2, 3}));
}

TEST(Migrations, ADatabaseANewerProgramUpgradedIsRefusedUntouched) {
  ScriptedDatabase db;
  db.applied = {1, 2, 3, 4};  // 4: a migration this program does not know
  try {
    run_migrations(kThree, db);
    FAIL() << "a newer schema was accepted";
  } catch (const DowngradeRefused& e) {
    EXPECT_NE(std::string(e.what()).find("schema is at version 4, newer than this cargomon "
                                         "knows (3)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(db.calls, (std::vector<std::string>{"create"}));
}

TEST(Migrations, VersionsOutOfOrderOrRepeatedAreRefusedBeforeAnythingRuns) {
  const Migration repeated[] = {{1, "one"}, {1, "again"}};
  const Migration unsorted[] = {{2, "two"}, {1, "one"}};
  for (const auto& list :
       {std::span<const Migration>(repeated), std::span<const Migration>(unsorted)}) {
    ScriptedDatabase db;
    EXPECT_THROW(run_migrations(list, db), std::logic_error);
    EXPECT_TRUE(db.calls.empty());
  }
}

}  // namespace
}  // namespace cargomon
