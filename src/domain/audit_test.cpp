#include "domain/audit.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cargomon {
namespace {

using namespace std::chrono_literals;

Timestamp at(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

class AuditRecorderTest : public ::testing::Test {
 protected:
  FakeClock clock{at(1'700'000'000)};
  std::vector<AuditEntry> written;
  int next_id = 0;
  AuditRecorder recorder{[this](const AuditEntry& entry) { written.push_back(entry); }, clock,
                         [this] { return "id" + std::to_string(++next_id); }};
};

TEST_F(AuditRecorderTest, AnEntryIsDatedByTheClockAndGivenAFreshId) {
  EXPECT_TRUE(
      recorder.record(audit_action::import, "cli:ana", "", "pedidos.jsonl", {{"pedidos", "12"}}));
  clock.advance(5s);
  EXPECT_TRUE(recorder.record(audit_action::import, "cli:ana", "", "otro.jsonl"));
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0].id, "id1");
  EXPECT_EQ(written[0].at, at(1'700'000'000));
  EXPECT_EQ(written[0].action, "importacion");
  EXPECT_EQ(written[0].actor, "cli:ana");
  EXPECT_EQ(written[0].subject, "pedidos.jsonl");
  EXPECT_EQ(written[0].detail, (AuditDetail{{"pedidos", "12"}}));
  EXPECT_EQ(written[1].id, "id2");
  EXPECT_EQ(written[1].at, at(1'700'000'005));
}

TEST_F(AuditRecorderTest, SecretKeysAreNeverKeptAndTextsAreBounded) {
  recorder.record(audit_action::user_changed, std::string(500, 'a'), "", "ana",
                  {{"password", "hunter22"},
                   {"Password_Hash", "$argon2id$"},
                   {"access_token", "eyJ"},
                   {"jwt-secret", "abc"},
                   {"rol", "admin"},
                   {"nota", std::string(5000, 'x')}});
  ASSERT_EQ(written.size(), 1u);
  const auto& entry = written[0];
  EXPECT_EQ(entry.actor.size(), kMaxAuditTextBytes);
  ASSERT_EQ(entry.detail.size(), 2u);
  EXPECT_EQ(entry.detail[0], (std::pair<std::string, std::string>{"rol", "admin"}));
  EXPECT_EQ(entry.detail[1].second.size(), kMaxAuditDetailValueBytes);
}

TEST_F(AuditRecorderTest, DetailsPastTheTotalBoundAreDropped) {
  AuditDetail many;
  for (int i = 0; i < 100; ++i) many.emplace_back("k" + std::to_string(i), std::string(100, 'v'));
  recorder.record(audit_action::import, "cli", "", "", many);
  std::size_t bytes = 0;
  for (const auto& [k, v] : written.at(0).detail) bytes += k.size() + v.size();
  EXPECT_LE(bytes, kMaxAuditDetailBytes);
  EXPECT_GT(written.at(0).detail.size(), 5u);
  EXPECT_LT(written.at(0).detail.size(), 100u);
}

TEST(AuditText, CutsNeverSplitACharacter) {
  EXPECT_EQ(cut_utf8("añb", 2), "a");  // ñ is two bytes
  EXPECT_EQ(cut_utf8("añb", 3), "añ");
  EXPECT_EQ(cut_utf8("abc", 10), "abc");
}

TEST(AuditText, DetailsSurviveTheirOneLineEncoding) {
  const AuditDetail detail{{"a=b&c", "100% sí\nno"}, {"vacío", ""}, {"x", "y"}};
  const auto text = encode_audit_detail(detail);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(decode_audit_detail(text), detail);
  EXPECT_TRUE(decode_audit_detail("").empty());
}

TEST_F(AuditRecorderTest, AStoreThatFailsIsReportedAndTheCallGoesOn) {
  std::string why;
  AuditRecorder failing([](const AuditEntry&) { throw std::runtime_error("disk full"); }, clock,
                        AuditRecorder::random_audit_id,
                        [&why](const AuditEntry&, const std::string& what) { why = what; });
  EXPECT_FALSE(failing.record(audit_action::import, "cli", "", ""));
  EXPECT_EQ(why, "disk full");
}

TEST_F(AuditRecorderTest, AThrottledAccountAndAddressIsRecordedOncePerWindow) {
  EXPECT_TRUE(recorder.record_throttled_login("ana", "10.0.0.1"));
  EXPECT_FALSE(recorder.record_throttled_login("ana", "10.0.0.1"));
  EXPECT_TRUE(recorder.record_throttled_login("ana", "10.0.0.2"));
  EXPECT_TRUE(recorder.record_throttled_login("luis", "10.0.0.1"));
  clock.advance(AuditRecorder::kThrottledWindow - 1s);
  EXPECT_FALSE(recorder.record_throttled_login("ana", "10.0.0.1"));
  clock.advance(1s);
  EXPECT_TRUE(recorder.record_throttled_login("ana", "10.0.0.1"));
  ASSERT_EQ(written.size(), 4u);
  EXPECT_EQ(written[0].action, "login.limitado");
  EXPECT_EQ(written[0].actor, "ana");
  EXPECT_EQ(written[0].address, "10.0.0.1");
}

TEST_F(AuditRecorderTest, AFloodOfThrottledAccountsAddsABoundedNumberOfEntries) {
  for (std::size_t i = 0; i < AuditRecorder::kMaxThrottledKeys + 500; ++i) {
    recorder.record_throttled_login("user" + std::to_string(i), "10.0.0.1");
  }
  // One each up to the bound, then one for all the others.
  EXPECT_EQ(written.size(), AuditRecorder::kMaxThrottledKeys + 1);
  EXPECT_EQ(written.back().actor, "");
  clock.advance(AuditRecorder::kThrottledWindow);
  EXPECT_TRUE(recorder.record_throttled_login("user0", "10.0.0.1"));
}

TEST_F(AuditRecorderTest, AUserChangeRecordsWhatChangedAndNeverThePassword) {
  const User before{"ana", "$argon2id$old", Role::viewer, false, 1};
  User after = before;
  after.password_hash = "$argon2id$new";
  after.role = Role::admin;
  after.disabled = true;
  recorder.record_user_change("root", "10.0.0.9", before, after, true);
  ASSERT_EQ(written.size(), 3u);
  EXPECT_EQ(written[0].action, "usuario.rol_cambiado");
  EXPECT_EQ(written[0].detail, (AuditDetail{{"rol_anterior", "viewer"}, {"rol", "admin"}}));
  EXPECT_EQ(written[1].action, "usuario.deshabilitado");
  EXPECT_EQ(written[2].action, "usuario.modificado");
  for (const auto& entry : written) {
    EXPECT_EQ(entry.actor, "root");
    EXPECT_EQ(entry.address, "10.0.0.9");
    EXPECT_EQ(entry.subject, "ana");
    for (const auto& [k, v] : entry.detail) EXPECT_EQ(v.find("argon2"), std::string::npos);
  }

  written.clear();
  recorder.record_user_change("root", "", after, after, false);
  EXPECT_TRUE(written.empty());
  recorder.record_user_change("root", "", std::nullopt, before, false);
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].action, "usuario.creado");
  recorder.record_user_change("root", "", after, before, false);
  EXPECT_EQ(written.back().action, "usuario.habilitado");
}

}  // namespace
}  // namespace cargomon
