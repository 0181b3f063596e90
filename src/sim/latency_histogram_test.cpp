#include "sim/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

namespace cargomon::sim {
namespace {

// Within the histogram's promised relative precision of `exact`.
void expect_close(std::uint64_t reported, std::uint64_t exact) {
  const double tolerance = static_cast<double>(exact) / 128.0 + 1.0;
  EXPECT_NEAR(static_cast<double>(reported), static_cast<double>(exact), tolerance);
  EXPECT_GE(reported, exact);  // reported as the bucket's highest value
}

TEST(LatencyHistogram, EmptyReportsZeros) {
  const LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.5), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (std::uint64_t v = 0; v < 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(0.5), 49u);
  EXPECT_EQ(h.percentile(0.99), 98u);
  EXPECT_EQ(h.percentile(1.0), 99u);
  EXPECT_EQ(h.percentile(0.0), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_DOUBLE_EQ(h.mean(), 49.5);
}

TEST(LatencyHistogram, PercentilesOfAUniformRangeAreWithinPrecision) {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100'000; ++v) h.record(v);
  expect_close(h.percentile(0.5), 50'000);
  expect_close(h.percentile(0.9), 90'000);
  expect_close(h.percentile(0.99), 99'000);
  EXPECT_EQ(h.percentile(1.0), 100'000u);  // clamped to the exact maximum
  EXPECT_EQ(h.max(), 100'000u);
  EXPECT_EQ(h.count(), 100'000u);
}

TEST(LatencyHistogram, EveryValueLandsInABucketThatContainsIt) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100'000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 64);
    const auto bucket = LatencyHistogram::bucket_of(v);
    ASSERT_GE(LatencyHistogram::bucket_high(bucket), v) << v;
    if (bucket > 0) {
      ASSERT_LT(LatencyHistogram::bucket_high(bucket - 1), v) << v;
    }
  }
  const auto top = LatencyHistogram::bucket_of(UINT64_MAX);
  EXPECT_EQ(LatencyHistogram::bucket_high(top), UINT64_MAX);
}

TEST(LatencyHistogram, ATailIsNotHiddenByTheBulk) {
  LatencyHistogram h;
  for (int i = 0; i < 9'900; ++i) h.record(1'000);
  for (int i = 0; i < 100; ++i) h.record(2'000'000);  // 1 % stalled
  expect_close(h.percentile(0.5), 1'000);
  expect_close(h.percentile(0.99), 1'000);
  expect_close(h.percentile(0.991), 2'000'000);
  EXPECT_EQ(h.max(), 2'000'000u);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (std::uint64_t v = 1; v <= 5'000; ++v) {
    (v % 3 ? a : b).record(v * 7);
    all.record(v * 7);
  }
  LatencyHistogram empty;
  a.merge(b);
  a.merge(empty);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) EXPECT_EQ(a.percentile(q), all.percentile(q));
  empty.merge(all);
  EXPECT_EQ(empty.min(), all.min());
}

}  // namespace
}  // namespace cargomon::sim
