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

TEST(Cursor, RejectsAnythingItDidNotIssue) {
  for (const char* bad :
       {"", "abc", "!!!!", "djE6", "djI6MTox", "djE6eDox", "djE6MTot", "djE6MToxOjE"}) {
    EXPECT_FALSE(decode_cursor(bad)) << bad;
  }
  EXPECT_FALSE(decode_cursor(std::string(500, 'A')));
}

}  // namespace
}  // namespace cargomon::api
