#include "api/cursor.hpp"

#include <gtest/gtest.h>

namespace cargomon::api {
namespace {

TEST(Cursor, RoundTrips) {
  for (std::int64_t seq : {0LL, 1LL, 42LL, 9'000'000'000LL}) {
    const OrderCursor cursor{Timestamp{std::chrono::microseconds{1726131058363972 + seq}}, seq};
    const auto decoded = decode_cursor(encode_cursor(cursor));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->occurred_at, cursor.occurred_at);
    EXPECT_EQ(decoded->sequence, seq);
  }
}

TEST(Cursor, IsOpaqueUrlSafeText) {
  const auto text = encode_cursor({Timestamp{std::chrono::microseconds{123}}, 7});
  EXPECT_EQ(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

// Cursors already handed to clients must keep working: the text of a cursor
// never changes.
TEST(Cursor, TextIsStableAcrossReleases) {
  const struct {
    std::int64_t micros, sequence;
    const char* text;
  } issued[] = {{123, 7, "djE6MTIzOjc"},
                {1726131058363972, 42, "djE6MTcyNjEzMTA1ODM2Mzk3Mjo0Mg"},
                {1726131058363972, 9'000'000'000, "djE6MTcyNjEzMTA1ODM2Mzk3Mjo5MDAwMDAwMDAw"},
                {-5, 0, "djE6LTU6MA"}};
  for (const auto& c : issued) {
    const OrderCursor cursor{Timestamp{std::chrono::microseconds{c.micros}}, c.sequence};
    EXPECT_EQ(encode_cursor(cursor), c.text);
    const auto decoded = decode_cursor(c.text);
    ASSERT_TRUE(decoded) << c.text;
    EXPECT_EQ(decoded->occurred_at, cursor.occurred_at);
    EXPECT_EQ(decoded->sequence, c.sequence);
  }
}

TEST(Cursor, RejectsAnythingItDidNotIssue) {
  for (const char* bad :
       {"", "abc", "!!!!", "djE6", "djI6MTox", "djE6eDox", "djE6MTot", "djE6MToxOjE",
        "djE6MTIzOjc=", "djE6MTIzOjc ", "djE6MTIz+jc", "djE6MTIz/jc"}) {
    EXPECT_FALSE(decode_cursor(bad)) << bad;
  }
  EXPECT_FALSE(decode_cursor(std::string(500, 'A')));
}

TEST(AuditCursor, RoundTripsAndIsNotAnOrderCursor) {
  const AuditCursor cursor{Timestamp(std::chrono::microseconds(1'726'127'458'363'972)), "0a1b"};
  const auto text = encode_audit_cursor(cursor);
  const auto decoded = decode_audit_cursor(text);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->at, cursor.at);
  EXPECT_EQ(decoded->id, "0a1b");
  EXPECT_FALSE(decode_cursor(text));
  EXPECT_FALSE(decode_audit_cursor(encode_cursor({cursor.at, 7})));
  EXPECT_FALSE(decode_audit_cursor(""));
  EXPECT_FALSE(decode_audit_cursor("not-a-cursor"));
  EXPECT_FALSE(decode_audit_cursor(std::string(500, 'A')));
}

}  // namespace
}  // namespace cargomon::api
