#include "storage/audit_retention.hpp"

#include <gtest/gtest.h>

#include "storage/memory/memory_store.hpp"

namespace cargomon {
namespace {

using namespace std::chrono_literals;

class AuditRetentionTest : public ::testing::Test {
 protected:
  void add(const std::string& id, std::chrono::hours age) {
    store.append_audit({id, clock.now() - age, "usuario.creado", "root", "", "ana", {}});
  }
  std::size_t left() { return store.list_audit({.limit = 1000}).entries.size(); }

  BusinessCalendar calendar{"UTC"};
  MemoryStore store{calendar};
  FakeClock clock{Timestamp(std::chrono::seconds(1'700'000'000))};
};

TEST_F(AuditRetentionTest, EntriesOlderThanTheRetentionGoTheRestStay) {
  add("old", 24h * 31);
  add("edge", 24h * 30 - 1h);
  add("new", 1h);
  EXPECT_EQ(prune_expired_audit(store, clock, {.keep = std::chrono::days(30)}), 1u);
  EXPECT_EQ(left(), 2u);
  EXPECT_EQ(prune_expired_audit(store, clock, {.keep = std::chrono::days(30)}), 0u);
  clock.advance(2h);  // "edge" is now past 30 days
  EXPECT_EQ(prune_expired_audit(store, clock, {.keep = std::chrono::days(30)}), 1u);
  EXPECT_EQ(left(), 1u);
}

TEST_F(AuditRetentionTest, ZeroDaysKeepsEverything) {
  add("old", 24h * 10'000);
  EXPECT_EQ(prune_expired_audit(store, clock, {.keep = std::chrono::days(0)}), 0u);
  EXPECT_EQ(left(), 1u);
}

TEST_F(AuditRetentionTest, ABacklogIsDeletedInBoundedBatchesOverRounds) {
  for (int i = 0; i < 25; ++i) add("e" + std::to_string(i), 24h * 400);
  const AuditRetention retention{.keep = std::chrono::days(365), .batch = 4, .max_batches = 3};
  EXPECT_EQ(prune_expired_audit(store, clock, retention), 12u);
  EXPECT_EQ(prune_expired_audit(store, clock, retention), 12u);
  EXPECT_EQ(prune_expired_audit(store, clock, retention), 1u);
  EXPECT_EQ(left(), 0u);
}

}  // namespace
}  // namespace cargomon
