#include "sim/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cargomon::sim {
namespace {

constexpr std::uint64_t kSub = std::uint64_t{1} << LatencyHistogram::sub_bucket_bits;
// Exact buckets for [0, kSub), then kSub buckets for each magnitude
// sub_bucket_bits..63.
constexpr std::size_t kBuckets = kSub + (64 - LatencyHistogram::sub_bucket_bits) * kSub;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

std::size_t LatencyHistogram::bucket_of(std::uint64_t value) {
  if (value < kSub) return static_cast<std::size_t>(value);
  const unsigned magnitude = static_cast<unsigned>(std::bit_width(value)) - 1;  // >= bits
  const unsigned shift = magnitude - sub_bucket_bits;
  const std::uint64_t sub = (value >> shift) - kSub;  // drops the leading 1
  return static_cast<std::size_t>(kSub + shift * kSub + sub);
}

std::uint64_t LatencyHistogram::bucket_high(std::size_t bucket) {
  if (bucket < kSub) return bucket;
  const std::uint64_t shift = (bucket - kSub) / kSub;
  const std::uint64_t sub = (bucket - kSub) % kSub;
  const std::uint64_t low = (kSub + sub) << shift;
  return low + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t value) {
  ++buckets_[bucket_of(value)];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  ++count_;
  sum_ += static_cast<long double>(value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  return count_ ? static_cast<double>(sum_ / static_cast<long double>(count_)) : 0.0;
}

std::uint64_t LatencyHistogram::percentile(double quantile) const {
  if (count_ == 0) return 0;
  quantile = std::clamp(quantile, 0.0, 1.0);
  // Rounded like HdrHistogram, so that 0.99 * 10000 is 9900 and not 9901
  // after binary floating point.
  const auto wanted = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::llround(quantile * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= wanted) return std::min(bucket_high(i), max_);
  }
  return max_;
}

}  // namespace cargomon::sim
